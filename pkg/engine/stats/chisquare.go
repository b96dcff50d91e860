package stats

import (
	"fmt"

	"gonum.org/v1/gonum/stat/distuv"
)

// ChiSquare runs Pearson's chi-square test of homogeneity on the 2×k
// contingency table whose rows are the reference and current counts:
//
//	E_ij = R_i · C_j / N          (row total × column total / grand total)
//	stat = Σ_ij (O_ij − E_ij)² / E_ij
//	dof  = k' − 1
//	p    = P(χ²_dof ≥ stat)       (gonum distuv.ChiSquared survival)
//
// Columns where both counts are 0 are dropped first (they carry no
// information and would make E_ij = 0); k' is the number of columns left.
// No continuity correction. This equals
// scipy.stats.chi2_contingency(np.array([ref, cur])[:, nonzero], correction=False)
// (stat, p, dof). Counts need not be integers.
//
// Errors: see Fractions (for either row), ErrLengthMismatch, and
// ErrTooFewBins when k' < 2 (SciPy would return stat 0, p 1, dof 0).
func ChiSquare(refCounts, curCounts []float64) (stat, p float64, dof int, err error) {
	if len(refCounts) != len(curCounts) {
		return 0, 0, 0, fmt.Errorf("%w: reference has %d bins, current %d", ErrLengthMismatch, len(refCounts), len(curCounts))
	}
	nRef, err := checkCounts(refCounts)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("reference: %w", err)
	}
	nCur, err := checkCounts(curCounts)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("current: %w", err)
	}
	n := nRef + nCur
	kept := 0
	for j := range refCounts {
		col := refCounts[j] + curCounts[j]
		if col == 0 {
			continue
		}
		kept++
		eRef := nRef * col / n
		eCur := nCur * col / n
		dRef := refCounts[j] - eRef
		dCur := curCounts[j] - eCur
		stat += dRef*dRef/eRef + dCur*dCur/eCur
	}
	if kept < 2 {
		return 0, 0, 0, fmt.Errorf("%w: %d column(s) with data", ErrTooFewBins, kept)
	}
	dof = kept - 1
	p = distuv.ChiSquared{K: float64(dof)}.Survival(stat)
	return stat, p, dof, nil
}
