package drift

import (
	"fmt"
	"math"

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
	value, stat, perBin, err := score(in, refC, curC)
	if err != nil {
		r.Notice = err.Error()
		return r
	}
	if perBin != nil {
		r.Contribution, r.ContributionOf = perBin, in.Metric
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		r.Notice = fmt.Sprintf("%s is not finite for this window", in.Metric)
		return r
	}
	r.Value, r.Statistic = &value, stat
	d := value >= in.Threshold
	if in.Direction == Below {
		d = value < in.Threshold
	}
	r.Drift = &d
	return r
}

// score returns the metric value, the test statistic where the value is a p-value, and per-bin contributions
// where the metric is a sum over display bins.
func score(in Input, refC, curC []float64) (float64, *float64, []float64, error) {
	switch in.Metric {
	case query.MetricPSI:
		v, per, err := stats.PSI(refC, curC)
		return v, nil, per, err
	case query.MetricKL:
		v, per, err := stats.KL(refC, curC)
		return v, nil, per, err
	case query.MetricJS:
		v, per, err := stats.JSDistance(refC, curC)
		return v, nil, per, err
	case query.MetricHellinger:
		v, per, err := stats.Hellinger(refC, curC)
		return v, nil, per, err
	case query.MetricLInf:
		v, per, err := stats.LInf(refC, curC)
		return v, nil, per, err
	case query.MetricChi2:
		st, p, _, err := stats.ChiSquare(refC, curC)
		return p, &st, nil, err
	case query.MetricZTest:
		return zTest(in)
	case query.MetricKS:
		if in.Type != store.Numeric {
			return 0, nil, nil, fmt.Errorf("ks needs a numeric feature")
		}
		d, p, err := stats.KSBinned(in.RefNum.Counts, in.CurNum.Counts)
		return p, &d, nil, err
	case query.MetricWasserstein:
		return wasserstein(in)
	}
	return 0, nil, nil, fmt.Errorf("unknown metric %q", in.Metric)
}

func zTest(in Input) (float64, *float64, []float64, error) {
	if in.Type != store.Categorical || len(in.Cat.Top) == 0 {
		return 0, nil, nil, fmt.Errorf("ztest needs a binary categorical feature")
	}
	refN := in.RefCat.Rows() - in.RefCat.Null
	curN := in.CurCat.Rows() - in.CurCat.Null
	z, p, err := stats.ZTestProportions(in.RefCat.Counts[0], refN, in.CurCat.Counts[0], curN)
	return p, &z, nil, err
}

func wasserstein(in Input) (float64, *float64, []float64, error) {
	if in.Type != store.Numeric {
		return 0, nil, nil, fmt.Errorf("wasserstein needs a numeric feature")
	}
	if in.CurNum.Finite() == 0 || in.RefNum.Finite() == 0 {
		return 0, nil, nil, fmt.Errorf("no finite values to compare")
	}
	w, err := stats.Wasserstein(means(in.RefNum), in.RefNum.Counts, means(in.CurNum), in.CurNum.Counts)
	if err != nil {
		return 0, nil, nil, err
	}
	nw, err := stats.NormalisedWasserstein(w, in.RefStd)
	return nw, nil, nil, err
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
