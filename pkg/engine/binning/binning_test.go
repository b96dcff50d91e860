package binning

import (
	"reflect"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store"
)

func TestProbsNestDisplayBinsInFineBins(t *testing.T) {
	if p := Probs(10); len(p) != 99 || p[9] != 0.1 || p[98] != 0.99 {
		t.Fatalf("Probs(10) = %d probs (want the 99 fine ones, which include the deciles)", len(p))
	}
	if p := Probs(3); len(p) != 101 { // 99 fine + 1/3 and 2/3
		t.Fatalf("Probs(3) has %d probs, want 101", len(p))
	}
}

// Duplicate quantiles (a feature with ties) merge into one edge, display edges are a subset of fine edges, and
// every fine bin maps to the display bin that contains it.
func TestNewNumericMergesDuplicatesAndNests(t *testing.T) {
	probs := Probs(4)
	q := make([]float64, len(probs))
	for i, p := range probs {
		switch {
		case p < 0.5:
			q[i] = 0 // half the reference is exactly 0
		default:
			q[i] = float64(int(p*100)) / 10
		}
	}
	b := NewNumeric(probs, q, 4)
	if want := []float64{0, 5, 7.5}; !reflect.DeepEqual(b.Coarse, want) {
		t.Fatalf("coarse edges %v, want %v (0 at 1/4 and 2/4 merged... then 5, 7.5)", b.Coarse, want)
	}
	for i := 1; i < len(b.Fine); i++ {
		if b.Fine[i] <= b.Fine[i-1] {
			t.Fatalf("fine edges not strictly increasing: %v", b.Fine)
		}
	}
	for i, c := range b.CoarseOf {
		lo := -1e300
		if i > 0 {
			lo = b.Fine[i-1]
		}
		if c > 0 && lo < b.Coarse[c-1] || c < len(b.Coarse) && lo >= b.Coarse[c] {
			t.Fatalf("fine bin %d (from %v) mapped to display bin %d of %v", i, lo, c, b.Coarse)
		}
	}
	if none := NewNumeric(probs, nil, 4); len(none.Fine) != 0 || len(none.CoarseOf) != 1 {
		t.Fatalf("no quantiles must give one unbounded bin, got %+v", none)
	}
}

func TestNewCategoricalTopKAndCompleteness(t *testing.T) {
	var cats []store.CategoryCount
	for i := 0; i < 25; i++ {
		cats = append(cats, store.CategoryCount{Value: string(rune('a' + i)), Count: int64(100 - i)})
	}
	c := NewCategorical(store.CategoricalProfile{Categories: cats, Distinct: 25})
	if len(c.Top) != TopK || len(c.Known) != 25 || !c.Complete {
		t.Fatalf("top %d known %d complete %v", len(c.Top), len(c.Known), c.Complete)
	}
	if c := NewCategorical(store.CategoricalProfile{Categories: cats, Distinct: 5000}); c.Complete {
		t.Fatalf("a reference with more categories than fetched cannot tell unseen from other")
	}
}
