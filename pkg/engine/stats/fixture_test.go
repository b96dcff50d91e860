package stats

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Tolerances used against the SciPy fixture.
const (
	relExact = 1e-9  // closed-form metrics, test statistics and p-values
	absZero  = 1e-15 // absolute floor for values that are (near) zero
	relKolm  = 1e-10 // KolmogorovSF vs scipy.stats.kstwobign.sf
)

var fixturePath = filepath.Join("..", "..", "..", "test", "fixtures", "stats", "stats_cases.json")

type chi2Want struct {
	Stat float64 `json:"stat"`
	P    float64 `json:"p"`
	DoF  int     `json:"dof"`
}

type countCase struct {
	Name            string    `json:"name"`
	Ref             []float64 `json:"ref"`
	Cur             []float64 `json:"cur"`
	PSI             float64   `json:"psi"`
	PSIPerBin       []float64 `json:"psi_per_bin"`
	KL              float64   `json:"kl"`
	KLPerBin        []float64 `json:"kl_per_bin"`
	JS              float64   `json:"js"`
	JSPerBin        []float64 `json:"js_per_bin"`
	Hellinger       float64   `json:"hellinger"`
	HellingerPerBin []float64 `json:"hellinger_per_bin"`
	LInf            float64   `json:"linf"`
	LInfPerBin      []float64 `json:"linf_per_bin"`
	Chi2            *chi2Want `json:"chi2"`
	KSBinned        struct {
		D  float64 `json:"d"`
		P  float64 `json:"p"`
		EN float64 `json:"en"`
	} `json:"ks_binned"`
}

type sampleCase struct {
	countCase
	Edges    []float64 `json:"edges"`
	RefMeans []float64 `json:"ref_means"`
	CurMeans []float64 `json:"cur_means"`
	RefMin   []float64 `json:"ref_min"`
	RefMax   []float64 `json:"ref_max"`
	CurMin   []float64 `json:"cur_min"`
	CurMax   []float64 `json:"cur_max"`
	KSExact  struct {
		D           float64 `json:"d"`
		P           float64 `json:"p"`
		PScipyAsymp float64 `json:"p_scipy_asymp"`
	} `json:"ks_exact"`
	MaxBinMass        float64 `json:"max_bin_mass"`
	WassersteinExact  float64 `json:"wasserstein_exact"`
	WassersteinBinned float64 `json:"wasserstein_binned"`
	WassersteinBound  float64 `json:"wasserstein_bound"`
	RefStd            float64 `json:"ref_std"`
	NRef              int     `json:"n_ref"`
	NCur              int     `json:"n_cur"`
}

type zCase struct {
	RefPos     float64 `json:"ref_pos"`
	RefN       float64 `json:"ref_n"`
	CurPos     float64 `json:"cur_pos"`
	CurN       float64 `json:"cur_n"`
	Z          float64 `json:"z"`
	P          float64 `json:"p"`
	Degenerate bool    `json:"degenerate"`
}

type fixture struct {
	Epsilon     float64      `json:"epsilon"`
	CountCases  []countCase  `json:"count_cases"`
	SampleCases []sampleCase `json:"sample_cases"`
	RawSamples  []struct {
		Name        string    `json:"name"`
		Ref         []float64 `json:"ref"`
		Cur         []float64 `json:"cur"`
		Wasserstein float64   `json:"wasserstein"`
	} `json:"raw_samples"`
	ZTestCases   []zCase `json:"ztest_cases"`
	KolmogorovSF []struct {
		X  float64 `json:"x"`
		SF float64 `json:"sf"`
	} `json:"kolmogorov_sf"`
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	raw, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("parse fixture: %v", err)
	}
	if f.Epsilon != Epsilon {
		t.Fatalf("fixture epsilon %v != Epsilon %v; regenerate the fixture", f.Epsilon, Epsilon)
	}
	if len(f.CountCases) == 0 || len(f.SampleCases) == 0 || len(f.ZTestCases) == 0 || len(f.RawSamples) == 0 || len(f.KolmogorovSF) == 0 {
		t.Fatal("fixture has an empty section")
	}
	return f
}

// allCountCases returns the hand cases and the binned sample cases together.
func allCountCases(f fixture) []countCase {
	out := append([]countCase(nil), f.CountCases...)
	for _, s := range f.SampleCases {
		out = append(out, s.countCase)
	}
	return out
}

func near(got, want, rel, abs float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return false
	}
	return math.Abs(got-want) <= math.Max(abs, rel*math.Abs(want))
}

func assertClose(t *testing.T, what string, got, want, rel, abs float64) {
	t.Helper()
	if !near(got, want, rel, abs) {
		t.Errorf("%s = %.17g, want %.17g (rel %g, abs %g; diff %g)", what, got, want, rel, abs, got-want)
	}
}

func assertSliceClose(t *testing.T, what string, got, want []float64, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: len %d, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !near(got[i], want[i], rel, abs) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}
