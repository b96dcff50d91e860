package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Wasserstein returns the 1-Wasserstein (earth mover's) distance between two
// weighted discrete distributions whose atoms are the per-bin means:
//
//	u = Σ_j r_j δ(refMeans[j]),  v = Σ_j c_j δ(curMeans[j])   (r, c = fractions of the counts)
//	W1 = ∫ |F_u(x) − F_v(x)| dx
//
// Bins with count 0 are ignored (their mean may be anything, e.g. NaN). For
// point masses this is exact and equals
// scipy.stats.wasserstein_distance(refMeans, curMeans, refCounts, curCounts)
// restricted to bins with data. Reference and current may have different
// numbers of bins; each means slice must match its counts.
//
// Binned vs raw samples: replacing every sample by its bin mean moves it at
// most the bin's within-bin spread, so by the triangle inequality
//
//	|W_binned − W_exact| ≤ Σ_j r_j·(max_j − min_j)_ref + Σ_j c_j·(max_j − min_j)_cur
//
// where max_j/min_j are the extreme sample values that fell in bin j (see
// WassersteinBinningBound). Means are in the feature's units; see
// NormalisedWasserstein for the unit-free version.
//
// Errors: see Fractions (for either side), ErrLengthMismatch between a
// means slice and its counts, ErrInvalidArgument for a NaN/Inf mean in a bin
// with data.
func Wasserstein(refMeans, refCounts, curMeans, curCounts []float64) (float64, error) {
	u, uw, err := atoms("reference", refMeans, refCounts)
	if err != nil {
		return 0, err
	}
	v, vw, err := atoms("current", curMeans, curCounts)
	if err != nil {
		return 0, err
	}
	return wasserstein1(u, uw, v, vw), nil
}

// WassersteinExact returns the 1-Wasserstein distance between the empirical
// distributions of two plain samples (equal weight per value), ==
// scipy.stats.wasserstein_distance(u, v). The product computes Wasserstein on
// binned counts (Wasserstein); this is the exact reference those binned values
// are checked against, within WassersteinBinningBound, in the tests (and it is
// itself checked against SciPy there). It has no error: it returns NaN if
// either sample is empty or holds a NaN/Inf value.
func WassersteinExact(u, v []float64) float64 {
	if len(u) == 0 || len(v) == 0 {
		return math.NaN()
	}
	for _, s := range [][]float64{u, v} {
		for _, x := range s {
			if !isFinite(x) {
				return math.NaN()
			}
		}
	}
	return wasserstein1(u, nil, v, nil)
}

// NormalisedWasserstein returns w / refStd, the Wasserstein distance in units
// of the reference standard deviation (Evidently's wasserstein normed, Azure's
// normalised Wasserstein; their std is the population std, ddof = 0, which is
// what the caller should pass). A constant reference feature (refStd == 0)
// gives 0 when w == 0, and otherwise an error wrapping ErrConstantReference:
// any movement away from a constant is unbounded in those units, and a
// silent +Inf would poison thresholds and dashboards.
//
// Errors: ErrInvalidArgument for negative/NaN/Inf w or refStd.
func NormalisedWasserstein(w, refStd float64) (float64, error) {
	if !isFinite(w) || w < 0 || !isFinite(refStd) || refStd < 0 {
		return 0, fmt.Errorf("%w: w = %v, refStd = %v", ErrInvalidArgument, w, refStd)
	}
	if refStd == 0 {
		if w == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("%w: w = %v with reference std 0", ErrConstantReference, w)
	}
	return w / refStd, nil
}

// WassersteinBinningBound returns the bound on |Wasserstein(binned) −
// WassersteinExact(raw)| stated on Wasserstein:
//
//	Σ_j r_j·(refMax_j − refMin_j) + Σ_j c_j·(curMax_j − curMin_j)
//
// with r, c the fractions of the counts; min/max of bins with count 0 are
// ignored. Errors as Wasserstein, plus ErrInvalidArgument if max < min in a
// bin with data.
func WassersteinBinningBound(refCounts, refMin, refMax, curCounts, curMin, curMax []float64) (float64, error) {
	total := 0.0
	for _, s := range [...]struct {
		name           string
		counts, lo, hi []float64
	}{{"reference", refCounts, refMin, refMax}, {"current", curCounts, curMin, curMax}} {
		n, err := checkCounts(s.counts)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", s.name, err)
		}
		if len(s.lo) != len(s.counts) || len(s.hi) != len(s.counts) {
			return 0, fmt.Errorf("%w: %s min/max/counts lengths %d/%d/%d", ErrLengthMismatch, s.name, len(s.lo), len(s.hi), len(s.counts))
		}
		for j, cnt := range s.counts {
			if cnt == 0 {
				continue
			}
			spread := s.hi[j] - s.lo[j]
			if !isFinite(spread) || spread < 0 {
				return 0, fmt.Errorf("%w: %s bin %d min %v max %v", ErrInvalidArgument, s.name, j, s.lo[j], s.hi[j])
			}
			total += cnt / n * spread
		}
	}
	return total, nil
}

// atoms validates one side of Wasserstein and keeps the bins with data.
func atoms(name string, means, counts []float64) (vals, weights []float64, err error) {
	if len(means) != len(counts) {
		return nil, nil, fmt.Errorf("%w: %s has %d means and %d counts", ErrLengthMismatch, name, len(means), len(counts))
	}
	if _, err := checkCounts(counts); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	for j, cnt := range counts {
		if cnt == 0 {
			continue
		}
		if !isFinite(means[j]) {
			return nil, nil, fmt.Errorf("%w: %s mean of bin %d = %v", ErrInvalidArgument, name, j, means[j])
		}
		vals = append(vals, means[j])
		weights = append(weights, cnt)
	}
	return vals, weights, nil
}

// wasserstein1 computes ∫|F_u − F_v| for weighted atoms (nil weights = all 1),
// following scipy.stats._cdf_distance: walk the merged sorted values and add
// |F_u − F_v| times the gap to the next value. Inputs are not modified.
//
// Each side is put in order on its own (binned means and the store's distinct values usually come sorted, so
// this is a check) and the two are merged, the reference's atom first on a tie: O(n) for sorted input instead of
// a sort of both sides together — drift scores every (model, feature, window) this way on each query.
func wasserstein1(u, uw, v, vw []float64) float64 {
	a, b := sortedAtoms(u, uw), sortedAtoms(v, vw)
	var tot [2]float64
	for _, x := range a {
		tot[0] += x.w
	}
	for _, x := range b {
		tot[1] += x.w
	}
	var cum [2]float64
	dist := 0.0
	i, j, prev := 0, 0, 0.0
	for i < len(a) || j < len(b) {
		var next *atom
		side := 0
		if j == len(b) || (i < len(a) && a[i].x <= b[j].x) {
			next = &a[i]
		} else {
			next, side = &b[j], 1
		}
		if gap := next.x - prev; i+j > 0 && gap > 0 { // from the previous atom to this one
			dist += math.Abs(cum[0]/tot[0]-cum[1]/tot[1]) * gap
		}
		cum[side] += next.w
		if side == 0 {
			i++
		} else {
			j++
		}
		prev = next.x
	}
	return dist
}

// atom is one weighted value of a side of wasserstein1.
type atom struct{ x, w float64 }

// sortedAtoms pairs values with their weights (nil = all 1) in increasing order of value.
func sortedAtoms(xs, ws []float64) []atom {
	out := make([]atom, len(xs))
	for i, x := range xs {
		w := 1.0
		if ws != nil {
			w = ws[i]
		}
		out[i] = atom{x, w}
	}
	if !slices.IsSortedFunc(out, byValue) {
		slices.SortFunc(out, byValue)
	}
	return out
}

func byValue(p, q atom) int { return cmp.Compare(p.x, q.x) }
