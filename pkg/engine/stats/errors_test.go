package stats

import (
	"errors"
	"math"
	"testing"
)

func TestInvalidInputErrors(t *testing.T) {
	good := []float64{1, 2, 3}
	cases := []struct {
		name     string
		ref, cur []float64
		want     error
	}{
		{"length mismatch", good, []float64{1, 2}, ErrLengthMismatch},
		{"empty", nil, nil, ErrEmpty},
		{"negative", good, []float64{1, -2, 3}, ErrInvalidCount},
		{"NaN", []float64{1, math.NaN(), 3}, good, ErrInvalidCount},
		{"Inf", good, []float64{1, math.Inf(1), 3}, ErrInvalidCount},
		{"all zero", []float64{0, 0, 0}, good, ErrZeroTotal},
		{"overflowing total", []float64{math.MaxFloat64, math.MaxFloat64, 1}, good, ErrZeroTotal},
	}
	fns := map[string]func(r, c []float64) error{
		"PSI":        func(r, c []float64) error { _, _, err := PSI(r, c); return err },
		"KL":         func(r, c []float64) error { _, _, err := KL(r, c); return err },
		"JSDistance": func(r, c []float64) error { _, _, err := JSDistance(r, c); return err },
		"Hellinger":  func(r, c []float64) error { _, _, err := Hellinger(r, c); return err },
		"LInf":       func(r, c []float64) error { _, _, err := LInf(r, c); return err },
		"ChiSquare":  func(r, c []float64) error { _, _, _, err := ChiSquare(r, c); return err },
		"KSBinned":   func(r, c []float64) error { _, _, err := KSBinned(r, c); return err },
		"Wasserstein": func(r, c []float64) error {
			_, err := Wasserstein(make([]float64, len(r)), r, make([]float64, len(c)), c)
			return err
		},
	}
	for fname, fn := range fns {
		for _, c := range cases {
			if fname == "Wasserstein" && c.want == ErrLengthMismatch {
				continue // ref and cur may have different bins; see below
			}
			if err := fn(c.ref, c.cur); !errors.Is(err, c.want) {
				t.Errorf("%s/%s: err %v, want %v", fname, c.name, err, c.want)
			}
		}
	}
	if _, err := Fractions(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("Fractions(nil): %v", err)
	}
	if _, err := Wasserstein([]float64{1}, good, good, good); !errors.Is(err, ErrLengthMismatch) {
		t.Errorf("Wasserstein means/counts mismatch: %v", err)
	}
	if _, err := Wasserstein([]float64{1, math.NaN(), 3}, good, good, good); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Wasserstein NaN mean in non-empty bin: %v", err)
	}
	if _, err := WassersteinBinningBound(good, []float64{0, 5, 0}, []float64{1, 4, 1}, good, good, good); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bound with max < min: %v", err)
	}
}

func TestZTestErrors(t *testing.T) {
	for _, a := range [][4]float64{
		{1, 0, 1, 10}, {-1, 10, 1, 10}, {11, 10, 1, 10}, {1, 10, math.NaN(), 10}, {1, 10, 1, math.Inf(1)}, {1, 10, 1, -5},
	} {
		if _, _, err := ZTestProportions(a[0], a[1], a[2], a[3]); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%v: err %v, want ErrInvalidArgument", a, err)
		}
	}
}

func TestNoNaNResults(t *testing.T) {
	// Extreme but valid inputs never produce NaN.
	ref := []float64{1e-300, 0, 1e300}
	cur := []float64{0, 1e-300, 1e300}
	for name, fn := range map[string]binnedMetric{"PSI": PSI, "KL": KL, "JS": JSDistance, "Hellinger": Hellinger, "LInf": LInf} {
		v, per, err := fn(ref, cur)
		if err != nil || math.IsNaN(v) {
			t.Errorf("%s: %v %v", name, v, err)
		}
		for _, x := range per {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Errorf("%s perBin: %v", name, per)
			}
		}
	}
	if _, p, err := KSBinned(ref, cur); err != nil || math.IsNaN(p) {
		t.Errorf("KSBinned: %v %v", p, err)
	}
}
