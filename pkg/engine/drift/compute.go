package drift

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/engine/stats"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Input is one feature in one window, with the reference it is compared against.
type Input struct {
	Metric     string // resolved, never auto
	Threshold  float64
	Direction  Direction
	Type       store.FeatureType
	MinSamples int

	Num            binning.Numeric
	RefNum, CurNum NumericHist
	RefStd         float64

	Cat            binning.Categorical
	RefCat, CurCat CategoricalHist
}

// Result is the score of one feature in one window. Value is nil (a null point) when the score cannot be
// computed honestly; Notice then says why. It is never NaN.
type Result struct {
	Value          *float64
	Statistic      *float64 // the test statistic behind a p-value (KS D, chi-square, z)
	Drift          *bool
	Bins           []Bin
	Contribution   []float64
	ContributionOf string
	RefRows        float64
	CurRows        float64
	Notice         string
	// Method says how the value was computed: "exact" (KS with the exact p-value, or Wasserstein, on the
	// distinct values), "asymptotic" (KS on the distinct values with the asymptotic p-value), "binned" (on
	// the fine bins), or "" for metrics that are defined on the display bins.
	Method string
	// BinningBound bounds how far a binned value can be from the same metric on the raw rows (nil where it
	// does not apply or is not known): for KS the largest fine-bin mass (a bound on D), for Wasserstein
	// stats.WassersteinBinningBound over the reference std (needs the per-bin minima and maxima).
	BinningBound *float64
}

// Values is a numeric sample as its distinct finite values X and their counts N (same length; a value may
// repeat, its counts then add).
type Values struct {
	X, N []float64
}

// Sort puts the values in increasing order (their counts with them). The store returns them in no order; the
// exact KS test and Wasserstein walk them sorted, and a window's values are scored against the reference once
// per metric, so sorting them once where they are collected saves a sort per score.
func (v *Values) Sort() {
	idx := make([]int, len(v.X))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v.X[a], v.X[b]) })
	x, n := make([]float64, len(idx)), make([]float64, len(idx))
	for i, k := range idx {
		x[i], n[i] = v.X[k], v.N[k]
	}
	v.X, v.N = x, n
}

// merge returns the values of v and o with their counts, in order of value when both are sorted, a value in both
// once with its counts added (exact: counts are integers). KS and Wasserstein count tied values together, so the
// scores are those of the two lists concatenated; a trailing reference summed from a week of windows stays as
// short as its distinct values.
func (v *Values) merge(o *Values) *Values {
	x, n := make([]float64, len(v.X)+len(o.X)), make([]float64, len(v.X)+len(o.X))
	k, i, j := -1, 0, 0
	for i < len(v.X) || j < len(o.X) {
		var vx, vn float64
		if j == len(o.X) || (i < len(v.X) && v.X[i] <= o.X[j]) {
			vx, vn = v.X[i], v.N[i]
			i++
		} else {
			vx, vn = o.X[j], o.N[j]
			j++
		}
		if k >= 0 && x[k] == vx {
			n[k] += vn
			continue
		}
		k++
		x[k], n[k] = vx, vn
	}
	return &Values{X: x[:k+1], N: n[:k+1]}
}

// Compute scores one window. Display bins (numeric: the coarse quantile bins plus a null bin; categorical: top
// categories plus other/unseen/null) carry PSI, KL, JS, Hellinger, L∞ and chi-square; KS and Wasserstein use
// the fine bins' finite values; the z-test compares the share of the first reference category.
func Compute(in Input) Result {
	var r Result
	if in.Type == store.Numeric {
		r.Bins = numericDisplay(in.Num, in.RefNum, in.CurNum)
		r.RefRows, r.CurRows = in.RefNum.Rows(), in.CurNum.Rows()
	} else {
		r.Bins = categoricalDisplay(in.Cat, in.RefCat, in.CurCat)
		r.RefRows, r.CurRows = in.RefCat.Rows(), in.CurCat.Rows()
	}
	refC, curC := make([]float64, len(r.Bins)), make([]float64, len(r.Bins))
	for i, b := range r.Bins {
		refC[i], curC[i] = b.RefCount, b.CurCount
	}
	r.Contribution, r.ContributionOf = absDiff(refC, curC), "abs_diff"
	switch {
	case r.CurRows == 0:
		r.Notice = "no rows in this window"
		return r
	case r.CurRows < float64(in.MinSamples):
		r.Notice = fmt.Sprintf("%d rows in this window, below the minimum of %d: no score", int64(r.CurRows), in.MinSamples)
		return r
	case r.RefRows < float64(in.MinSamples):
		r.Notice = fmt.Sprintf("reference has %d rows, below the minimum of %d: no score", int64(r.RefRows), in.MinSamples)
		return r
	}
	sc, err := score(in, refC, curC)
	if err != nil {
		r.Notice = err.Error()
		return r
	}
	if sc.perBin != nil {
		r.Contribution, r.ContributionOf = sc.perBin, in.Metric
	}
	value := sc.value
	if math.IsNaN(value) || math.IsInf(value, 0) {
		r.Notice = fmt.Sprintf("%s is not finite for this window", in.Metric)
		return r
	}
	r.Value, r.Statistic, r.Method, r.BinningBound = &value, sc.stat, sc.method, sc.bound
	d := value >= in.Threshold
	if in.Direction == Below {
		d = value < in.Threshold
	}
	r.Drift = &d
	return r
}

// scored is one metric's value, the test statistic where the value is a p-value, per-bin contributions where
// the metric is a sum over display bins, and how it was computed (see Result.Method, Result.BinningBound).
type scored struct {
	value  float64
	stat   *float64
	perBin []float64
	method string
	bound  *float64
}

func score(in Input, refC, curC []float64) (scored, error) {
	var sc scored
	var err error
	switch in.Metric {
	case query.MetricPSI:
		sc.value, sc.perBin, err = stats.PSI(refC, curC)
	case query.MetricKL:
		sc.value, sc.perBin, err = stats.KL(refC, curC)
	case query.MetricJS:
		sc.value, sc.perBin, err = stats.JSDistance(refC, curC)
	case query.MetricHellinger:
		sc.value, sc.perBin, err = stats.Hellinger(refC, curC)
	case query.MetricLInf:
		sc.value, sc.perBin, err = stats.LInf(refC, curC)
	case query.MetricChi2:
		var st float64
		st, sc.value, _, err = stats.ChiSquare(refC, curC)
		sc.stat = &st
	case query.MetricZTest:
		return zTest(in)
	case query.MetricKS:
		return ks(in)
	case query.MetricWasserstein:
		return wasserstein(in)
	default:
		err = fmt.Errorf("unknown metric %q", in.Metric)
	}
	return sc, err
}

// zTest compares the share of the first reference category (categorical) or of the smallest reference value
// (binary numeric) among the non-null rows.
func zTest(in Input) (scored, error) {
	var x1, n1, x2, n2 float64
	switch {
	case in.Type == store.Categorical && len(in.Cat.Top) > 0:
		x1, n1 = in.RefCat.Counts[0], in.RefCat.Rows()-in.RefCat.Null
		x2, n2 = in.CurCat.Counts[0], in.CurCat.Rows()-in.CurCat.Null
	case in.Type == store.Numeric && in.Num.Discrete():
		bin := in.Num.BinOf(in.Num.Values[0])
		x1, n1 = in.RefNum.Counts[bin], in.RefNum.Finite()
		x2, n2 = in.CurNum.Counts[bin], in.CurNum.Finite()
	default:
		return scored{}, fmt.Errorf("ztest needs a binary feature")
	}
	z, p, err := stats.ZTestProportions(x1, n1, x2, n2)
	return scored{value: p, stat: &z}, err
}

// ks is the two-sample KS test: on the distinct values when both samples came with them (exact p-value up to
// stats.KSExactMaxN rows a side), otherwise on the fine bins with the asymptotic p-value. Discrete features are
// always tested on their per-value bins, which a float32 round trip of a value cannot leave.
func ks(in Input) (scored, error) {
	if in.Type != store.Numeric {
		return scored{}, fmt.Errorf("ks needs a numeric feature")
	}
	if rv, cv := in.RefNum.Values, in.CurNum.Values; rv != nil && cv != nil && !in.Num.Discrete() {
		r, err := stats.KSTwoSample(rv.X, rv.N, cv.X, cv.N)
		method := "asymptotic"
		if r.Exact {
			method = "exact"
		}
		return scored{value: r.P, stat: &r.D, method: method}, err
	}
	d, p, err := stats.KSBinned(in.RefNum.Counts, in.CurNum.Counts)
	if err != nil {
		return scored{}, err
	}
	bound := maxMass(in.RefNum.Counts, in.CurNum.Counts)
	return scored{value: p, stat: &d, method: "binned", bound: &bound}, nil
}

// wasserstein is W1 over the reference std: on the distinct values when both samples came with them (exact),
// otherwise on the fine bins' means, with the binning bound where the bins' extremes are known.
func wasserstein(in Input) (scored, error) {
	if in.Type != store.Numeric {
		return scored{}, fmt.Errorf("wasserstein needs a numeric feature")
	}
	if in.CurNum.Finite() == 0 || in.RefNum.Finite() == 0 {
		return scored{}, fmt.Errorf("no finite values to compare")
	}
	sc := scored{method: "binned"}
	var w float64
	var err error
	if rv, cv := in.RefNum.Values, in.CurNum.Values; rv != nil && cv != nil {
		sc.method = "exact"
		w, err = stats.Wasserstein(rv.X, rv.N, cv.X, cv.N)
	} else {
		w, err = stats.Wasserstein(means(in.RefNum), in.RefNum.Counts, means(in.CurNum), in.CurNum.Counts)
	}
	if err != nil {
		return sc, err
	}
	if sc.value, err = stats.NormalisedWasserstein(w, in.RefStd); err != nil {
		return sc, err
	}
	if sc.method == "binned" && in.RefNum.Min != nil && in.CurNum.Min != nil {
		b, err := stats.WassersteinBinningBound(in.RefNum.Counts, in.RefNum.Min, in.RefNum.Max, in.CurNum.Counts, in.CurNum.Min, in.CurNum.Max)
		if err == nil {
			if nb, err := stats.NormalisedWasserstein(b, in.RefStd); err == nil {
				sc.bound = &nb
			}
		}
	}
	return sc, nil
}

// maxMass is the largest share any one bin holds in either sample (the KS binning bound of stats.KSBinned).
func maxMass(ref, cur []float64) float64 {
	m := 0.0
	for _, s := range [][]float64{ref, cur} {
		t := sum(s)
		for _, c := range s {
			if t > 0 {
				m = math.Max(m, c/t)
			}
		}
	}
	return m
}

// means are the per-bin means of finite values, the atoms Wasserstein is computed on (0 for empty bins, which
// carry no weight).
func means(h NumericHist) []float64 {
	out := make([]float64, len(h.Counts))
	for i, c := range h.Counts {
		if c > 0 {
			out[i] = finiteOrZero(h.Sums[i] / c)
		}
	}
	return out
}

func absDiff(ref, cur []float64) []float64 {
	rt, ct := sum(ref), sum(cur)
	out := make([]float64, len(ref))
	for i := range ref {
		var r, c float64
		if rt > 0 {
			r = ref[i] / rt
		}
		if ct > 0 {
			c = cur[i] / ct
		}
		out[i] = math.Abs(c - r)
	}
	return out
}
