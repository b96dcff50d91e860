package binning

import (
	"math"
	"reflect"
	"sort"
	"testing"
)

// cutsOf is the definition of Cut computed directly from a sorted sample (the store computes the same in SQL).
func cutsOf(sorted, probs []float64) []Cut {
	out := make([]Cut, len(probs))
	for i, p := range probs {
		k := int(math.Floor(p * float64(len(sorted)-1)))
		j := sort.Search(len(sorted), func(j int) bool { return sorted[j] > sorted[k] })
		out[i] = Cut{Lower: sorted[k], Next: math.NaN()}
		if j < len(sorted) {
			out[i].Next = sorted[j]
		}
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

func TestCutEdgeIsHalfwayBetweenDistinctValues(t *testing.T) {
	if e, ok := (Cut{Lower: 0.3, Next: 0.7}).Edge(); !ok || e != 0.5 {
		t.Fatalf("edge %v %v, want 0.5", e, ok)
	}
	for _, c := range []Cut{{Lower: 0.9, Next: math.NaN()}, {Lower: 1, Next: 1}, {Lower: math.Inf(-1), Next: 0}} {
		if _, ok := c.Edge(); ok {
			t.Fatalf("%+v must give no edge", c)
		}
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
	if want := []float64{0.5, 0.8}; !reflect.DeepEqual(b.Fine, want) || !reflect.DeepEqual(b.Coarse, want) {
		t.Fatalf("edges fine %v coarse %v, want %v", b.Fine, b.Coarse, want)
	}
	if rc, cc := counts(b, ref), counts(b, cur); !reflect.DeepEqual(rc, cc) || !reflect.DeepEqual(rc, []int{400, 350, 250}) {
		t.Fatalf("reference counts %v, current counts %v, want both [400 350 250]", rc, cc)
	}
}

// A tie spanning a quantile (half the reference is 0): the edge goes halfway to the next value instead of onto
// the atom, and reference membership is the same as "value <= Lower" for every cut.
func TestBetweenEdgesWithTies(t *testing.T) {
	ref := []float64{0, 0, 0, 0, 0, 1, 2, 3, 4, 5}
	probs := []float64{0.3, 0.5, 0.75}
	b := NewBetween(probs, cutsOf(ref, probs), 4)
	// 0.3: s[2] = 0 → (0+1)/2; 0.5: s[4] = 0 → 0.5 again (merged); 0.75: s[6] = 2 → 2.5
	if want := []float64{0.5, 2.5}; !reflect.DeepEqual(b.Fine, want) {
		t.Fatalf("fine edges %v, want %v", b.Fine, want)
	}
	if got := counts(b, ref); !reflect.DeepEqual(got, []int{5, 2, 3}) {
		t.Fatalf("counts %v, want [5 2 3]", got)
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
