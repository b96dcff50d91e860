package binning

import (
	"math"
	"sort"
)

// DiscreteMax is the largest number of distinct finite reference values for which a numeric feature is treated
// as discrete: every value gets its own bin and `auto` tests it as a categorical (two values: z-test for
// proportions). It is Evidently's rule — its default drift test treats a numerical column with at most 5 unique
// values as categorical (chi-square, z-test for two values, Jensen–Shannon above 1000 rows). Evidently counts
// the unique values of reference and current together; ours counts the reference's only, so bins never depend
// on the window they score.
const DiscreteMax = 5

// Cut is one reference quantile with the two distinct reference values around it:
//
//	Lower = s[⌊p·(n−1)⌋], the order statistic numpy's linear quantile interpolates from (s = sorted values)
//	Next  = the smallest reference value greater than Lower (NaN when Lower is the maximum)
//
// No reference value lies strictly between Lower and Next.
type Cut struct {
	Lower, Next float64
}

// Edge is where the cut places a bin edge: halfway between Lower and Next, so no edge ever sits on a data
// value and a value moved by a float32 round trip (a relative 6e-8) stays in its bin unless two distinct
// reference values are that close. ok is false for a cut at the maximum (no value above it) or a non-finite one.
func (c Cut) Edge() (float64, bool) {
	if !isFinite(c.Lower) || !isFinite(c.Next) || c.Next <= c.Lower {
		return 0, false
	}
	return c.Lower + (c.Next-c.Lower)/2, true
}

// NewBetween builds the bins of a continuous numeric feature from the cuts at probs (as returned by
// Probs(bins)): fine and display edges are the cuts' Edge()s, so each reference value falls in the same bin as
// on the quantile edges while no edge sits on a value. A value at the edge of today's quantile rule (a tie
// spanning the quantile) lands in the lower bin. Duplicate edges merge; cuts without an edge are skipped.
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
