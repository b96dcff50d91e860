package monitor

import (
	"math"
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/store"
)

func f(x float64) *float64 { return &x }

func TestVerdictPrecedence(t *testing.T) {
	for _, c := range []struct {
		name                       string
		pipe, cov, concept, labels *float64
		want                       string
	}{
		{"nothing", nil, nil, nil, nil, VerdictOK},
		{"all below one", f(0.9), f(0.99), f(0.5), f(0.2), VerdictOK},
		{"pipeline first", f(1), f(50), f(9), f(9), CausePipelineBreak},
		{"concept before covariate", f(0.1), f(3), f(1.2), f(4), CauseConceptDrift},
		{"covariate before prior", f(0.1), f(1.04), f(0.3), f(2), CauseCovariateShift},
		{"prior shift: labels move, features do not", f(0.1), f(0.5), f(0.1), f(6.7), VerdictPriorShift},
		{"missing evidence is absent", nil, nil, nil, f(1), VerdictPriorShift},
		{"realized above estimate is no concept drift", nil, nil, f(-5), nil, VerdictOK},
	} {
		got := Verdict(DiagnosisWindow{PipelineBreak: c.pipe, CovariateShift: c.cov, ConceptDrift: c.concept, LabelDrift: c.labels})
		if got != c.want {
			t.Errorf("%s: verdict %s, want %s", c.name, got, c.want)
		}
	}
}

func near(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-12 {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestConceptEvidence(t *testing.T) {
	// band ±0.03 → σ = 0.01; realized 0.0424264… below the estimate = 3√2 σ → exactly 1.
	near(t, "at the edge", ConceptEvidence(f(0.85), f(0.88), f(0.82), f(0.85-0.03*math.Sqrt2)), 1)
	// upper clipped at 1: the lower half-width (0.06 → σ 0.02) is used.
	near(t, "clipped band", ConceptEvidence(f(0.97), f(1), f(0.91), f(0.97-0.02*3*math.Sqrt2*2)), 2)
	if ConceptEvidence(f(0.8), nil, nil, f(0.5)) != nil || ConceptEvidence(f(0.8), f(0.9), f(0.7), nil) != nil {
		t.Error("no band or no realized value must give no evidence")
	}
}

func TestLabelEvidence(t *testing.T) {
	// p_ref 0.02, n 10000: 3σ = 3·sqrt(0.0196/10000) = 0.0042 < 0.5·0.02 = 0.01 → tolerance 0.01.
	near(t, "relative floor", LabelEvidence(0.08, 10000, 0.02), 6)
	// n 100: 3σ = 0.042 → tolerance 0.042.
	near(t, "binomial", LabelEvidence(0.062, 100, 0.02), 1)
	if LabelEvidence(0.1, 0, 0.02) != nil || LabelEvidence(0.1, 10, 0) != nil {
		t.Error("no rows or a degenerate reference rate must give no evidence")
	}
}

func TestCovariateEvidence(t *testing.T) {
	win := func(x *float64) []WindowScore { return []WindowScore{{Result: drift.Result{Value: x}}} }
	imp := func(x float64) store.Feature { return store.Feature{Importance: &x} }
	series := []Series{
		{Feature: imp(3), Threshold: 0.1, Direction: drift.Above, Windows: win(f(0.3))},  // ratio 3
		{Feature: imp(1), Threshold: 0.1, Direction: drift.Above, Windows: win(f(0.02))}, // ratio 0.2
		{Feature: imp(5), Threshold: 0.1, Direction: drift.Above, Windows: win(nil)},     // not scored: left out
	}
	near(t, "importance-weighted", CovariateEvidence(series, 0), (3*3+1*0.2)/4)
	series[1].Feature.Importance = nil
	near(t, "equal weights when an importance is missing", CovariateEvidence(series, 0), (3+0.2)/2)
	pv := []Series{{Threshold: 0.05, Direction: drift.Below, Windows: win(f(0.01))}}
	near(t, "p-value metric", CovariateEvidence(pv, 0), 5)
	if CovariateEvidence(series, 1) != nil {
		t.Error("a window beyond the series must give no evidence")
	}
}
