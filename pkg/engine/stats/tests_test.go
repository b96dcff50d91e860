package stats

import (
	"errors"
	"math"
	"testing"
)

func TestChiSquareMatchesScipy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range allCountCases(f) {
		if c.Chi2 == nil {
			continue
		}
		stat, p, dof, err := ChiSquare(c.Ref, c.Cur)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		assertClose(t, c.Name+" chi2 stat", stat, c.Chi2.Stat, relExact, absZero)
		assertClose(t, c.Name+" chi2 p", p, c.Chi2.P, relExact, 1e-300)
		if dof != c.Chi2.DoF {
			t.Errorf("%s: dof %d, want %d", c.Name, dof, c.Chi2.DoF)
		}
	}
}

func TestChiSquareDropsEmptyColumns(t *testing.T) {
	s1, p1, d1, err1 := ChiSquare([]float64{0, 5, 0, 10}, []float64{0, 7, 0, 3})
	s2, p2, d2, err2 := ChiSquare([]float64{5, 10}, []float64{7, 3})
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if s1 != s2 || p1 != p2 || d1 != 1 || d2 != 1 {
		t.Errorf("dropping all-zero columns changed the result: %v %v %v vs %v %v %v", s1, p1, d1, s2, p2, d2)
	}
	if _, _, _, err := ChiSquare([]float64{0, 5}, []float64{0, 7}); !errors.Is(err, ErrTooFewBins) {
		t.Errorf("k'=1: err %v, want ErrTooFewBins", err)
	}
}

func TestZTestMatchesFormula(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.ZTestCases {
		z, p, err := ZTestProportions(c.RefPos, c.RefN, c.CurPos, c.CurN)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		assertClose(t, "z", z, c.Z, relExact, absZero)
		assertClose(t, "p", p, c.P, relExact, 1e-300)
		if c.Degenerate && (z != 0 || p != 1) {
			t.Errorf("degenerate %+v: z %v p %v, want 0, 1", c, z, p)
		}
	}
	// Antisymmetry: swapping reference and current flips z, keeps p.
	z1, p1, _ := ZTestProportions(30, 100, 45, 100)
	z2, p2, _ := ZTestProportions(45, 100, 30, 100)
	if z1 != -z2 || p1 != p2 {
		t.Errorf("swap: %v %v vs %v %v", z1, p1, z2, p2)
	}
}

func TestKSBinnedMatchesScipy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range allCountCases(f) {
		d, p, err := KSBinned(c.Ref, c.Cur)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		assertClose(t, c.Name+" D", d, c.KSBinned.D, relExact, 1e-14)
		assertClose(t, c.Name+" p", p, c.KSBinned.P, relExact, 1e-300)
	}
}

func TestKolmogorovSFMatchesScipy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.KolmogorovSF {
		assertClose(t, "KolmogorovSF", KolmogorovSF(c.X), c.SF, relKolm, 1e-300)
	}
	if KolmogorovSF(-1) != 1 || KolmogorovSF(1e-300) != 1 || KolmogorovSF(math.Inf(1)) != 0 || !math.IsNaN(KolmogorovSF(math.NaN())) {
		t.Error("KolmogorovSF edge values")
	}
	// Continuity across the series cut-over and monotonicity.
	prev := 1.0
	for x := 0.01; x < 4; x += 0.001 {
		q := KolmogorovSF(x)
		if q > prev+1e-15 {
			t.Fatalf("not non-increasing at x=%v: %v > %v", x, q, prev)
		}
		prev = q
	}
	lo, hi := KolmogorovSF(kolmogorovCutover-1e-12), KolmogorovSF(kolmogorovCutover)
	assertClose(t, "cut-over continuity", lo, hi, 1e-11, 0)
}
