package diagnosis

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/aiops/modelmonitor/pkg/engine/stats"
)

// Normalisations of the data-quality checks into pipeline_break exceedances: each check's value divided by the
// amount at which it is a break, so 1 is the threshold of every check.
const (
	// NullShareJump: null_share − the reference's mean null_share of that feature, in shares (10 points).
	NullShareJump = 0.10
	// OutOfRangeShare: share of rows outside the reference's [min, max] (5 %).
	OutOfRangeShare = 0.05
	// NewCategoryShare: share of rows with a category unseen in the reference (5 %).
	NewCategoryShare = 0.05
	// TypeErrorShare: share of rows whose numeric feature holds text that is not a number (5 %, as out of range).
	TypeErrorShare = 0.05
	// VolumeDeviation: |volume_ratio − 1| (half or one and a half times the reference volume).
	VolumeDeviation = 0.5
)

// Thresholds of the statistical evidence (concept drift, prior shift).
const (
	// FleetSigmas is the one-sided z at which a sampling-error test calls a cause present. A diagnosis is read
	// over a fleet and a month at once (50 models × 30 daily windows ≈ 1500 tests per cause): at 3σ (0.13 %
	// one-sided, 0.27 % two-sided) that is 2–4 false alarms a month on healthy models; at 4σ (3.2·10⁻⁵
	// one-sided, 6.3·10⁻⁵ two-sided) about 0.05–0.1, i.e. a Bonferroni-style family-wise level of ~5–10 % over
	// the fleet-month. (Fiddler's and WhyLabs' 3σ is per monitor; here one query is a whole family of them.)
	FleetSigmas = 4.0
	// ConceptSigmas: realized ROC AUC this many σ_gap below the bias-corrected CBPE estimate is concept drift
	// (σ_gap: see ConceptEvidence).
	ConceptSigmas = FleetSigmas
	// ConceptSkillDrop: ...and by at least this share of the estimate's skill above chance (AUC − 0.5, i.e. half
	// the Gini coefficient): a practical-significance floor like PriorShiftRelative. Sampling σ assumes the
	// reference week is a random sample of the model's life; a real reference is one draw of the week-to-week
	// variation (calendar, campaigns, label mix), which no row-level σ sees, and it fixes the calibration of
	// every later estimate. A fifth of the skill (0.87 → 0.80, 0.70 → 0.66) is a loss a model owner retrains
	// for. It is taken on the skill, not on the AUC itself: a relative floor on the AUC (say 20 % of it) would
	// let a weak model lose most of its skill (0.70 → 0.56) before firing.
	ConceptSkillDrop = 0.2
	// PriorShiftSigmas: the positive-label rate must move by this many σ of the difference of two binomial rates (the window's
	// and the reference's)...
	PriorShiftSigmas = FleetSigmas
	// PriorShiftRelative: ...and by this share of min(p_ref, 1 − p_ref): a practical-significance floor, so that
	// on large windows a statistically detectable but small wobble of the rate (e.g. 2.0 % → 2.3 %) is not
	// called a prior shift. Half the minority-class rate is a change a model owner acts on (rebalancing,
	// threshold review); smaller changes are within the seasonality of most label rates.
	PriorShiftRelative = 0.5
	// PredictionDriftThreshold: the Jensen–Shannon distance (base 2) between the reference's and the window's
	// score distributions at which prediction drift is present: the common JS threshold (Evidently's, and the auto
	// metric's, 0.1 for Jensen–Shannon distance).
	PredictionDriftThreshold = 0.1
	// PredictionBins: the score is binned on this many reference quantiles (the default of 10 bins the drift
	// metrics use for distances shown to people), from the 1/1000 score buckets.
	PredictionBins = 10
	// CovariateTopShare: covariate-shift evidence averages the most important features that together carry
	// this share of the model's importance (see CovariateEvidence). Importances follow a long tail in practice
	// (as in every SHAP summary plot): a handful of features carries most of the model. Half of the importance
	// is "the features that matter" while staying robust to one feature's noise: it holds ≥ 2 features unless
	// one alone carries half the model, and a drift of a feature inside it, the others quiet, counts about
	// twice its importance share (w·r / Σ_top w with Σ_top w ≈ half the total) instead of once.
	CovariateTopShare = 0.5
)

// ConceptInputs are the numbers behind one window's concept-drift evidence.
type ConceptInputs struct {
	// Estimated: the CBPE ROC AUC over the window's predictions; Realized: the ROC AUC over its labelled rows.
	Estimated, Realized *float64
	// RealizedSigma: the DeLong σ of the realized ROC AUC over the window's labelled rows (AUCSigma);
	// ReferenceSigma: the same over the labelled reference the calibration was fitted on (0: not known).
	RealizedSigma, ReferenceSigma float64
	// ReferenceGap: the CBPE estimate minus the realized ROC AUC on the reference itself (nil: no correction).
	ReferenceGap *float64
}

// ConceptEvidence is the concept-drift evidence of one window:
//
//	gap   = estimated − realized − ReferenceGap
//	σ_gap = sqrt(RealizedSigma² + ReferenceSigma²)
//	evidence = gap / max(ConceptSigmas · σ_gap, ConceptSkillDrop · (estimated − 0.5))
//
// >= 1: the realized AUC is both significantly (ConceptSigmas σ_gap) and materially (ConceptSkillDrop of the
// skill above chance) below the estimate. The two terms of σ_gap:
//   - the realized AUC is measured on the labelled rows only (with lagging labels or partial coverage far fewer
//     than the window's predictions), so its sampling error is DeLong's σ over those rows. The estimate over
//     the same window shares its scores, so the window adds no second independent term (its variance given the
//     scores is below DeLong's, which is therefore conservative);
//   - every window's estimate inherits the sampling error of the reference it was calibrated on: a reference
//     whose labels happen to rank well steepens the calibration and lifts every later estimate by as much. That
//     error, DeLong's σ over the labelled reference, is shared by all windows and does not average out on long
//     windows.
//
// ReferenceGap corrects the estimator's own in-sample bias (isotonic pooling; see cbpe.InSampleAUC).
func ConceptEvidence(c ConceptInputs) *float64 {
	if c.Estimated == nil || c.Realized == nil || !(c.RealizedSigma > 0) || math.IsNaN(c.ReferenceSigma) {
		return nil
	}
	gap := *c.Estimated - *c.Realized
	if c.ReferenceGap != nil {
		gap -= *c.ReferenceGap
	}
	tol := math.Max(ConceptSigmas*math.Hypot(c.RealizedSigma, c.ReferenceSigma), ConceptSkillDrop*(*c.Estimated-0.5))
	return v(gap / tol)
}

// PriorShiftEvidence is the prior-shift evidence of a window with positive rate p over n labelled rows against the
// reference's rate pRef over nRef labelled rows (nRef <= 0: the reference rate is taken as exact):
//
//	σ = sqrt(pRef(1 − pRef) · (1/n + 1/nRef))     (the σ of the difference of the two rates under no change)
//	evidence = |p − pRef| / max(PriorShiftSigmas · σ, PriorShiftRelative · min(pRef, 1 − pRef))
func PriorShiftEvidence(p float64, n int64, pRef float64, nRef int64) *float64 {
	if n <= 0 || pRef <= 0 || pRef >= 1 {
		return nil
	}
	inv := 1 / float64(n)
	if nRef > 0 {
		inv += 1 / float64(nRef)
	}
	tol := math.Max(PriorShiftSigmas*math.Sqrt(pRef*(1-pRef)*inv), PriorShiftRelative*math.Min(pRef, 1-pRef))
	return v(math.Abs(p-pRef) / tol)
}

// FeatureScore is one feature's drift score in one window: Value (nil: not scored there) against its metric's
// Threshold (Below: a p-value metric, which drifts below it; else a distance, which drifts above it), and the
// feature's registry Importance (nil: none).
type FeatureScore struct {
	Value      *float64
	Threshold  float64
	Below      bool
	Importance *float64
}

// CovariateEvidence is the covariate-shift evidence of one window over its features' drift scores (features with
// no value or no positive threshold are left out). Each scored feature f has the ratio r_f = score_f / threshold_f (auto metric; for
// p-value metrics, which drift below their threshold, threshold_f / max(p_f, 1e-12)). When every scored feature
// of the model has a positive registry importance w_f, the features are taken by importance descending (ties:
// the order of scores) until their importances reach CovariateTopShare of the total (the feature that
// crosses it included), and
//
//	evidence = Σ_top w_f · r_f / Σ_top w_f;
//
// otherwise there is no ranking to pick from and the evidence is the plain mean of r_f over the scored features.
// Why not the weighted mean over every feature: a model with a long tail of unimportant features (churn: 20
// features, the top one 17 %) dilutes a drift of an important feature below 1, although the tail cannot move the
// model's output much whatever it does. Why not the max over features: one noisy low-importance feature (small
// windows, a categorical with rare values) would decide alone.
func CovariateEvidence(scores []FeatureScore) *float64 {
	weighted := true
	type term struct{ ratio, w float64 }
	var terms []term
	for _, s := range scores {
		if s.Value == nil || s.Threshold <= 0 {
			continue
		}
		x := *s.Value
		r := x / s.Threshold
		if s.Below {
			r = s.Threshold / math.Max(x, 1e-12)
		}
		w := 0.0
		if s.Importance != nil && *s.Importance > 0 {
			w = *s.Importance
		} else {
			weighted = false
		}
		terms = append(terms, term{r, w})
	}
	if len(terms) == 0 {
		return nil
	}
	if !weighted {
		var sum float64
		for _, t := range terms {
			sum += t.ratio
		}
		return v(sum / float64(len(terms)))
	}
	var total float64
	for _, t := range terms {
		total += t.w
	}
	sort.SliceStable(terms, func(a, b int) bool { return terms[a].w > terms[b].w })
	var num, den float64
	for _, t := range terms {
		num += t.w * t.ratio
		den += t.w
		if den >= CovariateTopShare*total*(1-1e-12) {
			break
		}
	}
	return v(num / den)
}

// ScoreQuantileBins maps the 1/1000 score buckets (counts per bucket of the reference, indexed by bucket) to
// PredictionBins-style quantile bins of the reference: bin k ends at the first bucket where the reference's
// cumulative count reaches k/bins of its total (k = 1 … bins−1); edges that coincide are merged, and the outer
// bins are open (a window's scores beyond the reference's range fall in the first or last bin). It returns the
// bin of every bucket.
func ScoreQuantileBins(ref []float64, bins int) []int {
	var total float64
	for _, c := range ref {
		total += c
	}
	bin := make([]int, len(ref))
	if total <= 0 || bins < 1 {
		return bin
	}
	k, cum := 0, 0.0
	for b, c := range ref {
		bin[b] = k
		cum += c
		// close the current bin after this bucket once the next quantile is reached (several quantiles
		// reached in one bucket close one bin: duplicate edges merged)
		if k < bins-1 && cum >= float64(k+1)*total/float64(bins)*(1-1e-12) {
			k++
			for k < bins-1 && cum >= float64(k+1)*total/float64(bins)*(1-1e-12) {
				k++
			}
		}
	}
	// renumber densely (merged edges skip numbers)
	seen := map[int]int{}
	for b := range bin {
		if _, ok := seen[bin[b]]; !ok {
			seen[bin[b]] = len(seen)
		}
		bin[b] = seen[bin[b]]
	}
	return bin
}

// PredictionEvidence is the prediction-drift evidence of a window: with ref and cur the reference's and the
// window's row counts per 1/1000 score bucket, the Jensen–Shannon distance (base 2, stats.JSDistance, no
// smoothing needed) between their distributions over the reference-quantile bins of ScoreQuantileBins, divided
// by PredictionDriftThreshold. nil when either side has fewer than minSamples rows.
func PredictionEvidence(ref, cur []float64, minSamples int64) *float64 {
	var nr, nc float64
	for _, c := range ref {
		nr += c
	}
	for _, c := range cur {
		nc += c
	}
	if nr <= 0 || nc <= 0 || nr < float64(minSamples) || nc < float64(minSamples) || len(ref) != len(cur) {
		return nil
	}
	bin := ScoreQuantileBins(ref, PredictionBins)
	nb := 0
	for _, k := range bin {
		nb = max(nb, k+1)
	}
	r, c := make([]float64, nb), make([]float64, nb)
	for b := range ref {
		r[bin[b]] += ref[b]
		c[bin[b]] += cur[b]
	}
	d, _, err := stats.JSDistance(r, c)
	if err != nil {
		return nil
	}
	return v(d / PredictionDriftThreshold)
}

// VolumeEvidence is the volume check's pipeline-break evidence of a window whose rows n are x = n / λ times the
// λ rows the reference's rate expects there (for a partial last window, in its elapsed span):
//
//	evidence = min(|x − 1| / VolumeDeviation, max(z, 0) / FleetSigmas)
//	z = −Φ⁻¹(P(N ≤ n)) for a drop (x < 1), −Φ⁻¹(P(N ≥ n)) for a surge, N ~ Poisson(λ)
//
// (the tails from the regularized incomplete gamma function: P(N ≤ n) = Q(n + 1, λ), P(N ≥ n) = P(n, λ); gonum
// mathext). Both must hold for a break: the volume moved by half the reference's or more, and by more than
// Poisson noise at FleetSigmas — so a low-volume model, or the first minutes of a partial window where a few rows
// are expected, does not read a chance shortfall as a pipeline break (4 expected, 1 logged: x = 0.25, but
// P(N ≤ 1) = 0.092, evidence 0.33), while a silence where 20 rows were expected does (P(N = 0) = 2.1·10⁻⁹,
// z = 5.88, evidence 1.47). The form is that of PriorShiftEvidence — a change over the larger of a sampling and a
// practical tolerance — with the exact Poisson tail for the sampling part; λ is taken as exact (a reference of
// several windows estimates it far better than one window's count). λ <= 0 (not known): the ratio alone.
func VolumeEvidence(x float64, n int64, lambda float64) float64 {
	practical := math.Abs(x-1) / VolumeDeviation
	if !(lambda > 0) {
		return practical
	}
	var tail float64
	if k := float64(n); k < lambda {
		tail = mathext.GammaIncRegComp(k+1, lambda)
	} else {
		tail = mathext.GammaIncReg(k, lambda) // n >= λ > 0, so n >= 1 (the function's domain)
	}
	z := -distuv.UnitNormal.Quantile(tail)
	return math.Min(practical, math.Max(z, 0)/FleetSigmas)
}

// QualityCheck is a data-quality check that can signal a pipeline break; each has its own normalisation.
type QualityCheck int

// The checks of PipelineEvidence.
const (
	NullShare   QualityCheck = iota + 1 // null share, against the reference's mean null share (NullShareJump)
	OutOfRange                          // share outside the reference's range (OutOfRangeShare)
	NewCategory                         // share of unseen categories (NewCategoryShare)
	TypeError                           // share of text that is not a number (TypeErrorShare)
	Volume                              // rows / the reference's mean rows per window (VolumeEvidence)
)

// QualityReading is one data-quality check's value in one window. Name is what PipelineEvidence reports (e.g.
// "null_share:age"); ReferenceNullShare is the reference's mean null share of the feature (NullShare only); Rows
// and Expected are the window's rows and the rows the reference's rate expects there (Volume only: Value = Rows /
// Expected; Expected 0: not known, the ratio is judged alone).
type QualityReading struct {
	Name               string
	Check              QualityCheck
	Value              float64
	ReferenceNullShare float64
	Rows               int64
	Expected           float64
}

// PipelineEvidence is the pipeline-break evidence of one window: the largest exceedance over its readings,
//
//	null share: (x − reference null share) / NullShareJump;  out of range: x / OutOfRangeShare;
//	new category: x / NewCategoryShare;  type error: x / TypeErrorShare;  volume: VolumeEvidence,
//
// and the Name of the reading that gave it (the first of equal ones). nil and "" without readings.
func PipelineEvidence(readings []QualityReading) (*float64, string) {
	var best *float64
	var which string
	for _, r := range readings {
		var e float64
		switch r.Check {
		case NullShare:
			e = (r.Value - r.ReferenceNullShare) / NullShareJump
		case OutOfRange:
			e = r.Value / OutOfRangeShare
		case NewCategory:
			e = r.Value / NewCategoryShare
		case TypeError:
			e = r.Value / TypeErrorShare
		case Volume:
			e = VolumeEvidence(r.Value, r.Rows, r.Expected)
		default:
			continue
		}
		if best == nil || e > *best {
			best, which = v(e), r.Name
		}
	}
	return best, which
}
