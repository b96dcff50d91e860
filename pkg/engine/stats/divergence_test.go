package stats

import (
	"math"
	"testing"
)

type binnedMetric func(ref, cur []float64) (float64, []float64, error)

func TestDivergencesMatchScipy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range allCountCases(f) {
		t.Run(c.Name, func(t *testing.T) {
			for _, m := range []struct {
				name   string
				fn     binnedMetric
				total  float64
				perBin []float64
			}{
				{"PSI", PSI, c.PSI, c.PSIPerBin},
				{"KL", KL, c.KL, c.KLPerBin},
				{"JSDistance", JSDistance, c.JS, c.JSPerBin},
				{"Hellinger", Hellinger, c.Hellinger, c.HellingerPerBin},
				{"LInf", LInf, c.LInf, c.LInfPerBin},
			} {
				got, per, err := m.fn(c.Ref, c.Cur)
				if err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				assertClose(t, m.name, got, m.total, relExact, absZero)
				assertSliceClose(t, m.name+" perBin", per, m.perBin, relExact, absZero)
			}
		})
	}
}

func TestFractions(t *testing.T) {
	got, err := Fractions([]float64{1, 3, 0, 4})
	if err != nil {
		t.Fatal(err)
	}
	assertSliceClose(t, "Fractions", got, []float64{0.125, 0.375, 0, 0.5}, 0, 0)
}

func TestIdenticalDistributionsAreZero(t *testing.T) {
	// Same proportions, different totals: every metric is 0 (up to rounding).
	ref := []float64{10, 0, 30, 60}
	cur := []float64{20, 0, 60, 120}
	for name, fn := range map[string]binnedMetric{"PSI": PSI, "KL": KL, "JS": JSDistance, "Hellinger": Hellinger, "LInf": LInf} {
		got, per, err := fn(ref, cur)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertClose(t, name, got, 0, 0, 1e-7) // JS/Hellinger are square roots: 1e-15 rounding → 3e-8
		for _, v := range per {
			assertClose(t, name+" perBin", v, 0, 0, 1e-15)
		}
	}
	stat, p, dof, err := ChiSquare(ref, cur)
	if err != nil || dof != 2 {
		t.Fatalf("ChiSquare: dof %d err %v", dof, err)
	}
	assertClose(t, "chi2 stat", stat, 0, 0, 1e-12)
	assertClose(t, "chi2 p", p, 1, 0, 1e-12)
	d, p, err := KSBinned(ref, cur)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "KS D", d, 0, 0, 1e-15)
	assertClose(t, "KS p", p, 1, 0, 1e-12)
}

func TestDisjointDistributions(t *testing.T) {
	ref := []float64{5, 3, 0, 0}
	cur := []float64{0, 0, 7, 1}
	js, per, err := JSDistance(ref, cur)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "JS disjoint", js, 1, 1e-15, 0)
	sum := 0.0
	for _, v := range per {
		sum += v
	}
	assertClose(t, "JS Σ perBin", sum, 1, 1e-15, 0)
	h, _, err := Hellinger(ref, cur)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "Hellinger disjoint", h, 1, 1e-15, 0)
	l, _, err := LInf([]float64{1, 0}, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "LInf disjoint one-hot", l, 1, 0, 0)
	// Smoothing keeps PSI/KL finite; for a one-hot pair of 2 bins with ε:
	// r' = ((1+ε)/(1+2ε), ε/(1+2ε)), c' reversed, PSI = 2·(1/(1+2ε))·ln((1+ε)/ε).
	psi, _, err := PSI([]float64{1, 0}, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := 2 / (1 + 2*Epsilon) * math.Log((1+Epsilon)/Epsilon)
	assertClose(t, "PSI one-hot", psi, want, 1e-12, 0)
	kl, _, err := KL([]float64{1, 0}, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "KL one-hot", kl, want/2, 1e-12, 0) // symmetric case: PSI = 2·KL
}

func TestHandDerivedValues(t *testing.T) {
	// r = (1/2, 1/2), c = (1/4, 3/4).
	ref, cur := []float64{2, 2}, []float64{1, 3}
	l, per, _ := LInf(ref, cur)
	assertClose(t, "LInf", l, 0.25, 1e-15, 0)
	assertSliceClose(t, "LInf perBin", per, []float64{0.25, 0.25}, 1e-15, 0)
	h, _, _ := Hellinger(ref, cur)
	hw := math.Sqrt(0.5 * (math.Pow(math.Sqrt(0.5)-0.5, 2) + math.Pow(math.Sqrt(0.5)-math.Sqrt(0.75), 2)))
	assertClose(t, "Hellinger", h, hw, 1e-14, 0)
	js, _, _ := JSDistance(ref, cur)
	m1, m2 := 0.375, 0.625
	jsd := 0.5 * (0.5*math.Log2(0.5/m1) + 0.5*math.Log2(0.5/m2) + 0.25*math.Log2(0.25/m1) + 0.75*math.Log2(0.75/m2))
	assertClose(t, "JS", js, math.Sqrt(jsd), 1e-14, 0)
}
