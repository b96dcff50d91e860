package stats

import (
	"errors"
	"math"
	"testing"

	"github.com/aiops/modelmonitor/test/fixtures/edge"
)

func loadEdgeFixture(t *testing.T) edge.Fixture {
	t.Helper()
	f, err := edge.Load()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// KSTwoSample equals scipy.stats.ks_2samp(method="auto") on the expanded samples: the exact p-value up to
// 10000 rows a side (equal and unequal sizes, ties, D = 0 and D = 1), and above it the asymptotic Kolmogorov p.
func TestKSTwoSampleMatchesSciPy(t *testing.T) {
	f := loadEdgeFixture(t)
	if f.MaxAutoN != KSExactMaxN {
		t.Fatalf("fixture max_auto_n %d, KSExactMaxN %d", f.MaxAutoN, KSExactMaxN)
	}
	for _, c := range f.KS {
		t.Run(c.Name, func(t *testing.T) {
			got, err := KSTwoSample(c.RefValues, c.RefCounts, c.CurValues, c.CurCounts)
			if err != nil {
				t.Fatal(err)
			}
			if got.Exact != c.Exact {
				t.Fatalf("exact = %v, want %v", got.Exact, c.Exact)
			}
			if math.Abs(got.D-c.D) > 1e-12 {
				t.Fatalf("D = %.17g, want %.17g", got.D, c.D)
			}
			if !near(got.P, c.P, 1e-9, 1e-300) {
				t.Fatalf("p = %.17g, want %.17g", got.P, c.P)
			}
		})
	}
}

// Counts may arrive unsorted and with a value repeated (two store rows for one value); the result is the
// same as for the merged sample.
func TestKSTwoSampleUnsortedAndRepeatedValues(t *testing.T) {
	a, err := KSTwoSample([]float64{3, 1, 2, 1}, []float64{1, 2, 4, 3}, []float64{2, 4}, []float64{5, 5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := KSTwoSample([]float64{1, 2, 3}, []float64{5, 4, 1}, []float64{2, 4}, []float64{5, 5})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("unsorted %+v, merged %+v", a, b)
	}
	// F_ref(1) = 5/10, F_cur(1) = 0: D = 1/2 (hand-derived).
	if a.D != 0.5 {
		t.Fatalf("D = %v, want 0.5", a.D)
	}
}

func TestKSTwoSampleRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		name           string
		rv, rc, cv, cc []float64
		want           error
	}{
		{"fractional count", []float64{1}, []float64{0.5}, []float64{1}, []float64{1}, ErrInvalidCount},
		{"NaN value", []float64{math.NaN()}, []float64{1}, []float64{1}, []float64{1}, ErrInvalidArgument},
		{"empty current", []float64{1}, []float64{1}, nil, nil, ErrEmpty},
		{"zero total", []float64{1}, []float64{0}, []float64{1}, []float64{1}, ErrZeroTotal},
		{"length mismatch", []float64{1, 2}, []float64{1}, []float64{1}, []float64{1}, ErrLengthMismatch},
	} {
		if _, err := KSTwoSample(c.rv, c.rc, c.cv, c.cc); !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
}
