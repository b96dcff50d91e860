package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

var estMetrics = []string{"accuracy", "precision", "recall", "f1", "roc_auc"}

// estimated runs an estimatedPerformance and a performance query over the same windows and returns both.
func estimatedAndRealized(t *testing.T, ds *Datasource, window string, from, to time.Time) (data.Frames, data.Frames) {
	t.Helper()
	est := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","model":"e1","window":"`+window+`",`+refDay1+`}`, from, to))
	real := mustOK(t, run(t, ds, `{"queryType":"performance","model":"e1","window":"`+window+`"}`, from, to))
	return est, real
}

// On windows drawn from the calibrated reference distribution (8 days of 12 000 predictions), every CBPE estimate
// is within its ±3σ band of the realized metric, and the estimated accuracy is near E[max(s, 1−s)].
func TestEstimatedMatchesRealized(t *testing.T) {
	ds := New(cbpeFixtureStore(t), nil)
	defer ds.Dispose()
	est, real := estimatedAndRealized(t, ds, "1d", day2, day2.AddDate(0, 0, 8))
	if len(est) != 3*len(estMetrics) {
		t.Fatalf("want %d frames (value, upper, lower per metric), got %d", 3*len(estMetrics), len(est))
	}
	want := cbpeWant()
	for _, m := range estMetrics {
		e := values(frameByName(t, est, "e1 · "+m).Fields[1])
		up := values(frameByName(t, est, "e1 · "+m+" · upper").Fields[1])
		lo := values(frameByName(t, est, "e1 · "+m+" · lower").Fields[1])
		r := values(frameByName(t, real, "e1 · "+m).Fields[1])
		if len(e) != 8 {
			t.Fatalf("%s: %d windows", m, len(e))
		}
		for i := range e {
			if e[i] == nil || r[i] == nil || up[i] == nil || lo[i] == nil {
				t.Fatalf("%s window %d: null estimate or realized value", m, i)
			}
			if *r[i] < *lo[i] || *r[i] > *up[i] {
				t.Fatalf("%s window %d: realized %v outside [%v, %v] (estimate %v)", m, i, *r[i], *lo[i], *up[i], *e[i])
			}
			if m == "accuracy" && !near(*e[i], want, 0.01) {
				t.Fatalf("estimated accuracy %v, want ≈ %v", *e[i], want)
			}
		}
	}
	acc := frameByName(t, est, "e1 · accuracy · upper")
	if l := acc.Fields[1].Labels; l["bound"] != "upper" || l["model"] != "e1" || l["metric"] != "accuracy" || len(acc.Fields) != 2 {
		t.Fatalf("band frame labels %v, %d fields", l, len(acc.Fields))
	}
	if acc.Meta.Type != data.FrameTypeTimeSeriesMulti {
		t.Fatalf("frame type %q", acc.Meta.Type)
	}
	if c := custom(frameByName(t, est, "e1 · accuracy")); !strings.Contains(c["calibration"].(string), "pool-adjacent-violators") {
		t.Fatalf("calibration meta %v", c["calibration"])
	}
}

// Coverage by simulation: over 200 seeded hourly windows of 500 predictions from the calibrated distribution, at
// least 95 % of the realized values of every metric fall inside the estimate's ±3σ band (accuracy: binomial σ;
// the others: NannyML's reference components).
func TestEstimatedBandCoverage(t *testing.T) {
	ds := New(cbpeFixtureStore(t), nil)
	defer ds.Dispose()
	est, real := estimatedAndRealized(t, ds, "1h", day2, day2.Add(cbpeWindows*time.Hour))
	for _, m := range estMetrics {
		up := values(frameByName(t, est, "e1 · "+m+" · upper").Fields[1])
		lo := values(frameByName(t, est, "e1 · "+m+" · lower").Fields[1])
		r := values(frameByName(t, real, "e1 · "+m).Fields[1])
		if len(r) != cbpeWindows || len(up) != cbpeWindows {
			t.Fatalf("%s windows: %d realized, %d estimated", m, len(r), len(up))
		}
		inside := 0
		for i := range r {
			if r[i] != nil && up[i] != nil && *r[i] >= *lo[i] && *r[i] <= *up[i] {
				inside++
			}
		}
		if inside < cbpeWindows*95/100 {
			t.Fatalf("%s: band covers %d of %d windows, want ≥ 95 %%", m, inside, cbpeWindows)
		}
		t.Logf("%s band coverage %d/%d", m, inside, cbpeWindows)
	}
}

// A labelled reference below minSamples (one minute ≈ 14 rows < 100): every series null, band too, with a notice.
func TestEstimatedReferenceTooSmall(t *testing.T) {
	ds := New(cbpeFixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","model":"e1","window":"1d",
		"reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-01T00:01:00Z"}}`, day2, day4))
	for _, m := range estMetrics {
		for _, suffix := range []string{"", " · upper", " · lower"} {
			for i, v := range values(frameByName(t, frames, "e1 · "+m+suffix).Fields[1]) {
				if v != nil {
					t.Fatalf("%s%s window %d = %v, want null", m, suffix, i, *v)
				}
			}
		}
		f := frameByName(t, frames, "e1 · "+m)
		if len(f.Meta.Notices) == 0 || !strings.Contains(f.Meta.Notices[0].Text, "below the minimum of 100") {
			t.Fatalf("%s notices %+v", m, f.Meta.Notices)
		}
	}
}

// Regression models are skipped with a notice (CBPE knows binary and multiclass classifiers).
func TestEstimatedSkipsOtherTasks(t *testing.T) {
	cfg, _ := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","model":"p3","window":"1d",`+refDay1+`}`, day2, day4))
	if len(frames) != 1 || !strings.Contains(frames[0].Meta.Notices[0].Text, "knows binary and multiclass classifiers") {
		t.Fatalf("frames %d, notices %+v", len(frames), frames[0].Meta.Notices)
	}
}

func TestGoldenEstimatedPerformance(t *testing.T) {
	cfg, _ := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"estimatedPerformance","model":"p1","window":"1d",`+refDay1+`}`, day2, day4)
	experimental.CheckGoldenJSONResponse(t, "testdata", "estimated_performance", &r, *updateGolden)
}
