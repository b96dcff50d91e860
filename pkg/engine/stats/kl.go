package stats

import "math"

// KL returns the Kullback–Leibler divergence of the current distribution from
// the reference, KL(cur ‖ ref):
//
//	KL = Σ_i c_i · ln(c_i / r_i)
//
// on Epsilon-smoothed fractions, natural log (nats). perBin[i] = c_i ln(c_i/r_i)
// (a single term may be negative; the sum is not). The total is clamped at 0
// against rounding.
//
// Direction: the current window is the distribution being observed and the
// reference is the model it is measured against, i.e. "information lost when
// the reference is used to describe current data". This equals
// scipy.stats.entropy(pk=cur, qk=ref) applied to the smoothed fractions. (Note
// Evidently's kl_div test calls entropy(reference, current), the other
// direction; PSI is the symmetric sum of both.)
//
// Errors: see Fractions, plus ErrLengthMismatch.
func KL(ref, cur []float64) (total float64, perBin []float64, err error) {
	r, c, err := smoothedPair(ref, cur)
	if err != nil {
		return 0, nil, err
	}
	perBin = make([]float64, len(r))
	for i := range r {
		perBin[i] = c[i] * math.Log(c[i]/r[i])
		total += perBin[i]
	}
	return math.Max(total, 0), perBin, nil
}
