package stats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestWassersteinMatchesScipy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.SampleCases {
		w, err := Wasserstein(c.RefMeans, c.Ref, c.CurMeans, c.Cur)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		assertClose(t, c.Name+" W binned", w, c.WassersteinBinned, relExact, absZero)
		nw, err := NormalisedWasserstein(w, c.RefStd)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, c.Name+" W normalised", nw, c.WassersteinBinned/c.RefStd, relExact, 0)
	}
}

func TestWassersteinExactMatchesScipy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.RawSamples {
		assertClose(t, c.Name+" W exact", WassersteinExact(c.Ref, c.Cur), c.Wasserstein, relExact, 0)
	}
	for _, c := range f.SampleCases {
		for _, r := range f.RawSamples {
			if strings.HasPrefix(c.Name, r.Name+"/") {
				assertClose(t, c.Name+" W exact (sample case)", WassersteinExact(r.Ref, r.Cur), c.WassersteinExact, relExact, 0)
			}
		}
	}
}

func TestWassersteinExactHand(t *testing.T) {
	// Shifting a sample by s moves it by exactly s.
	u := []float64{0, 1, 3, 7}
	v := []float64{2.5, 3.5, 5.5, 9.5}
	assertClose(t, "shift", WassersteinExact(u, v), 2.5, 1e-15, 0)
	assertClose(t, "symmetric", WassersteinExact(v, u), 2.5, 1e-15, 0)
	assertClose(t, "self", WassersteinExact(u, u), 0, 0, 0)
	// Point masses: W(δ0, ½δ0+½δ1) = ½.
	assertClose(t, "point masses", WassersteinExact([]float64{0}, []float64{0, 1}), 0.5, 1e-15, 0)
	if !math.IsNaN(WassersteinExact(nil, u)) || !math.IsNaN(WassersteinExact(u, []float64{math.NaN()})) {
		t.Error("WassersteinExact: empty or NaN input should give NaN")
	}
	// Weighted atoms equal repeated samples, zero-count bins (with NaN means) ignored.
	w, err := Wasserstein([]float64{0, math.NaN(), 1}, []float64{1, 0, 3}, []float64{2}, []float64{5})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "weighted", w, WassersteinExact([]float64{0, 1, 1, 1}, []float64{2}), 1e-15, 0)
}

func TestNormalisedWasserstein(t *testing.T) {
	if v, err := NormalisedWasserstein(0.5, 2); err != nil || v != 0.25 {
		t.Errorf("0.5/2 = %v, %v", v, err)
	}
	if v, err := NormalisedWasserstein(0, 0); err != nil || v != 0 {
		t.Errorf("0/0 = %v, %v; want 0, nil", v, err)
	}
	if _, err := NormalisedWasserstein(0.1, 0); !errors.Is(err, ErrConstantReference) {
		t.Errorf("w>0, std 0: err %v, want ErrConstantReference", err)
	}
	for _, a := range [][2]float64{{-1, 1}, {math.NaN(), 1}, {1, math.Inf(1)}, {1, -1}} {
		if _, err := NormalisedWasserstein(a[0], a[1]); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%v: err %v, want ErrInvalidArgument", a, err)
		}
	}
}
