package stats

import "math"

// PSI returns the Population Stability Index of current against reference
//
//	PSI = Σ_i (c_i − r_i) · ln(c_i / r_i)
//
// on Epsilon-smoothed fractions (r_i' = (r_i + ε)/(1 + kε), likewise c_i),
// natural log. perBin[i] is bin i's term; every term is ≥ 0, so PSI ≥ 0. PSI
// is symmetric and equals KL(cur‖ref) + KL(ref‖cur) on the same smoothed
// fractions. There is no SciPy function for PSI; the fixture computes this
// formula with NumPy. The usual reading is < 0.1 stable, 0.1–0.2 watch,
// > 0.2 act, but the value depends on the binning and ε (Evidently, NannyML and
// whylogs bin differently, so "PSI 0.2" means something different in each).
//
// Errors: see Fractions, plus ErrLengthMismatch.
func PSI(ref, cur []float64) (total float64, perBin []float64, err error) {
	r, c, err := smoothedPair(ref, cur)
	if err != nil {
		return 0, nil, err
	}
	perBin = make([]float64, len(r))
	for i := range r {
		perBin[i] = (c[i] - r[i]) * math.Log(c[i]/r[i])
		total += perBin[i]
	}
	return total, perBin, nil
}
