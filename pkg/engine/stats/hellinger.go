package stats

import "math"

// Hellinger returns the Hellinger distance between the two binned
// distributions
//
//	H = √( ½ Σ_i (√r_i − √c_i)² ) ∈ [0, 1]
//
// on raw fractions (no smoothing). perBin[i] = (√r_i − √c_i)² / 2, so
// Σ perBin = H². Identical distributions give 0, disjoint supports 1. SciPy
// has no Hellinger function; this is the textbook definition (the ½ makes the
// maximum 1, as WhyLabs and Evidently use it). H² is clamped to [0, 1]
// against rounding.
//
// Errors: see Fractions, plus ErrLengthMismatch.
func Hellinger(ref, cur []float64) (float64, []float64, error) {
	r, c, err := pairFractions(ref, cur)
	if err != nil {
		return 0, nil, err
	}
	perBin := make([]float64, len(r))
	sum := 0.0
	for i := range r {
		d := math.Sqrt(r[i]) - math.Sqrt(c[i])
		perBin[i] = d * d / 2
		sum += perBin[i]
	}
	return math.Sqrt(math.Min(sum, 1)), perBin, nil
}
