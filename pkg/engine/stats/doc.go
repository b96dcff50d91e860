// Package stats computes drift statistics from binned aggregates.
//
// Every function is pure (no I/O, no globals besides constants) and takes
// per-bin COUNTS: float64 slices of non-negative, finite weights, one entry per
// bin, with the reference and current slices laid out on the same bins. The
// functions normalise counts to fractions themselves (see Fractions). Invalid
// input is reported as an error wrapping one of the Err* sentinels below;
// nothing in this package panics on bad input or returns NaN as a result
// (except WassersteinExact, whose signature has no error; see its doc).
//
// Definitions follow SciPy where SciPy has the statistic, and are checked
// against values generated with NumPy/SciPy in test/fixtures/stats (see the
// README there). Distributions and special functions come from gonum; only
// the metric formulas are written here.
package stats
