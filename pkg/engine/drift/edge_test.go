package drift

import (
	"math"
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/test/fixtures/edge"
)

// tenDaySample is the KS case "ten-day sample (300 vs 240)" and a continuous binning of its range (any will do
// for the binned side).
func tenDaySample(t *testing.T) (edge.KSCase, binning.Numeric) {
	t.Helper()
	c, err := loadEdge(t).Case("ten-day sample (300 vs 240)")
	if err != nil {
		t.Fatal(err)
	}
	probs := binning.Probs(10)
	quantiles := make([]float64, len(probs))
	for i, p := range probs {
		quantiles[i] = -2 + 4*p
	}
	return c, binning.NewNumeric(probs, quantiles, 10)
}

func loadEdge(t *testing.T) edge.Fixture {
	t.Helper()
	f, err := edge.Load()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// hist counts values (with per-value counts) on the fine bins of b, with sums and extremes.
func hist(b binning.Numeric, xs, ns []float64) NumericHist {
	h := NewNumericHist(b)
	h.Min, h.Max = make([]float64, len(h.Counts)), make([]float64, len(h.Counts))
	for i, x := range xs {
		k := b.BinOf(x)
		if h.Counts[k] == 0 || x < h.Min[k] {
			h.Min[k] = x
		}
		if h.Counts[k] == 0 || x > h.Max[k] {
			h.Max[k] = x
		}
		h.Counts[k] += ns[i]
		h.Sums[k] += x * ns[i]
	}
	return h
}

func numericInput(metric string, b binning.Numeric, ref, cur NumericHist, std float64) Input {
	th, dir := DefaultThreshold(metric)
	return Input{Metric: metric, Threshold: th, Direction: dir, Type: store.Numeric, MinSamples: 1, Num: b,
		RefNum: ref, CurNum: cur, RefStd: std}
}

func value(t *testing.T, r Result) float64 {
	t.Helper()
	if r.Value == nil {
		t.Fatalf("no value: %s", r.Notice)
	}
	return *r.Value
}

// Issue 9 item 1: {0.3, 0.7, 0.9} in the reference and the same values through float32 in the current window
// is no drift: one bin per value, PSI exactly 0, and W1/σ = 5.99e-8 as scipy.stats.wasserstein_distance gives
// (not 0.53), with a binning bound that covers it.
func TestFloat32RoundTripOfADiscreteFeatureIsNoDrift(t *testing.T) {
	f := loadEdge(t).Float32
	b := binning.NewDiscrete(f.RefValues)
	ref, cur := hist(b, f.RefValues, f.Counts), hist(b, f.CurValues, f.Counts)
	if k := DetectKind(store.Numeric, b, binning.Categorical{}); k != Discrete {
		t.Fatalf("kind %q, want %q", k, Discrete)
	}
	if m, why, _ := Choose(query.MetricAuto, Discrete, true, 1000); m != query.MetricChi2 || why != "auto: numeric with few distinct values, reference rows 1000 <= 1000" {
		t.Fatalf("auto chose %s (%s)", m, why)
	}
	w := Compute(numericInput(query.MetricWasserstein, b, ref, cur, f.RefStd))
	if got := value(t, w); math.Abs(got-f.W1OverStd) > 1e-6*f.W1OverStd || *w.Drift {
		t.Fatalf("W1/σ = %.6g drift %v, want %.6g", got, *w.Drift, f.W1OverStd)
	}
	if w.Method != "binned" || w.BinningBound == nil || *w.BinningBound != 0 {
		t.Fatalf("method %q bound %v: one value per bin on both sides must bound the binning error by 0", w.Method, w.BinningBound)
	}
	for _, metric := range []string{query.MetricPSI, query.MetricJS, query.MetricLInf} {
		if got := value(t, Compute(numericInput(metric, b, ref, cur, f.RefStd))); got != 0 {
			t.Errorf("%s = %v, want 0", metric, got)
		}
	}
	if got := value(t, Compute(numericInput(query.MetricChi2, b, ref, cur, f.RefStd))); got != 1 {
		t.Errorf("chi2 p = %v, want 1", got)
	}
}

// Issue 9 item 2: a BIGINT 0/1 feature is binary like a BOOLEAN: `auto` picks the z-test on small references
// and both give scipy's two-proportion p (150/500 → 190/500: p = 0.00758, drift).
func TestBinaryIntegerFeatureGetsTheZTestLikeABoolean(t *testing.T) {
	f := loadEdge(t).Binary
	b := binning.NewDiscrete([]float64{0, 1})
	if k := DetectKind(store.Numeric, b, binning.Categorical{}); k != Binary {
		t.Fatalf("kind %q, want binary", k)
	}
	m, why, err := Choose(query.MetricAuto, Binary, true, 500)
	if err != nil || m != query.MetricZTest || why != "auto: binary, reference rows 500 <= 1000" {
		t.Fatalf("auto chose %s (%s, %v)", m, why, err)
	}
	ref := hist(b, []float64{0, 1}, []float64{f.RefN - f.RefOnes, f.RefOnes})
	cur := hist(b, []float64{0, 1}, []float64{f.CurN - f.CurOnes, f.CurOnes})
	num := Compute(numericInput(m, b, ref, cur, 0))
	if got := value(t, num); math.Abs(got-f.P) > 1e-12 || !*num.Drift || math.Abs(math.Abs(*num.Statistic)-f.Z) > 1e-12 {
		t.Fatalf("numeric z-test p %v z %v drift %v, want p %v |z| %v", got, *num.Statistic, *num.Drift, f.P, f.Z)
	}
	cat := binning.Categorical{Top: []string{"false", "true"}, Known: []string{"false", "true"}, Complete: true}
	if k := DetectKind(store.Categorical, binning.Numeric{}, cat); k != Binary {
		t.Fatalf("boolean kind %q", k)
	}
	th, dir := DefaultThreshold(m)
	boolean := Compute(Input{Metric: m, Threshold: th, Direction: dir, Type: store.Categorical, MinSamples: 1, Cat: cat,
		RefCat: CategoricalHist{Counts: []float64{f.RefN - f.RefOnes, f.RefOnes}},
		CurCat: CategoricalHist{Counts: []float64{f.CurN - f.CurOnes, f.CurOnes}}})
	if value(t, boolean) != value(t, num) {
		t.Fatalf("boolean p %v, integer p %v", value(t, boolean), value(t, num))
	}
	if _, _, err := Choose(query.MetricZTest, Discrete, true, 500); err == nil {
		t.Fatalf("ztest on three values must be refused")
	}
}

// Issue 9 item 3: with the samples' distinct values, KS is scipy's ks_2samp(method="auto") — the exact p on the
// ten-day sample (0.0356, drift) — where the fine bins give only the asymptotic p on a binned D, with its bound.
func TestKSUsesExactPValueOnSmallSamples(t *testing.T) {
	c, b := tenDaySample(t)
	in := numericInput(query.MetricKS, b, hist(b, c.RefValues, c.RefCounts), hist(b, c.CurValues, c.CurCounts), 1)
	binned := Compute(in)
	in.RefNum.Values, in.CurNum.Values = &Values{X: c.RefValues, N: c.RefCounts}, &Values{X: c.CurValues, N: c.CurCounts}
	exact := Compute(in)
	if got := value(t, exact); math.Abs(got-c.P) > 1e-9*c.P || *exact.Statistic != c.D || exact.Method != "exact" || !*exact.Drift {
		t.Fatalf("exact KS p %v D %v method %q, want p %v D %v exact", got, *exact.Statistic, exact.Method, c.P, c.D)
	}
	if binned.Method != "binned" || binned.BinningBound == nil {
		t.Fatalf("binned KS method %q bound %v", binned.Method, binned.BinningBound)
	}
	if d := *binned.Statistic; d > c.D || c.D > d+*binned.BinningBound {
		t.Fatalf("binned D %v with bound %v does not bracket the exact D %v", d, *binned.BinningBound, c.D)
	}
}

// Issue 9 item 8: `auto` decides on the reference rows with a usable value; the boundary is inclusive.
func TestAutoSwitchesAboveAThousandRows(t *testing.T) {
	for _, c := range []struct {
		rows int64
		want string
	}{{900, query.MetricKS}, {1000, query.MetricKS}, {1001, query.MetricWasserstein}} {
		if m, _, _ := Choose(query.MetricAuto, Continuous, true, c.rows); m != c.want {
			t.Errorf("%d rows: %s, want %s", c.rows, m, c.want)
		}
	}
}
