package stats

import "math"

// KSBinned is the two-sample Kolmogorov–Smirnov test on binned data.
//
//	D = max_j |F_ref(e_j) − F_cur(e_j)|,  F(e_j) = Σ_{i≤j} p_i (cumulative fractions)
//	en = n·m / (n + m),  n = Σ refCounts, m = Σ curCounts
//	p = Q(√en · D)        (KolmogorovSF, == scipy.stats.kstwobign.sf(√en·D))
//
// D is the KS statistic evaluated only at the bin edges. For bins
// [e_{j−1}, e_j) the cumulative fraction through bin j is the empirical CDF's
// left limit at e_j, so, relative to the exact statistic on the raw samples
// (scipy.stats.ks_2samp(...).statistic):
//
//	D_binned ≤ D_exact ≤ D_binned + max_j max(r_j, c_j)
//
// (inside bin j each CDF rises by at most its own bin mass and both are
// monotone, so the gap can grow by at most the larger of r_j, c_j beyond its
// value at the bin's left edge). Use fine bins (≥ 100 quantile bins) for KS.
//
// The p-value is the asymptotic one. Note scipy.stats.ks_2samp(method='asymp')
// instead uses kstwo.sf(D, round(en)) (the finite-n one-sample distribution),
// and its default method is exact for samples ≤ 10000; both differ slightly
// from this p (a few % relative at p ≈ 1e-6).
//
// Errors: see Fractions, plus ErrLengthMismatch.
func KSBinned(refCounts, curCounts []float64) (d, p float64, err error) {
	r, c, err := pairFractions(refCounts, curCounts)
	if err != nil {
		return 0, 0, err
	}
	n, _ := checkCounts(refCounts)
	m, _ := checkCounts(curCounts)
	var fr, fc float64
	for i := range r {
		fr += r[i]
		fc += c[i]
		d = math.Max(d, math.Abs(fr-fc))
	}
	d = math.Min(d, 1)
	en := 1 / (1/n + 1/m) // = n·m/(n+m), without overflow for huge weights
	return d, KolmogorovSF(math.Sqrt(en) * d), nil
}
