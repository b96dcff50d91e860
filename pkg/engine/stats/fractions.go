package stats

import (
	"fmt"
	"math"
)

// Epsilon is the smoothing mass added to every bin by PSI and KL (and only
// those two), so that empty bins keep both metrics finite:
//
//	p_i' = (p_i + ε) / (1 + k·ε)
//
// where p_i are the fractions and k the number of bins; the smoothed fractions
// sum to 1 again. JS distance, Hellinger, L∞, chi-square and KS use the raw
// fractions.
const Epsilon = 1e-4

// Fractions returns counts normalised to sum to 1: p_i = n_i / Σ_j n_j.
//
// Errors: empty input (ErrEmpty), any negative/NaN/Inf count
// (ErrInvalidCount), total zero or overflowing (ErrZeroTotal).
func Fractions(counts []float64) ([]float64, error) {
	total, err := checkCounts(counts)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = c / total
	}
	return out, nil
}

// checkCounts validates a count vector and returns its total.
func checkCounts(counts []float64) (float64, error) {
	if len(counts) == 0 {
		return 0, ErrEmpty
	}
	total := 0.0
	for i, c := range counts {
		if math.IsNaN(c) || math.IsInf(c, 0) || c < 0 {
			return 0, fmt.Errorf("%w: bin %d = %v", ErrInvalidCount, i, c)
		}
		total += c
	}
	if total == 0 || math.IsInf(total, 0) {
		return 0, fmt.Errorf("%w: total = %v", ErrZeroTotal, total)
	}
	return total, nil
}

// pairFractions validates a reference/current pair on the same bins and
// returns both as fractions.
func pairFractions(ref, cur []float64) (r, c []float64, err error) {
	if len(ref) != len(cur) {
		return nil, nil, fmt.Errorf("%w: reference has %d bins, current %d", ErrLengthMismatch, len(ref), len(cur))
	}
	if r, err = Fractions(ref); err != nil {
		return nil, nil, fmt.Errorf("reference: %w", err)
	}
	if c, err = Fractions(cur); err != nil {
		return nil, nil, fmt.Errorf("current: %w", err)
	}
	return r, c, nil
}

// smooth applies the Epsilon smoothing in place and returns p.
func smooth(p []float64) []float64 {
	den := 1 + float64(len(p))*Epsilon
	for i := range p {
		p[i] = (p[i] + Epsilon) / den
	}
	return p
}

// smoothedPair is pairFractions followed by smooth on both sides.
func smoothedPair(ref, cur []float64) (r, c []float64, err error) {
	r, c, err = pairFractions(ref, cur)
	if err != nil {
		return nil, nil, err
	}
	return smooth(r), smooth(c), nil
}
