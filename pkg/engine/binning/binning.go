// Package binning turns a reference profile into bins: numeric features on reference quantiles, categorical
// features on the reference's most frequent categories. Bins come from the reference only, so a reference is
// summarised once and cached, and every window is counted on the same bins.
package binning

import (
	"math"
	"sort"

	"github.com/aiops/modelmonitor/pkg/store"
)

// FineBins is the number of quantile bins used for KS and Wasserstein. whylogs raised its KS buckets from 9 to
// 100 after users saw p-values swing on identical data; with 100 reference-quantile bins the binned KS statistic
// is within one bin's mass (≈1 %) of the exact one.
const FineBins = 100

// TopK is how many categories keep their own bin; the rest of the reference's categories share "(other)".
const TopK = 20

// CategoryCap bounds how many reference categories are fetched per feature. With at most this many distinct
// reference categories a current value outside them is "(unseen)"; beyond it unseen and other cannot be told
// apart and share "(other)".
const CategoryCap = 1000

// Probs returns the sorted, de-duplicated quantile probabilities needed for fine bins and for `bins` display bins.
func Probs(bins int) []float64 {
	set := map[int64]float64{}
	add := func(p float64) { set[int64(math.Round(p*1e12))] = p }
	for i := 1; i < FineBins; i++ {
		add(float64(i) / FineBins)
	}
	for j := 1; j < bins; j++ {
		add(float64(j) / float64(bins))
	}
	out := make([]float64, 0, len(set))
	for _, p := range set {
		out = append(out, p)
	}
	sort.Float64s(out)
	return out
}

// Numeric is the binning of one numeric feature. Fine bin i holds Fine[i-1] <= v < Fine[i] (outer edges −∞,
// +∞); Coarse edges are a subset of Fine edges, so each fine bin lies inside one coarse bin: CoarseOf[i].
// Values lists the distinct reference values (ascending) of a discrete feature (NewDiscrete), nil otherwise.
type Numeric struct {
	Fine     []float64
	Coarse   []float64
	CoarseOf []int
	Values   []float64
}

// Discrete reports whether the feature is binned one bin per reference value (NewDiscrete).
func (n Numeric) Discrete() bool { return n.Values != nil }

// NewNumeric builds the bins from the reference quantiles at probs (as returned by Probs(bins)). Duplicate edges
// (ties, constant features) are merged; NaN quantiles (no finite reference values) give no edges.
func NewNumeric(probs, quantiles []float64, bins int) Numeric {
	var fine, coarse []float64
	for i, p := range probs {
		if i >= len(quantiles) || math.IsNaN(quantiles[i]) || math.IsInf(quantiles[i], 0) {
			continue
		}
		q := quantiles[i]
		fine = appendUnique(fine, q)
		if isMultiple(p, bins) {
			coarse = appendUnique(coarse, q)
		}
	}
	n := Numeric{Fine: fine, Coarse: coarse, CoarseOf: make([]int, len(fine)+1)}
	for i := range n.CoarseOf {
		if i == 0 {
			continue
		}
		lower := fine[i-1]
		n.CoarseOf[i] = sort.Search(len(coarse), func(k int) bool { return coarse[k] > lower })
	}
	return n
}

// isMultiple reports whether p is j/bins for an integer j.
func isMultiple(p float64, bins int) bool {
	x := p * float64(bins)
	return math.Abs(x-math.Round(x)) < 1e-9
}

// appendUnique appends q to a sorted slice unless it equals the last element (quantiles are non-decreasing).
func appendUnique(s []float64, q float64) []float64 {
	if len(s) > 0 && s[len(s)-1] >= q {
		return s
	}
	return append(s, q)
}

// Categorical is the binning of one categorical feature.
type Categorical struct {
	Top      []string
	Known    []string
	Complete bool
}

// NewCategorical keeps the TopK most frequent reference categories as bins and remembers every profiled
// category, so current values outside them can be counted as unseen.
func NewCategorical(p store.CategoricalProfile) Categorical {
	c := Categorical{Complete: p.Distinct <= int64(len(p.Categories))}
	for i, cc := range p.Categories {
		if i < TopK {
			c.Top = append(c.Top, cc.Value)
		}
		c.Known = append(c.Known, cc.Value)
	}
	return c
}
