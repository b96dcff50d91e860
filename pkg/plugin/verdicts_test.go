package plugin

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
)

// Verdict series: one per (model, verdict cause), 1 exactly where the window's verdict is that cause — a window
// whose verdict is pipeline_break is 0 in covariate_shift even when its covariate evidence is present.
func TestVerdictFrames(t *testing.T) {
	one := 1.5
	w0 := time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)
	res := monitor.DiagnosisResult{Window: 24 * time.Hour, Models: []monitor.DiagnosisModel{{Model: "upsell_eu", Windows: []monitor.DiagnosisWindow{
		{Start: w0, Verdict: diagnosis.VerdictOK},
		{Start: w0.AddDate(0, 0, 1), Verdict: diagnosis.CausePipelineBreak, Evidence: diagnosis.Evidence{PipelineBreak: &one, CovariateShift: &one}},
		{Start: w0.AddDate(0, 0, 2), Verdict: diagnosis.CausePriorShift},
	}}}}
	frames := verdictFrames(res)
	want := map[string][]float64{
		"pipeline_break": {0, 1, 0}, "concept_drift": {0, 0, 0}, "covariate_shift": {0, 0, 0}, "prior_shift": {0, 0, 1},
	}
	if len(frames) != len(want) {
		t.Fatalf("%d frames, want %d", len(frames), len(want))
	}
	for _, f := range frames {
		cause := f.Fields[1].Labels["cause"]
		if f.Fields[1].Labels["model"] != "upsell_eu" || f.Name != "upsell_eu · verdict · "+cause {
			t.Errorf("frame %q labels %v", f.Name, f.Fields[1].Labels)
		}
		got := values(f.Fields[1])
		for i, w := range want[cause] {
			if got[i] == nil || *got[i] != w {
				t.Errorf("%s window %d: %v, want %v", cause, i, got[i], w)
			}
		}
	}
	// an unknown output is refused
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"diagnosis","diagnosisOutput":"both"}`, day1, day4)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "unknown diagnosisOutput") {
		t.Errorf("err %v", r.Error)
	}
}

// A window whose labels have not arrived cannot decide concept_drift or prior_shift: their verdict series read null
// there (not 0), so the breach signal under hysteresis 2 keeps its state over those windows and an alert rule's
// reduce last (dropNN) reads the latest window that decided. fraud_card_us: a prior shift on two labelled days,
// then two days without labels (the last one partial) — breach 0, 1, null, null, so the rule stays Alerting; read
// as 0 (the verdict ok of the unlabelled windows) the breach would be 0, 1, 1, 0 and the alert would clear. churn:
// a covariate shift in its unlabelled last window is decided (label-free) but a concept drift could still come
// before it, so concept_drift is null there and prior_shift, which comes after covariate_shift, is 0.
func TestVerdictFramesPendingLabels(t *testing.T) {
	w0 := time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)
	pending := diagnosis.Pending{ConceptDrift: true, PriorShift: true}
	win := func(day int, e diagnosis.Evidence, p diagnosis.Pending) monitor.DiagnosisWindow {
		return monitor.DiagnosisWindow{Start: w0.AddDate(0, 0, day), Evidence: e, Pending: p, Verdict: diagnosis.Verdict(e)}
	}
	low, six, five, two := 0.2, 6.0, 5.0, 2.0
	res := monitor.DiagnosisResult{Window: 24 * time.Hour, Models: []monitor.DiagnosisModel{
		{Model: "fraud_card_us", Windows: []monitor.DiagnosisWindow{
			win(0, diagnosis.Evidence{PipelineBreak: &low, ConceptDrift: &low, PriorShift: &six}, diagnosis.Pending{}),
			win(1, diagnosis.Evidence{PipelineBreak: &low, ConceptDrift: &low, PriorShift: &five}, diagnosis.Pending{}),
			win(2, diagnosis.Evidence{PipelineBreak: &low, CovariateShift: &low}, pending),
			win(3, diagnosis.Evidence{PipelineBreak: &low, CovariateShift: &low}, pending),
		}},
		{Model: "churn", Windows: []monitor.DiagnosisWindow{
			win(0, diagnosis.Evidence{CovariateShift: &low, ConceptDrift: &low, PriorShift: &low}, diagnosis.Pending{}),
			win(1, diagnosis.Evidence{CovariateShift: &two}, pending),
		}},
	}}
	null := -1.0 // stands for null in want
	want := map[string][]float64{
		"fraud_card_us/pipeline_break": {0, 0, 0, 0}, "fraud_card_us/concept_drift": {0, 0, null, null},
		"fraud_card_us/covariate_shift": {0, 0, 0, 0}, "fraud_card_us/prior_shift": {1, 1, null, null},
		"churn/pipeline_break": {0, 0}, "churn/concept_drift": {0, null}, "churn/covariate_shift": {0, 1}, "churn/prior_shift": {0, 0},
	}
	wantBreach := map[string][]float64{"fraud_card_us/prior_shift": {0, 1, null, null}, "churn/covariate_shift": {0, 0}}
	q := query.Model{QueryType: query.TypeDiagnosis, Thresholds: &query.Thresholds{Mode: query.ThresholdStatic,
		Output: query.OutputBreach, Hysteresis: 2}}
	same := func(got []*float64, want []float64) bool {
		if len(got) != len(want) {
			return false
		}
		for i, w := range want {
			if (w == null) != (got[i] == nil) || got[i] != nil && *got[i] != w {
				return false
			}
		}
		return true
	}
	frames := verdictFrames(res)
	if len(frames) != len(want) {
		t.Fatalf("%d frames, want %d", len(frames), len(want))
	}
	for _, f := range frames {
		id := f.Fields[1].Labels["model"] + "/" + f.Fields[1].Labels["cause"]
		if got := values(f.Fields[1]); !same(got, want[id]) {
			t.Errorf("%s: %v, want %v (-1: null)", id, fmtValues(got), want[id])
		}
		wb, ok := wantBreach[id]
		if !ok {
			continue
		}
		b, err := thresholdFrames(f, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := values(b[0].Fields[1]); !same(got, wb) {
			t.Errorf("%s breach: %v, want %v (-1: null)", id, fmtValues(got), wb)
		}
	}
}

// The same on a real store: model P's labels move from 20 % positive (day 1, the reference) to 80 % (day 2) with
// the scores still separating the classes (prior shift |0.8 − 0.2| / max(4·sqrt(0.16·(1/200 + 1/200)), 0.5·0.2)
// = 0.6 / 0.16 = 3.75; realized and estimated ROC AUC both 1: no concept drift), and day 3, logged like day 2, has
// no label yet. Day 2 decides (prior_shift 1, concept_drift 0); day 3 cannot decide either (null); the label-free
// causes are decided (0) on both days.
func TestVerdictsOfAWindowWithoutLabels(t *testing.T) {
	ds := New(pendingLabelsStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"diagnosis","diagnosisOutput":"verdicts","model":"P","window":"1d",`+refDay1+`}`, day2, day4))
	null := -1.0
	want := map[string][]float64{"pipeline_break": {0, 0}, "concept_drift": {0, null}, "covariate_shift": {0, 0}, "prior_shift": {1, null}}
	seen := 0
	for _, f := range frames {
		cause, ok := want[f.Fields[1].Labels["cause"]]
		if !ok || len(f.Fields) != 2 {
			continue
		}
		seen++
		got := values(f.Fields[1])
		for i, w := range cause {
			if len(got) != len(cause) || (w == null) != (got[i] == nil) || got[i] != nil && *got[i] != w {
				t.Errorf("%s: %v, want %v (-1: null)", f.Name, fmtValues(got), cause)
				break
			}
		}
	}
	if seen != len(want) {
		t.Fatalf("%d verdict series, want %d", seen, len(want))
	}
}

// pendingLabelsStore is the log of TestVerdictsOfAWindowWithoutLabels: model P over days 1–3, 200 rows a day,
// 40 positive labels on day 1, 160 on day 2, none yet on day 3; extra statements run after it.
func pendingLabelsStore(t *testing.T, stmts ...string) settings.Settings {
	cfg := logStore(t, append([]string{`CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (d - 1) DAY + INTERVAL (7 * i) MINUTE AS ts,
		'P' AS model_id, 'P-' || d || '-' || i AS prediction_id, CAST(pos AS INTEGER) AS prediction,
		CASE WHEN pos THEN 0.6 ELSE 0.1 END + (i % 40) / 100 AS score, CASE WHEN d < 3 THEN CAST(pos AS INTEGER) END AS y,
		i % 7 AS k FROM (SELECT d, i, i <= CASE WHEN d = 1 THEN 40 ELSE 160 END AS pos FROM range(1, 4) a(d), range(1, 201) b(i))`}, stmts...)...)
	cfg.PredictionColumn, cfg.ScoreColumn, cfg.LabelColumn = "prediction", "score", "y"
	return cfg
}

func fmtValues(xs []*float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "null"
		if x != nil {
			out[i] = strconv.FormatFloat(*x, 'g', -1, 64)
		}
	}
	return out
}

// `metrics` keeps the named metric series of performance and estimatedPerformance; an unknown name is an error
// that lists the known ones.
func TestMetricsFilter(t *testing.T) {
	ds := New(cbpeFixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","model":"e1","window":"1d",`+refDay1+`,"metrics":["roc_auc"]}`, day2, day2.AddDate(0, 0, 2)))
	var names []string
	for _, f := range frames {
		names = append(names, f.Name)
	}
	if strings.Join(names, "|") != "e1 · roc_auc|e1 · roc_auc · upper|e1 · roc_auc · lower" {
		t.Errorf("frames %v", names)
	}
	if frames[0].Meta.ExecutedQueryString == "" {
		t.Error("the executed SQL is lost")
	}
	frames = mustOK(t, run(t, ds, `{"queryType":"performance","model":"e1","window":"1d","metrics":["ROC_AUC","label_coverage"]}`, day2, day2.AddDate(0, 0, 2)))
	if len(frames) != 2 || frames[0].Name != "e1 · roc_auc" || frames[1].Name != "e1 · label_coverage" {
		t.Errorf("%d frames, first %q", len(frames), frames[0].Name)
	}
	r := run(t, ds, `{"queryType":"performance","model":"e1","metrics":["auc"]}`, day2, day2.AddDate(0, 0, 2))
	if r.Error == nil || !strings.Contains(r.Error.Error(), `unknown metric "auc" (known: accuracy,`) {
		t.Errorf("err %v", r.Error)
	}
}
