package binning

import (
	"math"
	"sort"

	"github.com/aiops/modelmonitor/pkg/store"
)

// DiscreteMax is the largest number of distinct finite reference values for which a numeric feature is treated
// as discrete: every value gets its own bin and `auto` tests it as a categorical (two values: z-test for
// proportions). It is Evidently's rule — its default drift test treats a numerical column with at most 5 unique
// values as categorical (chi-square, z-test for two values, Jensen–Shannon above 1000 rows). Evidently counts
// the unique values of reference and current together; ours counts the reference's only, so bins never depend
// on the window they score. The store lists the values of exactly such features (store.DistinctValuesCap).
const DiscreteMax = store.DistinctValuesCap

// NewFromProfile bins a numeric feature from its reference profile: discrete (NewDiscrete) when it has at most
// DiscreteMax distinct finite values, else on the cuts at probs (NewBetween). No finite value: one bin.
func NewFromProfile(p store.NumericProfile, probs []float64, bins int) Numeric {
	if p.Distinct > 0 && p.Distinct <= DiscreteMax && len(p.Values) == int(p.Distinct) {
		return NewDiscrete(p.Values)
	}
	cuts := make([]Cut, min(len(p.Lower), len(p.Upper)))
	for i := range cuts {
		cuts[i] = Cut{Lower: p.Lower[i], Upper: p.Upper[i]}
	}
	return NewBetween(probs, cuts, bins)
}

// Cut is one reference quantile as the two order statistics numpy's linear quantile interpolates between:
//
//	Lower = s[k], Upper = s[k+1], k = ⌊p·(n−1)⌋   (s = the sorted finite reference values; Upper = Lower at k = n−1)
//
// No reference value lies strictly between Lower and Upper.
type Cut struct {
	Lower, Upper float64
}

// TieMargin is how far below a tied value (Lower == Upper: the quantile falls inside a run of equal values) its
// edge is placed, relative to the value: 1e-6, far above a float32 round trip's relative change (2^-24 ≈ 6e-8)
// and far below the spacing of real measurements. A tie at 0 gets the largest double below 0 (0 survives float32
// exactly).
const TieMargin = 1e-6

// Edge is where the cut places a bin edge, never on a reference value: halfway between Lower and Upper when they
// differ (each reference value stays in the bin it has on the quantile edge), and just below a tied value (the
// value stays in the upper bin, as on the quantile edge) by TieMargin. A value moved by a float32 round trip
// therefore stays in its bin unless two distinct reference values are that close. ok is false for a non-finite cut.
func (c Cut) Edge() (float64, bool) {
	switch {
	case !isFinite(c.Lower) || !isFinite(c.Upper) || c.Upper < c.Lower:
		return 0, false
	case c.Upper > c.Lower:
		return c.Lower + (c.Upper-c.Lower)/2, true
	case c.Lower == 0:
		return -math.SmallestNonzeroFloat64, true
	}
	return c.Lower - TieMargin*math.Abs(c.Lower), true
}

// NewBetween builds the bins of a continuous numeric feature from the cuts at probs (as returned by
// Probs(bins)): fine and display edges are the cuts' Edge()s, so every reference value is in the same bin as on
// the quantile edges while no edge sits on a value. Duplicate edges merge; non-finite cuts are skipped.
func NewBetween(probs []float64, cuts []Cut, bins int) Numeric {
	edges := make([]float64, len(probs))
	for i := range probs {
		edges[i] = math.NaN()
		if i < len(cuts) {
			if e, ok := cuts[i].Edge(); ok {
				edges[i] = e
			}
		}
	}
	return NewNumeric(probs, edges, bins)
}

// NewDiscrete builds the bins of a discrete numeric feature from its distinct finite reference values (any
// order; at most DiscreteMax of them in use): one bin per value, edges halfway between neighbours, and one
// outer edge on each side half a neighbouring gap away, so a value the reference never had lands in an
// empty outer bin (new values are a signal) while a float32 round trip of a known value stays in its bin.
// A single value v gets outer edges v ± max(|v|, 1)/2. Values holds the sorted distinct values; fine and
// display bins are the same.
func NewDiscrete(values []float64) Numeric {
	vs := append([]float64(nil), values...)
	sort.Float64s(vs)
	vs = uniqueFinite(vs)
	if len(vs) == 0 {
		return NewNumeric(nil, nil, 1)
	}
	var edges []float64
	if len(vs) == 1 {
		half := math.Max(math.Abs(vs[0]), 1) / 2
		edges = []float64{vs[0] - half, vs[0] + half}
	} else {
		edges = append(edges, vs[0]-(vs[1]-vs[0])/2)
		for i := 1; i < len(vs); i++ {
			edges = append(edges, vs[i-1]+(vs[i]-vs[i-1])/2)
		}
		last := len(vs) - 1
		edges = append(edges, vs[last]+(vs[last]-vs[last-1])/2)
	}
	n := Numeric{Fine: edges, Coarse: edges, CoarseOf: make([]int, len(edges)+1), Values: vs}
	for i := range n.CoarseOf {
		n.CoarseOf[i] = i
	}
	return n
}

// BinOf is the fine bin of v: i such that Fine[i−1] <= v < Fine[i].
func (n Numeric) BinOf(v float64) int {
	return sort.Search(len(n.Fine), func(i int) bool { return n.Fine[i] > v })
}

func uniqueFinite(sorted []float64) []float64 {
	out := sorted[:0]
	for _, v := range sorted {
		if isFinite(v) && (len(out) == 0 || out[len(out)-1] != v) {
			out = append(out, v)
		}
	}
	return out
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
