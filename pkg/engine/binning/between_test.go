package binning

import (
	"math"
	"reflect"
	"testing"
)

// cutsOf is the definition of Cut computed from a sorted sample (the store computes the same in SQL).
func cutsOf(sorted, probs []float64) []Cut {
	out := make([]Cut, len(probs))
	for i, p := range probs {
		k := int(math.Floor(p * float64(len(sorted)-1)))
		out[i] = Cut{Lower: sorted[k], Upper: sorted[min(k+1, len(sorted)-1)]}
	}
	return out
}

func repeat(values []float64, counts []int) []float64 {
	var out []float64
	for i, v := range values {
		for j := 0; j < counts[i]; j++ {
			out = append(out, v)
		}
	}
	return out
}

func counts(b Numeric, xs []float64) []int {
	c := make([]int, len(b.Fine)+1)
	for _, x := range xs {
		c[b.BinOf(x)]++
	}
	return c
}

func float32Trip(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(float32(x))
	}
	return out
}

func TestCutEdgeNeverOnAValue(t *testing.T) {
	for _, c := range []struct {
		cut  Cut
		want float64
	}{
		{Cut{0.3, 0.7}, 0.5},
		{Cut{0.7, 0.7}, 0.7 - 0.7e-6},
		{Cut{-2, -2}, -2 - 2e-6},
		{Cut{0, 0}, -math.SmallestNonzeroFloat64},
	} {
		if e, ok := c.cut.Edge(); !ok || math.Abs(e-c.want) > 1e-15 || e == c.cut.Lower {
			t.Errorf("%+v: edge %v %v, want %v", c.cut, e, ok, c.want)
		}
	}
	for _, c := range []Cut{{0.9, math.NaN()}, {1, 0.5}, {math.Inf(-1), 0}} {
		if _, ok := c.Edge(); ok {
			t.Errorf("%+v must give no edge", c)
		}
	}
	// A tied value and its float32 round trip (either direction) stay above the edge.
	e, _ := Cut{0.7, 0.7}.Edge()
	if v32 := float64(float32(0.7)); v32 >= 0.7 || v32 < e {
		t.Fatalf("float32(0.7) = %v must be below 0.7 and above the edge %v", v32, e)
	}
}

// The example through the continuous rule: 1000 values on three atoms, where numpy's quantiles sit
// exactly on 0.3, 0.7 and 0.9. On quantile edges a float32 round trip (0.7 → 0.699999988) moves the whole 0.7
// atom into the bin below; on edges between distinct values every count is unchanged.
func TestBetweenEdgesSurviveFloat32RoundTrip(t *testing.T) {
	ref := repeat([]float64{0.3, 0.7, 0.9}, []int{400, 350, 250})
	cur := float32Trip(ref)
	probs := Probs(10)
	quantileEdges := make([]float64, len(probs))
	for i, p := range probs { // numpy linear quantiles of ref
		h := p * float64(len(ref)-1)
		lo := int(math.Floor(h))
		quantileEdges[i] = ref[lo] + (h-float64(lo))*(ref[min(lo+1, len(ref)-1)]-ref[lo])
	}
	old := NewNumeric(probs, quantileEdges, 10)
	if reflect.DeepEqual(counts(old, ref), counts(old, cur)) {
		t.Fatalf("precondition: quantile edges %v were expected to split the round-tripped atoms", old.Fine)
	}
	b := NewBetween(probs, cutsOf(ref, probs), 10)
	// ties inside each atom put an edge just below it; the steps between atoms put edges halfway
	want := []float64{0.3 - 0.3e-6, 0.5, 0.7 - 0.7e-6, 0.8, 0.9 - 0.9e-6}
	wantCoarse := []float64{0.3 - 0.3e-6, 0.5, 0.7 - 0.7e-6, 0.9 - 0.9e-6} // no decile falls between 0.7 and 0.9
	if !slicesClose(b.Fine, want, 1e-15) || !slicesClose(b.Coarse, wantCoarse, 1e-15) {
		t.Fatalf("edges fine %v coarse %v, want %v and %v", b.Fine, b.Coarse, want, wantCoarse)
	}
	if rc, cc := counts(b, ref), counts(b, cur); !reflect.DeepEqual(rc, cc) || !reflect.DeepEqual(rc, []int{0, 400, 0, 350, 0, 250}) {
		t.Fatalf("reference counts %v, current counts %v, want both [0 400 0 350 0 250]", rc, cc)
	}
}

// A tie spanning a quantile (half the reference is 0): the edge goes just below the atom instead of onto it,
// and every reference value is in the bin it has on numpy's quantile edges (0, 0.5, 2.25).
func TestBetweenEdgesWithTies(t *testing.T) {
	ref := []float64{0, 0, 0, 0, 0, 1, 2, 3, 4, 5}
	probs := []float64{0.3, 0.5, 0.75}
	b := NewBetween(probs, cutsOf(ref, probs), 4)
	// 0.3: s[2] = s[3] = 0, a tie → just below 0; 0.5: s[4] = 0, s[5] = 1 → 0.5; 0.75: s[6] = 2, s[7] = 3 → 2.5
	if want := []float64{-math.SmallestNonzeroFloat64, 0.5, 2.5}; !reflect.DeepEqual(b.Fine, want) {
		t.Fatalf("fine edges %v, want %v", b.Fine, want)
	}
	if got, onQuantiles := counts(b, ref), counts(NewNumeric(probs, []float64{0, 0.5, 2.25}, 4), ref); !reflect.DeepEqual(got, []int{0, 5, 2, 3}) || !reflect.DeepEqual(got, onQuantiles) {
		t.Fatalf("counts %v (on quantile edges %v), want [0 5 2 3]", got, onQuantiles)
	}
}

func TestNewDiscreteOneBinPerValue(t *testing.T) {
	b := NewDiscrete([]float64{0.9, 0.3, 0.7, 0.3, math.NaN()})
	if want := []float64{0.1, 0.5, 0.8, 1.0}; !slicesClose(b.Fine, want, 1e-15) || !reflect.DeepEqual(b.Coarse, b.Fine) {
		t.Fatalf("edges %v / %v, want %v", b.Fine, b.Coarse, want)
	}
	if !b.Discrete() || !reflect.DeepEqual(b.Values, []float64{0.3, 0.7, 0.9}) || !reflect.DeepEqual(b.CoarseOf, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("discrete %v values %v coarseOf %v", b.Discrete(), b.Values, b.CoarseOf)
	}
	ref := repeat([]float64{0.3, 0.7, 0.9}, []int{400, 350, 250})
	if rc, cc := counts(b, ref), counts(b, float32Trip(ref)); !reflect.DeepEqual(rc, cc) || !reflect.DeepEqual(rc, []int{0, 400, 350, 250, 0}) {
		t.Fatalf("counts ref %v cur %v", rc, cc)
	}
	if got := counts(b, []float64{1.2, -5}); !reflect.DeepEqual(got, []int{1, 0, 0, 0, 1}) {
		t.Fatalf("values the reference never had must land in the outer bins, got %v", got)
	}
	if one := NewDiscrete([]float64{4}); !reflect.DeepEqual(one.Fine, []float64{2, 6}) {
		t.Fatalf("single value edges %v, want [2 6]", one.Fine)
	}
	if none := NewDiscrete(nil); none.Discrete() || len(none.Fine) != 0 {
		t.Fatalf("no values: %+v", none)
	}
}

func slicesClose(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}
