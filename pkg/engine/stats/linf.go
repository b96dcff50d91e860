package stats

import "math"

// LInf returns the L-infinity (Chebyshev) distance between the fractions
//
//	L∞ = max_i |c_i − r_i| ∈ [0, 1]
//
// on raw fractions (no smoothing); perBin[i] = |c_i − r_i|. This is the
// "L-infinity" categorical drift measure of SageMaker Model Monitor and
// Vertex AI, equal to scipy.spatial.distance.chebyshev(r, c) on the fractions.
//
// Errors: see Fractions, plus ErrLengthMismatch.
func LInf(ref, cur []float64) (float64, []float64, error) {
	r, c, err := pairFractions(ref, cur)
	if err != nil {
		return 0, nil, err
	}
	perBin := make([]float64, len(r))
	maxDiff := 0.0
	for i := range r {
		perBin[i] = math.Abs(c[i] - r[i])
		maxDiff = math.Max(maxDiff, perBin[i])
	}
	return maxDiff, perBin, nil
}
