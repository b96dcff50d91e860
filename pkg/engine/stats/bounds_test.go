package stats

import (
	"math"
	"strings"
	"testing"
)

// Binned statistics vs the exact ones on the raw samples (ks_2samp and
// wasserstein_distance in the fixture), with the bounds stated in the docs of
// KSBinned and Wasserstein.
func TestBinnedVsExactBounds(t *testing.T) {
	f := loadFixture(t)
	fine := 0
	for _, c := range f.SampleCases {
		d, _, err := KSBinned(c.Ref, c.Cur)
		if err != nil {
			t.Fatal(err)
		}
		// Largest single-bin mass, recomputed here and checked against the fixture.
		r, _ := Fractions(c.Ref)
		cu, _ := Fractions(c.Cur)
		maxMass := 0.0
		for i := range r {
			maxMass = math.Max(maxMass, math.Max(r[i], cu[i]))
		}
		assertClose(t, c.Name+" max bin mass", maxMass, c.MaxBinMass, relExact, 0)
		const slack = 1e-12 // rounding in cumulative sums
		if d > c.KSExact.D+slack || c.KSExact.D > d+maxMass+slack {
			t.Errorf("%s: want D_binned %v ≤ D_exact %v ≤ D_binned + max mass %v", c.Name, d, c.KSExact.D, d+maxMass)
		}

		w, err := Wasserstein(c.RefMeans, c.Ref, c.CurMeans, c.Cur)
		if err != nil {
			t.Fatal(err)
		}
		bound, err := WassersteinBinningBound(c.Ref, c.RefMin, c.RefMax, c.Cur, c.CurMin, c.CurMax)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, c.Name+" W bound", bound, c.WassersteinBound, relExact, 0)
		if gap := math.Abs(w - c.WassersteinExact); gap > bound+slack {
			t.Errorf("%s: |W_binned − W_exact| = %v > bound %v", c.Name, gap, bound)
		}
		if strings.HasSuffix(c.Name, "/100bins") {
			fine++
		}
	}
	if fine == 0 {
		t.Fatal("no 100-bin cases in the fixture")
	}
}
