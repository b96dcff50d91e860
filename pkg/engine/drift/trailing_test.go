package drift

import (
	"math"
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/query"
)

// A trailing reference summed from windows (SumNumeric) scores as the whole sample does: the SciPy case of
// TestKSUsesExactPValueOnSmallSamples with its reference dealt round-robin into three windows, each window's
// values reversed and then sorted where collected (Values.Sort), and every value of the first window repeated in
// the second — so the merge meets ties across windows and adds their counts.
func TestTrailingReferenceSumScoresAsTheWholeSample(t *testing.T) {
	for _, c := range loadEdge(t).KS {
		if c.Name != "ten-day sample (300 vs 240)" {
			continue
		}
		probs := binning.Probs(10)
		quantiles := make([]float64, len(probs))
		for i, p := range probs {
			quantiles[i] = -2 + 4*p
		}
		b := binning.NewNumeric(probs, quantiles, 10)
		windows := make([]NumericHist, 3)
		parts := make([]Values, 3)
		for i := len(c.RefValues) - 1; i >= 0; i-- { // reversed: each window's values arrive out of order
			w := i % 3
			n := c.RefCounts[i]
			if w == 0 { // half of the first window's count moves to the second window, same value
				half := math.Floor(n / 2)
				if half > 0 {
					parts[1].X, parts[1].N = append(parts[1].X, c.RefValues[i]), append(parts[1].N, half)
					n -= half
				}
			}
			parts[w].X, parts[w].N = append(parts[w].X, c.RefValues[i]), append(parts[w].N, n)
		}
		for w := range windows {
			windows[w] = hist(b, parts[w].X, parts[w].N)
			parts[w].Sort()
			windows[w].Values = &parts[w]
		}
		ref := SumNumeric(b, windows...)
		for i := 1; i < len(ref.Values.X); i++ {
			if !(ref.Values.X[i-1] < ref.Values.X[i]) {
				t.Fatalf("summed values not strictly increasing at %d: %v, %v", i, ref.Values.X[i-1], ref.Values.X[i])
			}
		}
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
		return
	}
	t.Fatal("fixture case missing")
}
