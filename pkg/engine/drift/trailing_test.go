package drift

import (
	"math"
	"slices"
	"testing"

	"github.com/aiops/modelmonitor/pkg/query"
)

// A trailing reference summed from windows (SumNumeric) scores as the whole sample does: the SciPy case of
// TestKSUsesExactPValueOnSmallSamples with its reference dealt round-robin into three windows, each window's
// values reversed and then sorted where collected (Values.Sort); then with the first window's values also in a
// fourth window, so that the merge meets every one of them twice and adds their counts, against the two samples
// concatenated.
func TestTrailingReferenceSumScoresAsTheWholeSample(t *testing.T) {
	c, b := tenDaySample(t)
	windows := make([]NumericHist, 3)
	parts := make([]Values, 3)
	for i := len(c.RefValues) - 1; i >= 0; i-- { // reversed: each window's values arrive out of order
		w := i % 3
		parts[w].X, parts[w].N = append(parts[w].X, c.RefValues[i]), append(parts[w].N, c.RefCounts[i])
	}
	for w := range windows {
		windows[w] = hist(b, parts[w].X, parts[w].N)
		parts[w].Sort()
		windows[w].Values = &parts[w]
	}
	ref := SumNumeric(b, windows...)
	strictlyIncreasing(t, ref.Values.X)
	whole := hist(b, c.RefValues, c.RefCounts)
	for j := range whole.Counts {
		if ref.Counts[j] != whole.Counts[j] {
			t.Fatalf("bin %d: summed count %v, whole sample %v", j, ref.Counts[j], whole.Counts[j])
		}
	}
	cur := hist(b, c.CurValues, c.CurCounts)
	cur.Values = &Values{X: c.CurValues, N: c.CurCounts}
	got := Compute(numericInput(query.MetricKS, b, ref, cur, 1))
	if p := value(t, got); math.Abs(p-c.P) > 1e-9*c.P || *got.Statistic != c.D || got.Method != "exact" {
		t.Fatalf("KS on the summed reference: p %v D %v method %q, want SciPy's p %v D %v exact", p, *got.Statistic, got.Method, c.P, c.D)
	}
	whole.Values = &Values{X: c.RefValues, N: c.RefCounts}
	w1 := value(t, Compute(numericInput(query.MetricWasserstein, b, ref, cur, 1)))
	w2 := value(t, Compute(numericInput(query.MetricWasserstein, b, whole, cur, 1)))
	if math.Abs(w1-w2) > 1e-15*math.Max(1, w2) {
		t.Fatalf("Wasserstein on the summed reference %v, on the whole sample %v", w1, w2)
	}

	// ties across windows: the first window twice
	twice := SumNumeric(b, append(windows, windows[0])...)
	strictlyIncreasing(t, twice.Values.X)
	if len(twice.Values.X) != len(ref.Values.X) {
		t.Fatalf("%d distinct values with the first window twice, %d without", len(twice.Values.X), len(ref.Values.X))
	}
	concat := hist(b, append(slices.Clone(c.RefValues), parts[0].X...), append(slices.Clone(c.RefCounts), parts[0].N...))
	concat.Values = &Values{X: append(slices.Clone(c.RefValues), parts[0].X...), N: append(slices.Clone(c.RefCounts), parts[0].N...)}
	for _, metric := range []string{query.MetricKS, query.MetricWasserstein} {
		got, want := Compute(numericInput(metric, b, twice, cur, 1)), Compute(numericInput(metric, b, concat, cur, 1))
		if g, w := value(t, got), value(t, want); math.Abs(g-w) > 1e-12*math.Max(1, w) || got.Method != "exact" {
			t.Fatalf("%s with the first window twice: %v (%s), on the concatenated samples %v", metric, g, got.Method, w)
		}
	}
}

func strictlyIncreasing(t *testing.T, xs []float64) {
	t.Helper()
	for i := 1; i < len(xs); i++ {
		if !(xs[i-1] < xs[i]) {
			t.Fatalf("values not strictly increasing at %d: %v, %v", i, xs[i-1], xs[i])
		}
	}
}
