package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ZTestProportions runs the pooled two-proportion z-test (two-sided):
//
//	p̂_ref = refPos/refN, p̂_cur = curPos/curN, p̄ = (refPos+curPos)/(refN+curN)
//	z = (p̂_cur − p̂_ref) / √( p̄(1−p̄)(1/refN + 1/curN) )
//	p = 2 · Φ(−|z|)               (gonum distuv.UnitNormal)
//
// z > 0 means the positive rate went up. This is, by formula,
// statsmodels.stats.proportion.proportions_ztest([curPos, refPos], [curN, refN])
// (value=0, prop_var=False); two-sided p == 2·scipy.stats.norm.sf(|z|). The
// p-value is taken from the CDF (erfc) rather than 1 − CDF to keep relative
// precision in the tail.
//
// Degenerate case: when the pooled proportion is exactly 0 or 1 (no positives
// or no negatives in either sample) the standard error is 0 and the formula
// is 0/0; we return z = 0, p = 1 (no evidence of a difference).
//
// Errors (ErrInvalidArgument): NaN/Inf arguments, refN or curN ≤ 0, a
// positive count < 0 or greater than its n. Counts need not be integers.
func ZTestProportions(refPos, refN, curPos, curN float64) (z, p float64, err error) {
	for _, a := range [...]struct {
		name   string
		pos, n float64
	}{{"reference", refPos, refN}, {"current", curPos, curN}} {
		if !isFinite(a.pos) || !isFinite(a.n) || a.n <= 0 || a.pos < 0 || a.pos > a.n {
			return 0, 0, fmt.Errorf("%w: %s positives %v of n %v", ErrInvalidArgument, a.name, a.pos, a.n)
		}
	}
	pooled := (refPos + curPos) / (refN + curN)
	if pooled == 0 || pooled == 1 {
		return 0, 1, nil
	}
	se := math.Sqrt(pooled * (1 - pooled) * (1/refN + 1/curN))
	z = (curPos/curN - refPos/refN) / se
	p = math.Min(1, 2*distuv.UnitNormal.CDF(-math.Abs(z)))
	return z, p, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
