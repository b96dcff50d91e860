// Package severity decides how urgently a person must look at a model: page, ticket, report or ok, from the
// model's tier, the cause of its diagnosis verdict, how much the drifting features matter to the model and the
// performance impact estimated without labels. Pure: no I/O, no frames.
//
// The rule is a tier × urgency matrix, in the spirit of Google's SRE books ("Monitoring Distributed Systems":
// every page must be urgent and actionable; what can wait a working day is a ticket; the rest goes to a report
// somebody reads weekly):
//
//	urgency of the window          critical   standard   experimental
//	High   (acts on outputs now)   page       ticket     report
//	Medium (needs a person soon)   ticket     report     report
//	Low    (a trend to review)     report     report     report
//	None                           ok         ok         ok
//
// and the urgency comes from the window's verdict (see Urgency): a pipeline break (the logged data is wrong,
// every other signal is unreliable) and concept drift (realized performance below what the estimate explains)
// are High; covariate shift is High only when it matters — the estimated performance (CBPE) leaves its
// sampling band, or, for a model without an estimate, the importance-weighted drift reaches MattersLevel — and
// Medium otherwise; a prior shift is
// Medium; a model whose verdict is ok but one of whose features drifts (whatever its importance) or whose score
// distribution moved is Low. A drifting feature of low importance therefore never pages: it is not in the
// importance-weighted drift of the features that carry the model (see monitor.CovariateEvidence), so the
// verdict stays ok and the urgency Low.
package severity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
)

// Level is a severity, ordered: Page > Ticket > Report > OK. Its number is the value of the alertable series.
type Level int

// Severities, in increasing urgency.
const (
	OK Level = iota
	Report
	Ticket
	Page
)

// String is the severity's label value: "ok", "report", "ticket", "page".
func (l Level) String() string {
	switch l {
	case Page:
		return "page"
	case Ticket:
		return "ticket"
	case Report:
		return "report"
	}
	return "ok"
}

// Tiers of the model registry's tier column.
const (
	TierCritical     = "critical"
	TierStandard     = "standard"
	TierExperimental = "experimental"
	// DefaultTier is the tier of a model without a registry row, with an empty tier or an unknown one: it routes
	// to its team (tickets) without paging anyone, the middle ground until somebody classifies the model.
	DefaultTier = TierStandard
)

// Tiers lists the known tiers, most critical first.
var Tiers = []string{TierCritical, TierStandard, TierExperimental}

// NormaliseTier maps a registry tier to a known one (case and surrounding space ignored). An empty tier is
// DefaultTier silently; an unknown one is DefaultTier with a notice naming it.
func NormaliseTier(tier string) (string, string) {
	t := strings.ToLower(strings.TrimSpace(tier))
	if t == "" {
		return DefaultTier, ""
	}
	for _, k := range Tiers {
		if t == k {
			return k, ""
		}
	}
	return DefaultTier, fmt.Sprintf("unknown tier %q taken as %s (known: %s)", tier, DefaultTier, strings.Join(Tiers, ", "))
}

// MostCritical is the most critical of tiers, each normalised (NormaliseTier: an unknown tier counts as
// DefaultTier); DefaultTier for none. It settles a model whose registry rows disagree on its tier: paging too
// often is the recoverable mistake, never paging for a critical model is not.
func MostCritical(tiers []string) string {
	best := len(Tiers)
	for _, t := range tiers {
		n, _ := NormaliseTier(t)
		best = min(best, slices.Index(Tiers, n))
	}
	if best == len(Tiers) {
		return DefaultTier
	}
	return Tiers[best]
}

// Urgency is how soon a window's state needs a person, before the tier is applied.
type Urgency int

// Urgencies, in increasing order.
const (
	None Urgency = iota
	Low
	Medium
	High
)

// MattersLevel is the importance-weighted drift (covariate-shift evidence: the importance-weighted mean of
// score / threshold over the features carrying half the model's importance) at which a covariate shift is taken
// to hurt where no performance estimate can say so (regression models, or a reference without enough labels):
// twice the level at which the verdict calls a covariate shift, i.e. the features that carry the model at twice
// their drift threshold on average. The factor is PSI's convention: 0.1 "watch", 0.2 "act" (engine/drift's
// default PSI threshold is the 0.2) — acting starts at twice the watching level.
const MattersLevel = 2.0

// Signals are the facts of one model window that the rule reads.
type Signals struct {
	// Verdict: the diagnosis verdict the window stands at (diagnosis.Standings: its own, or while its labels are
	// pending a concept drift or prior shift decided earlier); Verdict* and Cause* constants, anything else is
	// treated as ok.
	Verdict string
	// WeightedDrift: the importance-weighted drift (covariate-shift evidence, >= 1: covariate shift); nil unknown.
	WeightedDrift *float64
	// Impact: how far the estimated primary metric fell below the reference, in widths of the estimate's own
	// sampling band (3σ): >= 1 means the estimate left its band downwards; nil where there is no estimate.
	Impact *float64
	// AnyFeatureDrift: some feature of the model, of any importance, scored at or beyond its drift threshold.
	AnyFeatureDrift bool
	// PredictionDrift: the score distribution moved (prediction-drift evidence >= 1).
	PredictionDrift bool
}

// Matters is the "drift that matters" gate: the drift is expected to hurt the model's performance. Where there
// is a performance estimate, it is the judge: the estimate left its band downwards (Impact >= 1) — CBPE turns
// the shifted inputs into the performance they imply, so a drift it does not see hurting (a feature moving
// along the model's calibrated range, as a price rise does for a churn model) does not page, however large the
// drift score. Without an estimate the importance-weighted drift decides (>= MattersLevel).
func (s Signals) Matters() bool {
	if s.Impact != nil {
		return *s.Impact >= 1
	}
	return s.WeightedDrift != nil && *s.WeightedDrift >= MattersLevel
}

// Urgency of a window (see the package comment).
func (s Signals) Urgency() Urgency {
	switch s.Verdict {
	case diagnosis.CausePipelineBreak, diagnosis.CauseConceptDrift:
		return High
	case diagnosis.CauseCovariateShift:
		if s.Matters() {
			return High
		}
		return Medium
	case diagnosis.CausePriorShift:
		return Medium
	}
	if s.AnyFeatureDrift || s.PredictionDrift || (s.Impact != nil && *s.Impact >= 1) {
		return Low
	}
	return None
}

// Of is the severity of urgency u for a model of tier (a known tier: see NormaliseTier).
func Of(tier string, u Urgency) Level {
	if u == None {
		return OK
	}
	switch tier {
	case TierCritical:
		return [...]Level{OK, Report, Ticket, Page}[u]
	case TierExperimental:
		return Report
	}
	return [...]Level{OK, Report, Report, Ticket}[u]
}

// Hold applies a cool-down to a series of per-window severities: the severity of window i is the highest of
// windows i−hold+1 … i. A raise is immediate (a page is never delayed), a drop waits until hold windows in a row
// were lower, so a model that flaps between two states does not open and resolve an alert every window.
// hold <= 1 returns the severities unchanged.
func Hold(levels []Level, hold int) []Level {
	out := make([]Level, len(levels))
	for i := range levels {
		out[i] = levels[HeldFrom(levels, hold, i)]
	}
	return out
}

// HeldFrom is the window whose severity Hold gives window i: the latest of windows i−hold+1 … i−1 with a higher
// severity than window i's own and the highest of them, or i itself when none is higher (always for hold <= 1).
func HeldFrom(levels []Level, hold, i int) int {
	from := i
	for j := i - 1; j >= max(0, i-hold+1); j-- {
		if levels[j] > levels[from] {
			from = j
		}
	}
	return from
}

// Since is the index of the first window of the run of equal values that ends at the last window of xs (0 when
// all are equal); -1 for an empty xs.
func Since[T comparable](xs []T) int {
	if len(xs) == 0 {
		return -1
	}
	i := len(xs) - 1
	for i > 0 && xs[i-1] == xs[len(xs)-1] {
		i--
	}
	return i
}
