package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/monitor"
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
