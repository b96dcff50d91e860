package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

var perfMetrics = []string{"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "ece"}

// checkPerfPoint asserts point i of "<model> · <metric>" against want (nil = null point).
func checkPerfPoint(t *testing.T, frames data.Frames, name string, i int, want *float64) *data.Frame {
	t.Helper()
	f := frameByName(t, frames, name)
	got := values(f.Fields[1])
	if i >= len(got) {
		t.Fatalf("%s: only %d points", name, len(got))
	}
	switch {
	case want == nil && got[i] != nil:
		t.Fatalf("%s: point %d = %v, want null", name, i, *got[i])
	case want != nil && (got[i] == nil || !near(*got[i], *want, 1e-12)):
		t.Fatalf("%s: point %d = %v, want %v (scikit-learn)", name, i, storetest.Deref(got), *want)
	}
	return f
}

func fptr(v float64) *float64 { return &v }

// Day 1 of p1 against scikit-learn (accuracy_score, precision_score, recall_score, f1_score, roc_auc_score,
// log_loss; ECE from calibration_curve) on its 240 on-time labels, at thresholds 0.5 (default), 0.3 and 0.9999
// (no positive predictions: precision null with a notice, where scikit-learn's zero_division would say 0 or NaN).
// The 30 labels arriving after the query end (2026-01-04) do not count: coverage 240/300.
func TestPerformanceMatchesScikitLearn(t *testing.T) {
	cfg, fx := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	for _, c := range []struct{ threshold, key string }{
		{"", "day1_threshold_0.5"}, {`,"decisionThreshold":0.3`, "day1_threshold_0.3"}, {`,"decisionThreshold":0.9999`, "day1_threshold_0.9999"},
	} {
		frames := mustOK(t, run(t, ds, `{"queryType":"performance","model":"p1","window":"1d"`+c.threshold+`}`, day1, day4))
		if len(frames) != 10 {
			t.Fatalf("%s: want 10 frames (7 metrics, label_coverage, label lag p50 and p90), got %d", c.key, len(frames))
		}
		want := fx.Expected[c.key]
		for _, m := range perfMetrics {
			checkPerfPoint(t, frames, "p1 · "+m, 0, want[m])
		}
		checkPerfPoint(t, frames, "p1 · label_coverage", 0, fptr(240.0/300))
		// Every label known by day 4 is an on-time one, written at ts + 2 h (late ones arrive on 2026-01-10). Lag
		// quantiles are read from a log-bucketed histogram (store.LagBucket): 7200 s is in bucket
		// 1 + ⌊ln 7200 / ln 1.02⌋ = 449, whose midpoint 1.02^448.5 s = 1.9992842027869082 h (Python) stands for it.
		checkPerfPoint(t, frames, "p1 · label_lag_p50_hours", 0, fptr(1.9992842027869082))
		checkPerfPoint(t, frames, "p1 · label_lag_p90_hours", 0, fptr(1.9992842027869082))
		if c.key == "day1_threshold_0.9999" {
			p := frameByName(t, frames, "p1 · precision")
			text := ""
			for _, n := range p.Meta.Notices {
				text += n.Text + "\n"
			}
			if !strings.Contains(text, "1 of 3 windows have no value (no positive predictions at this threshold") {
				t.Fatalf("precision notice: %+v", p.Meta.Notices)
			}
		}
	}
	frames := mustOK(t, run(t, ds, `{"queryType":"performance","model":"p1","window":"1d"}`, day1, day4))
	acc := frameByName(t, frames, "p1 · accuracy")
	if acc.Meta.Type != data.FrameTypeTimeSeriesMulti || acc.Meta.TypeVersion != (data.FrameTypeVersion{0, 1}) {
		t.Fatalf("frame type %q %v", acc.Meta.Type, acc.Meta.TypeVersion)
	}
	if l := acc.Fields[1].Labels; l["model"] != "p1" || l["metric"] != "accuracy" || len(l) != 2 {
		t.Fatalf("labels %v", l)
	}
	if !strings.Contains(acc.Meta.ExecutedQueryString, "label_ts") || !strings.Contains(acc.Meta.ExecutedQueryString, "floor(p * 1000)") {
		t.Fatalf("executed SQL: %q", acc.Meta.ExecutedQueryString)
	}
	auc := frameByName(t, frames, "p1 · roc_auc")
	if b, ok := custom(auc)["aucBinningErrorBound"].(float64); !ok || b < 0 || b > 0.01 {
		t.Fatalf("aucBinningErrorBound %v", custom(auc)["aucBinningErrorBound"])
	}
}

// Day 2 has no label known by the query end: every metric null with a notice, coverage 0. Day 3 has 40 labels,
// below the 100-row minimum: metrics null, coverage 1. A query ending after 2026-01-10 counts the late labels.
func TestPerformanceLateAndMissingLabels(t *testing.T) {
	cfg, fx := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"performance","model":"p1","window":"1d"}`, day1, day4))
	for _, m := range perfMetrics {
		f := checkPerfPoint(t, frames, "p1 · "+m, 1, nil)
		checkPerfPoint(t, frames, "p1 · "+m, 2, nil)
		text := ""
		for _, n := range f.Meta.Notices {
			text += n.Text + "\n"
		}
		if !strings.Contains(text, "no labels known for this window") || !strings.Contains(text, "minimum sample size of 100") {
			t.Fatalf("%s notices: %s", m, text)
		}
	}
	checkSeries(t, frames, "p1 · label_coverage", 0.8, 0.0, 1.0)

	late := time.Date(2026, 1, 11, 0, 0, 0, 0, time.UTC)
	frames = mustOK(t, run(t, ds, `{"queryType":"performance","model":"p1","window":"1d"}`, day1, late))
	want := fx.Expected["day1_with_late_labels_threshold_0.5"]
	for _, m := range perfMetrics {
		checkPerfPoint(t, frames, "p1 · "+m, 0, want[m])
	}
	checkPerfPoint(t, frames, "p1 · label_coverage", 0, fptr(270.0/300))
	checkPerfPoint(t, frames, "p1 · label_coverage", 1, fptr(20.0/150))
}

// Labels in the log row (labelColumn) give the same day-1 values as the labels table.
func TestPerformanceLabelColumn(t *testing.T) {
	cfg, fx := performanceFixtureStore(t)
	cfg.Table, cfg.LabelColumn = "p1_log", "label"
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"performance","model":"p1","window":"1d"}`, day1, day4))
	want := fx.Expected["day1_threshold_0.5"]
	for _, m := range perfMetrics {
		checkPerfPoint(t, frames, "p1 · "+m, 0, want[m])
	}
	checkSeries(t, frames, "p1 · label_coverage", 0.8, 0.0, 1.0)
}

// Without a labels table (and no label column) the query fails with a message naming what is missing.
func TestPerformanceNeedsLabels(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"performance","model":"m1","window":"1d"}`, day1, day4)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "labels table") {
		t.Fatalf("want a labels-table error, got %v", r.Error)
	}
}

func TestGoldenPerformance(t *testing.T) {
	cfg, _ := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"performance","model":"p1","window":"1d"}`, day1, day4)
	experimental.CheckGoldenJSONResponse(t, "testdata", "performance", &r, *updateGolden)
}

// The multiclass model p2 (accuracy_score, f1_score(average="macro")) and the regression model p3
// (mean_absolute_error, √mean_squared_error, mean_absolute_percentage_error) against scikit-learn on day 1.
func TestPerformanceMulticlassAndRegression(t *testing.T) {
	cfg, fx := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"performance","model":"p2","window":"1d"}`, day1, day2))
	if len(frames) != 5 {
		t.Fatalf("multiclass: want accuracy, macro_f1, label_coverage, label lag p50/p90; got %d frames", len(frames))
	}
	for m, want := range fx.Expected["p2_day1"] {
		checkPerfPoint(t, frames, "p2 · "+m, 0, want)
	}
	checkSeries(t, frames, "p2 · label_coverage", 1.0)

	frames = mustOK(t, run(t, ds, `{"queryType":"performance","model":"p3","window":"1d"}`, day1, day2))
	if len(frames) != 6 {
		t.Fatalf("regression: want mae, rmse, mape, label_coverage, label lag p50/p90; got %d frames", len(frames))
	}
	for m, want := range fx.Expected["p3_day1"] {
		got := values(frameByName(t, frames, "p3 · "+m).Fields[1])
		if got[0] == nil || !near(*got[0], *want, 1e-9**want) {
			t.Fatalf("p3 %s = %v, want %v (scikit-learn)", m, storetest.Deref(got), *want)
		}
	}
}

// decisionThreshold outside [0, 1] is a query error.
func TestPerformanceBadThreshold(t *testing.T) {
	cfg, _ := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"performance","model":"p1","decisionThreshold":1.5}`, day1, day4)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "decisionThreshold") {
		t.Fatalf("want a decisionThreshold error, got %v", r.Error)
	}
}
