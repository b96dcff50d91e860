package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// Verdict series: one per (model, verdict cause), 1 exactly where the window's verdict is that cause — a window
// whose verdict is pipeline_break is 0 in covariate_shift even when its covariate evidence is present.
func TestVerdictFrames(t *testing.T) {
	one := 1.5
	w0 := time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)
	res := monitor.DiagnosisResult{Window: 24 * time.Hour, Models: []monitor.DiagnosisModel{{Model: "upsell_eu", Windows: []monitor.DiagnosisWindow{
		{Start: w0, Verdict: monitor.VerdictOK},
		{Start: w0.AddDate(0, 0, 1), Verdict: monitor.CausePipelineBreak, PipelineBreak: &one, CovariateShift: &one},
		{Start: w0.AddDate(0, 0, 2), Verdict: monitor.VerdictPriorShift},
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
