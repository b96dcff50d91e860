package diagnosis

import (
	"math"
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
)

func f(x float64) *float64 { return &x }

func TestVerdictPrecedence(t *testing.T) {
	for _, c := range []struct {
		name                             string
		pipe, cov, pred, concept, labels *float64
		want                             string
	}{
		{"nothing", nil, nil, nil, nil, nil, VerdictOK},
		{"all below one", f(0.9), f(0.99), f(0.9), f(0.5), f(0.2), VerdictOK},
		{"pipeline first", f(1), f(50), f(3), f(9), f(9), CausePipelineBreak},
		{"concept before covariate", f(0.1), f(3), nil, f(1.2), f(4), CauseConceptDrift},
		{"covariate before prior", f(0.1), f(1.04), nil, f(0.3), f(2), CauseCovariateShift},
		{"prior shift: labels move, features do not", f(0.1), f(0.5), f(2), f(0.1), f(6.7), CausePriorShift},
		{"missing evidence is absent", nil, nil, nil, nil, f(1), CausePriorShift},
		{"realized above estimate is no concept drift", nil, nil, nil, f(-5), nil, VerdictOK},
		{"prediction drift alone is evidence, not a verdict", f(0.1), f(0.2), f(7), f(0.1), f(0.1), VerdictOK},
	} {
		got := Verdict(Evidence{PipelineBreak: c.pipe, CovariateShift: c.cov, PredictionDrift: c.pred, ConceptDrift: c.concept, PriorShift: c.labels})
		if got != c.want {
			t.Errorf("%s: verdict %s, want %s", c.name, got, c.want)
		}
	}
}

// Undecided: a label-based cause whose evidence is missing because the labels are pending is undecided unless a
// cause before it is present; label-free causes, evidence that is there and evidence that is missing for good
// (not pending) are decided.
func TestUndecided(t *testing.T) {
	both := Pending{ConceptDrift: true, PriorShift: true}
	for _, c := range []struct {
		name           string
		w              Evidence
		p              Pending
		concept, prior bool
	}{
		{"no labels yet, nothing else present", Evidence{PipelineBreak: f(0.2), CovariateShift: f(0.5)}, both, true, true},
		{"labels missing for good: absent", Evidence{PipelineBreak: f(0.2), CovariateShift: f(0.5)}, Pending{}, false, false},
		{"pipeline break decides", Evidence{PipelineBreak: f(1.5)}, both, false, false},
		{"covariate shift: concept drift could come first, prior shift could not", Evidence{CovariateShift: f(2)}, both, true, false},
		{"prior shift measured, concept pending", Evidence{PriorShift: f(3)}, Pending{ConceptDrift: true}, true, false},
		{"concept drift present decides prior shift", Evidence{ConceptDrift: f(1.1)}, both, false, false},
		{"evidence below one is measured", Evidence{ConceptDrift: f(0.4), PriorShift: f(0.3)}, both, false, false},
		{"only prior shift pending", Evidence{ConceptDrift: f(0.4)}, Pending{PriorShift: true}, false, true},
	} {
		for cause, want := range map[string]bool{CauseConceptDrift: c.concept, CausePriorShift: c.prior,
			CauseCovariateShift: false, CausePipelineBreak: false, VerdictOK: false} {
			if got := Undecided(c.w, c.p, cause); got != want {
				t.Errorf("%s: Undecided(%s) = %v, want %v", c.name, cause, got, want)
			}
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
	// σ_gap = hypot(0.03, 0.04) = 0.05 → 4σ = 0.2 > floor 0.2·(0.85 − 0.5) = 0.07; gap 0.05 → 0.25.
	near(t, "sigma-bound", ConceptEvidence(ConceptInputs{Estimated: f(0.85), Realized: f(0.80), RealizedSigma: 0.03, ReferenceSigma: 0.04}), 0.25)
	// the reference's in-sample gap 0.01 is subtracted: 0.04 / 0.2.
	near(t, "bias-corrected", ConceptEvidence(ConceptInputs{Estimated: f(0.85), Realized: f(0.80), RealizedSigma: 0.03, ReferenceSigma: 0.04, ReferenceGap: f(0.01)}), 0.2)
	// σ_gap = hypot(0.003, 0.004) = 0.005 → 4σ = 0.02 < floor 0.07; gap 0.07 → exactly 1 (the floor decides).
	near(t, "skill floor", ConceptEvidence(ConceptInputs{Estimated: f(0.85), Realized: f(0.78), RealizedSigma: 0.003, ReferenceSigma: 0.004}), 1)
	// no reference σ known: the window's alone; estimate 0.5 has no skill, so no floor: 0.1 / (4·0.025) = 1.
	near(t, "window sigma only", ConceptEvidence(ConceptInputs{Estimated: f(0.5), Realized: f(0.4), RealizedSigma: 0.025}), 1)
	if ConceptEvidence(ConceptInputs{Estimated: f(0.8), Realized: f(0.5)}) != nil ||
		ConceptEvidence(ConceptInputs{Estimated: f(0.8), RealizedSigma: 0.1}) != nil ||
		ConceptEvidence(ConceptInputs{Estimated: f(0.8), Realized: f(0.5), RealizedSigma: math.NaN()}) != nil {
		t.Error("no realized value or no σ must give no evidence")
	}
}

func TestAUCSigma(t *testing.T) {
	// positives in buckets 2 and 3, negatives in buckets 1 and 2 (m = n = 2):
	// V10 = (1 + 1/2)/2 = 0.75 (bucket 2), (2 + 0)/2 = 1 (bucket 3); AUC = (0.75 + 1)/2 = 0.875;
	// V01 = (2 + 0)/2 = 1 (bucket 1), (1 + 1/2)/2 = 0.75 (bucket 2);
	// S10 = S01 = (0.125² + 0.125²)/1 = 1/32; σ = sqrt(S10/2 + S01/2) = sqrt(1/32).
	bs := []cbpe.CalibrationBucket{{Bucket: 3, Count: 1, Positives: 1}, {Bucket: 2, Count: 1, Positives: 1}, {Bucket: 2, Count: 1}, {Bucket: 1, Count: 1}}
	near(t, "DeLong σ", f(AUCSigma(bs)), math.Sqrt(1.0/32))
	// every count ×k keeps the AUC and the placements, m = n = 2k: S10 = S01 = 2k·(1/64)/(2k − 1), so
	// σ² = 2·S10/(2k) = 1/(32(2k − 1)); k = 3 → 1/160.
	for i := range bs {
		bs[i].Count, bs[i].Positives = 3, 3*bs[i].Positives
	}
	near(t, "DeLong σ, 3× the rows", f(AUCSigma(bs)), math.Sqrt(1.0/160))
	if !math.IsNaN(AUCSigma([]cbpe.CalibrationBucket{{Bucket: 1, Count: 1}, {Bucket: 2, Count: 5, Positives: 5}})) {
		t.Error("a single negative must give NaN")
	}
}

func TestPriorShiftEvidence(t *testing.T) {
	// p_ref 0.02 over 10000 reference rows, n 10000: 4σ = 4·sqrt(0.0196·2/10000) = 0.00792 < 0.5·0.02 = 0.01 →
	// tolerance 0.01.
	near(t, "relative floor", PriorShiftEvidence(0.08, 10000, 0.02, 10000), 6)
	// p_ref 0.5, n = n_ref = 100: σ = sqrt(0.25·0.02) → 4σ = 0.28284… > 0.25.
	near(t, "two-sample binomial", PriorShiftEvidence(0.5+4*math.Sqrt(0.005), 100, 0.5, 100), 1)
	// reference rate taken as exact: σ = sqrt(0.09/100) = 0.03 → 4σ = 0.12 > 0.05; |0.22 − 0.1| = 0.12.
	near(t, "one-sample binomial", PriorShiftEvidence(0.22, 100, 0.1, 0), 1)
	if PriorShiftEvidence(0.1, 0, 0.02, 100) != nil || PriorShiftEvidence(0.1, 10, 0, 100) != nil {
		t.Error("no rows or a degenerate reference rate must give no evidence")
	}
}

func TestCovariateEvidence(t *testing.T) {
	series := []FeatureScore{
		{Importance: f(0.1), Threshold: 0.1, Value: f(0)},   // ratio 0
		{Importance: f(0.3), Threshold: 0.1, Value: f(0.1)}, // ratio 1
		{Importance: f(0.4), Threshold: 0.1, Value: f(0.2)}, // ratio 2
		{Importance: f(0.2), Threshold: 0.1, Value: f(0)},   // ratio 0
		{Importance: f(5), Threshold: 0.1, Value: nil},      // not scored: left out
	}
	// by importance: 0.4 (< 0.5 of the total 1.0), + 0.3 = 0.7 (reaches it): (0.4·2 + 0.3·1)/0.7.
	near(t, "top half of the importance", CovariateEvidence(series), 1.1/0.7)
	series[2].Importance = f(0.5) // total 1.1, half 0.55: 0.5, then 0.3 → (0.5·2 + 0.3)/0.8
	near(t, "the crossing feature is included", CovariateEvidence(series), 1.3/0.8)
	series[2].Importance = f(0.7) // total 1.3, half 0.65: the top feature alone
	near(t, "one feature can carry half", CovariateEvidence(series), 2)
	series[0].Importance = nil
	near(t, "plain mean when an importance is missing", CovariateEvidence(series), (0+1+2+0)/4.0)
	pv := []FeatureScore{{Threshold: 0.05, Below: true, Value: f(0.01)}}
	near(t, "p-value metric", CovariateEvidence(pv), 5)
	if CovariateEvidence(series[4:]) != nil || CovariateEvidence(nil) != nil {
		t.Error("no scored feature must give no evidence")
	}
}

func TestScoreQuantileBins(t *testing.T) {
	// 10 rows, 5 bins: a bin closes after the bucket where the cumulative count reaches 2, 4, 6, 8.
	got := ScoreQuantileBins([]float64{1, 1, 1, 1, 0, 0, 2, 2, 2, 0}, 5)
	want := []int{0, 0, 1, 1, 2, 2, 2, 3, 4, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("bins %v, want %v", got, want)
		}
	}
	// quantiles 2.5 and 5 are both reached in bucket 1: the edges merge, 2 bins remain.
	got = ScoreQuantileBins([]float64{0, 5, 0, 0, 5}, 4)
	want = []int{0, 0, 1, 1, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("merged bins %v, want %v", got, want)
		}
	}
}

func TestPredictionEvidence(t *testing.T) {
	ref, cur := make([]float64, cbpe.ScoreBuckets), make([]float64, cbpe.ScoreBuckets)
	// reference: 100 rows at bucket 100, 100 at 900 → quantile bins [0, 100], [101, 900], [901, 999]
	// (the 10 %…50 % quantiles all fall in bucket 100, 60 %…90 % in bucket 900), fractions (0.5, 0.5, 0).
	ref[100], ref[900] = 100, 100
	// window: 150 rows at bucket 50, 50 at 950 → fractions (0.75, 0, 0.25); m = (0.625, 0.25, 0.125).
	cur[50], cur[950] = 150, 50
	// JSD = ½[0.5·log2(0.5/0.625) + 0.5·log2(0.5/0.25) + 0.75·log2(0.75/0.625) + 0.25·log2(0.25/0.125)]
	js := 0.5 * (0.5*math.Log2(0.8) + 0.5 + 0.75*math.Log2(1.2) + 0.25)
	near(t, "JS distance / 0.1", PredictionEvidence(ref, cur, 100), math.Sqrt(js)/PredictionDriftThreshold)
	near(t, "same distribution", PredictionEvidence(ref, ref, 100), 0)
	if PredictionEvidence(ref, cur, 201) != nil {
		t.Error("a window below the minimum of rows must give no evidence")
	}
}

// Volume evidence against mpmath (40 digits): z = −√2·erfinv(2p − 1) of the Poisson tail p (gammainc, regularized),
// over FleetSigmas, capped by the ratio's |x − 1| / 0.5. Tolerance 1e-9 (gonum's incomplete gamma and quantile).
func TestVolumeEvidence(t *testing.T) {
	for _, c := range []struct {
		name   string
		n      int64
		lambda float64
		want   float64
	}{
		{"1 row where 4 are expected: P(N <= 1) = 0.0916, chance", 1, 4, 0.33277478730765242},
		{"silence where 20 are expected: P(N = 0) = 2.06e-9", 0, 20, 1.4698023391213341},
		{"silence where 16 are expected: P(N = 0) = 1.13e-7", 0, 16, 1.2943353051344259},
		{"12 rows where 4 are expected: P(N >= 12) = 9.15e-4", 12, 4, 0.7791112469710693},
		{"250 rows where 1000 are expected: the ratio decides", 250, 1000, 1.5},
		{"as expected", 30, 30, 0},
	} {
		got := VolumeEvidence(float64(c.n)/c.lambda, c.n, c.lambda)
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %.17g, want %.17g", c.name, got, c.want)
		}
	}
	if got := VolumeEvidence(0.25, 0, 0); got != 1.5 {
		t.Errorf("unknown expectation: %v, want the ratio's 1.5", got)
	}
}

func TestPipelineEvidence(t *testing.T) {
	rs := []QualityReading{
		{Name: "null_share:age", Check: NullShare, Value: 0.25, ReferenceNullShare: 0.05}, // 0.2 / 0.1 = 2
		{Name: "out_of_range_share:age", Check: OutOfRange, Value: 0.05},                  // 1
		{Name: "new_category_share:plan", Check: NewCategory, Value: 0.125},               // 2.5
		{Name: "type_error_share:age", Check: TypeError, Value: 0.01},                     // 0.2
		{Name: "volume_ratio", Check: Volume, Value: 0.25},                                // 0.75 / 0.5 = 1.5
	}
	got, which := PipelineEvidence(rs)
	near(t, "largest exceedance", got, 2.5)
	if which != "new_category_share:plan" {
		t.Errorf("check %q, want new_category_share:plan", which)
	}
	got, which = PipelineEvidence(rs[4:])
	near(t, "volume below the reference", got, 1.5)
	if which != "volume_ratio" {
		t.Errorf("check %q", which)
	}
	if got, which := PipelineEvidence(nil); got != nil || which != "" {
		t.Error("no readings must give no evidence")
	}
}
