package stats

import "math"

// JSDistance returns the Jensen–Shannon DISTANCE in base 2, the square root
// of the Jensen–Shannon divergence in bits:
//
//	m_i = (r_i + c_i) / 2
//	JSD = ½ Σ_i [ r_i log2(r_i/m_i) + c_i log2(c_i/m_i) ]   (0·log 0 = 0)
//	dist = √JSD ∈ [0, 1]
//
// on raw fractions: no smoothing is needed because m_i > 0 wherever r_i or c_i
// is. This equals scipy.spatial.distance.jensenshannon(ref, cur, base=2)
// (which also normalises its inputs). perBin[i] is bin i's term of the
// divergence JSD (not of the distance), so Σ perBin = dist². JSD is clamped to
// [0, 1] against rounding, so disjoint supports give exactly 1.
//
// Errors: see Fractions, plus ErrLengthMismatch.
func JSDistance(ref, cur []float64) (dist float64, perBin []float64, err error) {
	r, c, err := pairFractions(ref, cur)
	if err != nil {
		return 0, nil, err
	}
	perBin = make([]float64, len(r))
	js := 0.0
	for i := range r {
		m := (r[i] + c[i]) / 2
		perBin[i] = (relEntr(r[i], m) + relEntr(c[i], m)) / 2 / math.Ln2
		js += perBin[i]
	}
	return math.Sqrt(math.Min(math.Max(js, 0), 1)), perBin, nil
}

// relEntr is scipy.special.rel_entr for x ≥ 0, y > 0 (or x = 0): x ln(x/y), 0 at x = 0.
func relEntr(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(x/y)
}
