package drift

import (
	"fmt"
	"math"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
)

// NumericHist is one sample of a numeric feature on fine bins: per-bin counts and sums of values, plus the rows
// whose value is missing (Null) or NaN/±Inf (NonFinite). Min and Max, where the store supplies them, are the
// per-bin extreme values (entries of empty bins are ignored); nil when unknown. Values, where the store lists
// them (small samples), are the sample's distinct finite values with their counts; nil otherwise.
type NumericHist struct {
	Counts    []float64
	Sums      []float64
	Min, Max  []float64
	Values    *Values
	Null      float64
	NonFinite float64
}

// NewNumericHist returns an empty histogram on the bins of b.
func NewNumericHist(b binning.Numeric) NumericHist {
	n := len(b.Fine) + 1
	return NumericHist{Counts: make([]float64, n), Sums: make([]float64, n)}
}

// SumNumeric is the histogram of the samples hs together, on the bins of b (a trailing reference sums its
// windows). The extremes and the distinct values stay known only when every non-empty sample knows them; the
// samples' values (each sorted: Values.Sort) are merged in order, the counts of a value in several samples added.
func SumNumeric(b binning.Numeric, hs ...NumericHist) NumericHist {
	h := NewNumericHist(b)
	for _, o := range hs {
		h.add(o)
	}
	return h
}

// add accumulates another histogram on the same bins.
func (h *NumericHist) add(o NumericHist) {
	switch {
	case o.Finite() == 0:
	case h.Finite() == 0 && o.Values != nil:
		h.Values = &Values{X: append([]float64(nil), o.Values.X...), N: append([]float64(nil), o.Values.N...)}
	case h.Values == nil || o.Values == nil:
		h.Values = nil
	default:
		h.Values = h.Values.merge(o.Values)
	}
	switch {
	case o.Finite() == 0:
	case h.Finite() == 0 && o.Min != nil:
		h.Min, h.Max = append([]float64(nil), o.Min...), append([]float64(nil), o.Max...)
	case h.Min == nil || o.Min == nil:
		h.Min, h.Max = nil, nil
	default:
		for i, c := range o.Counts {
			if c == 0 {
				continue
			}
			if h.Counts[i] == 0 {
				h.Min[i], h.Max[i] = o.Min[i], o.Max[i]
			} else {
				h.Min[i], h.Max[i] = math.Min(h.Min[i], o.Min[i]), math.Max(h.Max[i], o.Max[i])
			}
		}
	}
	for i := range h.Counts {
		h.Counts[i] += o.Counts[i]
		h.Sums[i] += o.Sums[i]
	}
	h.Null += o.Null
	h.NonFinite += o.NonFinite
}

// Finite is the number of rows with a finite value.
func (h NumericHist) Finite() float64 { return sum(h.Counts) }

// Rows is the number of rows, finite or not.
func (h NumericHist) Rows() float64 { return h.Finite() + h.Null + h.NonFinite }

// CategoricalHist is one sample of a categorical feature: counts of the top categories (in binning order), of
// the reference's other categories, of values never seen in the reference, and of nulls.
type CategoricalHist struct {
	Counts []float64
	Other  float64
	Unseen float64
	Null   float64
}

// NewCategoricalHist returns an empty histogram for the categories of b.
func NewCategoricalHist(b binning.Categorical) CategoricalHist {
	return CategoricalHist{Counts: make([]float64, len(b.Top))}
}

// Add accumulates another histogram on the same categories.
func (h *CategoricalHist) Add(o CategoricalHist) {
	for i := range h.Counts {
		h.Counts[i] += o.Counts[i]
	}
	h.Other += o.Other
	h.Unseen += o.Unseen
	h.Null += o.Null
}

// Rows is the number of rows including nulls.
func (h CategoricalHist) Rows() float64 { return sum(h.Counts) + h.Other + h.Unseen + h.Null }

// Bin is one display bin of a distribution: its label and, for numeric bins, its edges (nil = infinite).
type Bin struct {
	Label        string
	Lower, Upper *float64
	RefCount     float64
	CurCount     float64
}

// numericDisplay merges fine bins into the coarse display bins and appends a "(null)" bin (missing and
// non-finite values) when either sample has any: null shares are a drift signal, not noise to drop.
func numericDisplay(b binning.Numeric, ref, cur NumericHist) []Bin {
	bins := make([]Bin, len(b.Coarse)+1)
	for i := range bins {
		if i > 0 {
			lo := b.Coarse[i-1]
			bins[i].Lower = &lo
		}
		if i < len(b.Coarse) {
			hi := b.Coarse[i]
			bins[i].Upper = &hi
		}
		bins[i].Label = intervalLabel(bins[i].Lower, bins[i].Upper)
	}
	for i, c := range b.CoarseOf {
		bins[c].RefCount += ref.Counts[i]
		bins[c].CurCount += cur.Counts[i]
	}
	if rn, cn := ref.Null+ref.NonFinite, cur.Null+cur.NonFinite; rn+cn > 0 {
		bins = append(bins, Bin{Label: "(null)", RefCount: rn, CurCount: cn})
	}
	return bins
}

// categoricalDisplay lists the top categories, then "(other)", "(unseen)" and "(null)" where either sample has
// any rows there.
func categoricalDisplay(b binning.Categorical, ref, cur CategoricalHist) []Bin {
	bins := make([]Bin, 0, len(b.Top)+3)
	for i, c := range b.Top {
		bins = append(bins, Bin{Label: c, RefCount: ref.Counts[i], CurCount: cur.Counts[i]})
	}
	for _, sp := range []struct {
		label    string
		ref, cur float64
	}{{"(other)", ref.Other, cur.Other}, {"(unseen)", ref.Unseen, cur.Unseen}, {"(null)", ref.Null, cur.Null}} {
		if sp.ref+sp.cur > 0 {
			bins = append(bins, Bin{Label: sp.label, RefCount: sp.ref, CurCount: sp.cur})
		}
	}
	return bins
}

func intervalLabel(lo, hi *float64) string {
	f := func(p *float64, inf string) string {
		if p == nil {
			return inf
		}
		return fmt.Sprintf("%.4g", *p)
	}
	open := "["
	if lo == nil {
		open = "("
	}
	return open + f(lo, "-inf") + ", " + f(hi, "inf") + ")"
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func finiteOrZero(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
