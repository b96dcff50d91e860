package band

// Kind is what a series measures, which fixes the side of its band that is a breach and its valid range (bounds
// are clipped to it).
type Kind int

// The kinds of series that get thresholds.
const (
	// Distance: a drift score (PSI, Jensen–Shannon, Wasserstein, …): larger is worse; above; [0, ∞).
	Distance Kind = iota + 1
	// PValue: a test's p-value: smaller is worse; below; [0, 1].
	PValue
	// Evidence: a diagnosis evidence (≥ 1 means present, any real number): above; unbounded.
	Evidence
	// Unit: a share or a performance metric in [0, 1] (accuracy, F1, ROC AUC, label coverage, null share, …): it
	// may move either way; both; [0, 1].
	Unit
	// NonNegative: everything else that is ≥ 0 without a bad side (volume ratio, log loss, errors, lags): both;
	// [0, ∞).
	NonNegative
)

// Direction is the side of the band that is a breach.
func (k Kind) Direction() Direction {
	switch k {
	case Distance, Evidence:
		return Above
	case PValue:
		return Below
	}
	return Both
}

// Range is the kind's valid range.
func (k Kind) Range() Range {
	switch k {
	case Evidence:
		return Unbounded
	case PValue, Unit:
		return Range{Min: 0, Max: 1}
	}
	return Range{Min: 0, Max: Unbounded.Max}
}
