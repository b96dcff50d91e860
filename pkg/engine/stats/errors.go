package stats

import "errors"

// Sentinel errors. Returned errors wrap one of these, so callers can test
// with errors.Is; the wrapping message says which argument and bin.
var (
	// ErrEmpty: an input slice has no elements.
	ErrEmpty = errors.New("stats: empty input")
	// ErrLengthMismatch: slices that must describe the same bins differ in length.
	ErrLengthMismatch = errors.New("stats: length mismatch")
	// ErrInvalidCount: a count is negative, NaN or ±Inf.
	ErrInvalidCount = errors.New("stats: invalid count (negative, NaN or Inf)")
	// ErrZeroTotal: the counts sum to zero (or overflow), so there are no fractions.
	ErrZeroTotal = errors.New("stats: total count is zero or not finite")
	// ErrTooFewBins: a test needs at least two bins with data.
	ErrTooFewBins = errors.New("stats: fewer than two non-empty bins")
	// ErrInvalidArgument: a non-count argument (mean, std, proportion) is out of range.
	ErrInvalidArgument = errors.New("stats: invalid argument")
	// ErrConstantReference: the reference feature has zero spread but the distance is non-zero.
	ErrConstantReference = errors.New("stats: constant reference feature")
)
