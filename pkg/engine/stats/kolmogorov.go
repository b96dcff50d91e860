package stats

import "math"

// kolmogorovCutover is where KolmogorovSF switches series (as SciPy's
// kolmogorov implementation does): below it the alternating series converges
// slowly and 1 − Q would lose precision anyway, so the CDF is summed instead.
const kolmogorovCutover = 0.82

// KolmogorovSF is the survival function of the limiting (asymptotic)
// Kolmogorov distribution, Q(x) = P(√n·D_n > x) as n → ∞:
//
//	Q(x) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²}                       for x ≥ 0.82
//	Q(x) = 1 − (√(2π)/x) Σ_{k≥1} e^{−(2k−1)²π²/(8x²)}            for 0 < x < 0.82
//
// (the second is the Jacobi-theta form of the CDF, so Q → 1 as x → 0
// instead of the first series' non-convergence). Q(x) = 1 for x ≤ 0,
// Q(+Inf) = 0, NaN → NaN. Equals scipy.stats.kstwobign.sf(x) (tested to a
// relative 1e-10).
func KolmogorovSF(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case x <= 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	}
	if x < kolmogorovCutover {
		// u^((2k-1)^2) with log u = -π²/(8x²); once u underflows the CDF is 0.
		logu := -math.Pi * math.Pi / (8 * x * x)
		if logu < -700 {
			return 1
		}
		cdf := 0.0
		for k := 1; k <= 20; k++ {
			odd := float64(2*k - 1)
			t := math.Exp(odd * odd * logu)
			cdf += t
			if t < 1e-17*cdf {
				break
			}
		}
		return 1 - math.Sqrt(2*math.Pi)/x*cdf
	}
	sf := 0.0
	sign := 1.0
	for k := 1; k <= 100; k++ {
		kf := float64(k)
		t := math.Exp(-2 * kf * kf * x * x)
		sf += sign * t
		if t < 1e-17*math.Abs(sf) {
			break
		}
		sign = -sign
	}
	return math.Max(0, math.Min(1, 2*sf))
}
