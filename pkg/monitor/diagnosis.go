package monitor

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/engine/stats"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Causes of a diagnosis, each its own evidence series; the verdict is one of them, VerdictOK or VerdictPriorShift.
// prediction_drift is evidence only: it never decides a verdict (see Verdict).
const (
	CausePipelineBreak   = "pipeline_break"
	CauseCovariateShift  = "covariate_shift"
	CausePredictionDrift = "prediction_drift"
	CauseConceptDrift    = "concept_drift"
	CauseLabelDrift      = "label_drift"
	VerdictOK            = "ok"
	VerdictPriorShift    = "prior_shift"
)

// DiagnosisCauses lists the evidence series in output order.
var DiagnosisCauses = []string{CausePipelineBreak, CauseCovariateShift, CausePredictionDrift, CauseConceptDrift, CauseLabelDrift}

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

// Thresholds of the statistical evidence (concept drift, label drift).
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
	// the Gini coefficient): a practical-significance floor like LabelRelativeShift. Sampling σ assumes the
	// reference week is a random sample of the model's life; a real reference is one draw of the week-to-week
	// variation (calendar, campaigns, label mix), which no row-level σ sees, and it fixes the calibration of
	// every later estimate. A fifth of the skill (0.87 → 0.80, 0.70 → 0.66) is a loss a model owner retrains
	// for. It is taken on the skill, not on the AUC itself: a relative floor on the AUC (say 20 % of it) would
	// let a weak model lose most of its skill (0.70 → 0.56) before firing.
	ConceptSkillDrop = 0.2
	// LabelSigmas: the label rate must move by this many σ of the difference of two binomial rates (the window's
	// and the reference's)...
	LabelSigmas = FleetSigmas
	// LabelRelativeShift: ...and by this share of min(p_ref, 1 − p_ref): a practical-significance floor, so that
	// on large windows a statistically detectable but small wobble of the rate (e.g. 2.0 % → 2.3 %) is not
	// called a prior shift. Half the minority-class rate is a change a model owner acts on (rebalancing,
	// threshold review); smaller changes are within the seasonality of most label rates.
	LabelRelativeShift = 0.5
	// PredictionDriftThreshold: the Jensen–Shannon distance (base 2) between the reference's and the window's
	// score distributions at which prediction drift is present: the common JS threshold (DESIGN §4: Evidently's
	// and the auto metric's 0.1).
	PredictionDriftThreshold = 0.1
	// PredictionBins: the score is binned on this many reference quantiles (DESIGN §4's default of 10 bins for
	// distances shown to people), from the store's 1/1000 score buckets.
	PredictionBins = 10
	// CovariateTopShare: covariate-shift evidence averages the most important features that together carry
	// this share of the model's importance (see CovariateEvidence). Importances follow a long tail in practice
	// (as in every SHAP summary plot): a handful of features carries most of the model. Half of the importance
	// is "the features that matter" while staying robust to one feature's noise: it holds ≥ 2 features unless
	// one alone carries half the model, and a drift of a feature inside it, the others quiet, counts about
	// twice its importance share (w·r / Σ_top w with Σ_top w ≈ half the total) instead of once.
	CovariateTopShare = 0.5
)

// DiagnosisWindow is the evidence of one model in one window. Each evidence is normalised so that >= 1 means the
// cause is present; nil means it could not be computed there.
type DiagnosisWindow struct {
	Start time.Time
	// PipelineBreak = max over the dataQuality checks of: (null_share − reference null_share) / NullShareJump,
	// out_of_range_share / OutOfRangeShare, new_category_share / NewCategoryShare, type_error_share /
	// TypeErrorShare, |volume_ratio − 1| / VolumeDeviation. PipelineCheck names the check (and feature) that gave the maximum.
	PipelineBreak *float64
	PipelineCheck string
	// CovariateShift: see CovariateEvidence (auto metric's score over its threshold, importance-weighted over
	// the most important features).
	CovariateShift *float64
	// PredictionDrift = JS distance (base 2) of the score over PredictionBins reference-quantile bins, divided by
	// PredictionDriftThreshold (see PredictionEvidence). Models with a score column only; evidence only.
	PredictionDrift *float64
	// ConceptDrift: see ConceptEvidence. EstimatedAUC is the CBPE estimate over the window's predictions,
	// RealizedAUC the ROC AUC over its Labelled rows (labels known by the query's end), ReferenceGap the
	// reference's own estimated − realized ROC AUC (the estimator's in-sample bias, subtracted).
	ConceptDrift                            *float64
	EstimatedAUC, RealizedAUC, ReferenceGap *float64
	Labelled                                int64
	// LabelDrift: see LabelEvidence. p is the window's positive-label rate over its Labelled rows, p_ref the
	// reference's.
	LabelDrift                    *float64
	LabelRate, ReferenceLabelRate *float64
	Verdict                       string
}

// DiagnosisModel is one model's windows.
type DiagnosisModel struct {
	Model   string
	Windows []DiagnosisWindow
}

// DiagnosisResult is the answer to one diagnosis request.
type DiagnosisResult struct {
	Models  []DiagnosisModel
	Window  time.Duration
	SQL     []string
	Notices []string
}

// Verdict decides one window from its evidence, first cause first:
//  1. pipeline_break: a logging error makes every other signal unreliable, so it is checked first (the issue:
//     "the logging error checks to run first when performance drops");
//  2. concept_drift: realized ROC AUC significantly and materially below the CBPE estimate (ConceptEvidence) —
//     CBPE already follows the covariate shift, so the gap is what covariate shift does not explain;
//  3. covariate_shift: the importance-weighted feature drift;
//  4. prior_shift: the label rate moved while the features did not (covariate_shift < 1);
//  5. ok.
//
// prediction_drift is not a verdict: the score distribution moves with covariate and prior shift (through the
// inputs) and with a break upstream of the model, and stays put under pure concept drift, so it corroborates the
// others and is the first, label-free sign of a prior shift whose labels have not arrived, but does not tell the
// causes apart. Missing evidence counts as absent.
func Verdict(w DiagnosisWindow) string {
	on := func(x *float64) bool { return x != nil && *x >= 1 }
	switch {
	case on(w.PipelineBreak):
		return CausePipelineBreak
	case on(w.ConceptDrift):
		return CauseConceptDrift
	case on(w.CovariateShift):
		return CauseCovariateShift
	case on(w.LabelDrift):
		return VerdictPriorShift
	}
	return VerdictOK
}

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
// ReferenceGap corrects the estimator's own in-sample bias (isotonic pooling; see referenceGap).
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

// AUCSigma is DeLong's standard error of the ROC AUC of labelled score buckets (DeLong, DeLong & Clarke-Pearson
// 1988), with the rows of a bucket tied: for P_b positives and N_b negatives in bucket b (m and n in all),
//
//	V10_b = (negatives below b + N_b/2) / n      (each positive's share of negatives ranked below it)
//	V01_b = (positives above b + P_b/2) / m      (each negative's share of positives ranked above it)
//	AUC   = Σ P_b V10_b / m
//	S10   = Σ P_b (V10_b − AUC)² / (m − 1),  S01 = Σ N_b (V01_b − AUC)² / (n − 1)
//	σ     = sqrt(S10/m + S01/n)
//
// Unlike the band's one-component σ (the positives' placements only, from the reference), it counts both
// classes' placements and is measured on the rows themselves. NaN with fewer than 2 rows of either class.
func AUCSigma(buckets []store.ScoreBucket) float64 {
	pos, neg := map[int]float64{}, map[int]float64{}
	var keys []int
	for _, b := range buckets {
		if _, ok := pos[b.Bucket]; !ok {
			if _, ok := neg[b.Bucket]; !ok {
				keys = append(keys, b.Bucket)
			}
		}
		if b.Label == 1 {
			pos[b.Bucket] += float64(b.Count)
		} else {
			neg[b.Bucket] += float64(b.Count)
		}
	}
	sort.Ints(keys)
	var m, n float64
	for _, k := range keys {
		m += pos[k]
		n += neg[k]
	}
	if m < 2 || n < 2 {
		return math.NaN()
	}
	v10, v01 := make([]float64, len(keys)), make([]float64, len(keys))
	var below, auc float64
	for i, k := range keys {
		v10[i] = (below + neg[k]/2) / n
		below += neg[k]
		auc += pos[k] * v10[i]
	}
	auc /= m
	above := 0.0
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i]
		v01[i] = (above + pos[k]/2) / m
		above += pos[k]
	}
	var s10, s01 float64
	for i, k := range keys {
		s10 += pos[k] * (v10[i] - auc) * (v10[i] - auc)
		s01 += neg[k] * (v01[i] - auc) * (v01[i] - auc)
	}
	s10 /= m - 1
	s01 /= n - 1
	return math.Sqrt(s10/m + s01/n)
}

// LabelEvidence is the label-drift evidence of a window with positive rate p over n labelled rows against the
// reference's rate pRef over nRef labelled rows (nRef <= 0: the reference rate is taken as exact):
//
//	σ = sqrt(pRef(1 − pRef) · (1/n + 1/nRef))     (the σ of the difference of the two rates under no change)
//	evidence = |p − pRef| / max(LabelSigmas · σ, LabelRelativeShift · min(pRef, 1 − pRef))
func LabelEvidence(p float64, n int64, pRef float64, nRef int64) *float64 {
	if n <= 0 || pRef <= 0 || pRef >= 1 {
		return nil
	}
	inv := 1 / float64(n)
	if nRef > 0 {
		inv += 1 / float64(nRef)
	}
	tol := math.Max(LabelSigmas*math.Sqrt(pRef*(1-pRef)*inv), LabelRelativeShift*math.Min(pRef, 1-pRef))
	return v(math.Abs(p-pRef) / tol)
}

// CovariateEvidence is the covariate-shift evidence of one window over its features' drift series; window i of
// every series is used. Each scored feature f has the ratio r_f = score_f / threshold_f (auto metric; for
// p-value metrics, which drift below their threshold, threshold_f / max(p_f, 1e-12)). When every scored feature
// of the model has a positive registry importance w_f, the features are taken by importance descending (ties:
// the order of the series) until their importances reach CovariateTopShare of the total (the feature that
// crosses it included), and
//
//	evidence = Σ_top w_f · r_f / Σ_top w_f;
//
// otherwise there is no ranking to pick from and the evidence is the plain mean of r_f over the scored features.
// Why not the weighted mean over every feature: a model with a long tail of unimportant features (churn: 20
// features, the top one 17 %) dilutes a drift of an important feature below 1, although the tail cannot move the
// model's output much whatever it does. Why not the max over features: one noisy low-importance feature (small
// windows, a categorical with rare values) would decide alone.
func CovariateEvidence(series []Series, i int) *float64 {
	weighted := true
	type term struct{ ratio, w float64 }
	var terms []term
	for _, s := range series {
		if i >= len(s.Windows) || s.Windows[i].Value == nil || s.Threshold <= 0 {
			continue
		}
		x := *s.Windows[i].Value
		r := x / s.Threshold
		if s.Direction == drift.Below {
			r = s.Threshold / math.Max(x, 1e-12)
		}
		w := 0.0
		if s.Feature.Importance != nil && *s.Feature.Importance > 0 {
			w = *s.Feature.Importance
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

// Diagnosis composes the drift (auto metric, every feature), dataQuality, estimatedPerformance and realized
// performance analyses, and the score histograms of the reference and of each window, into per-window evidence
// for each cause and a verdict (diagnosis query). The analyses share one request-scoped memo of the store, so an
// aggregate two of them need is read once.
func (s *Service) Diagnosis(ctx context.Context, req Request) (DiagnosisResult, error) {
	memo := *s
	memo.store = newMemoStore(s.store)
	return memo.diagnosis(ctx, req)
}

func (s *Service) diagnosis(ctx context.Context, req Request) (DiagnosisResult, error) {
	var res DiagnosisResult
	dreq := req
	dreq.Query.Metric, dreq.Query.Threshold, dreq.Query.Features = query.MetricAuto, nil, nil
	dr, err := s.Drift(ctx, dreq)
	if err != nil {
		return res, err
	}
	res.Window, res.SQL, res.Notices = dr.Window, append(res.SQL, dr.SQL...), append(res.Notices, dr.Notices...)
	p, err := s.plan(ctx, dreq)
	if err != nil {
		return res, err
	}

	qr, err := s.Quality(ctx, dreq)
	if err != nil {
		return res, err
	}
	res.SQL = append(res.SQL, qr.SQL...)
	refNull := map[key]float64{} // mean null_share of the reference windows
	if !p.refScope.From.IsZero() {
		rreq := dreq
		ref := query.Reference{Type: query.RefRange, From: p.refScope.From, To: p.refScope.To}
		rreq.Query.Reference, rreq.From, rreq.To = &ref, p.refScope.From, p.refScope.To
		rq, err := s.Quality(ctx, rreq)
		if err != nil {
			return res, err
		}
		res.SQL = append(res.SQL, rq.SQL...)
		for _, qs := range rq.Series {
			if qs.Check != CheckNullShare {
				continue
			}
			var sum float64
			var n int
			for _, pt := range qs.Points {
				if pt.Value != nil {
					sum += *pt.Value
					n++
				}
			}
			if n > 0 {
				refNull[key{qs.Model, qs.Feature}] = sum / float64(n)
			}
		}
	} else {
		res.Notices = append(res.Notices, "a reference table has no time: null_share jumps are measured against 0")
	}

	er, err := s.EstimatedPerformance(ctx, req)
	if err != nil {
		return res, err
	}
	res.SQL, res.Notices = append(res.SQL, er.SQL...), append(res.Notices, er.Notices...)
	lab, err := s.diagnosisLabels(ctx, req, p, &res)
	if err != nil {
		return res, err
	}
	scores, err := s.diagnosisScores(ctx, req, p, &res)
	if err != nil {
		return res, err
	}

	// Assemble per model.
	var models []string
	byModel := map[string][]Series{}
	for _, sr := range dr.Series {
		m := sr.Feature.Model
		if _, ok := byModel[m]; !ok {
			models = append(models, m)
		}
		byModel[m] = append(byModel[m], sr)
	}
	sort.Strings(models)
	est := map[modelWindow]*float64{} // CBPE ROC AUC by (model, window start in Unix seconds)
	for _, es := range er.Series {
		if es.Metric != PerfROCAUC {
			continue
		}
		for _, pt := range es.Points {
			est[modelWindow{es.Model, pt.Start.Unix()}] = pt.Value
		}
	}
	minSamples := int64(s.cfg.MinSamples)
	for _, m := range models {
		dm := DiagnosisModel{Model: m}
		l, hasLabels := lab[m]
		for i := 0; i < p.windows; i++ {
			start := p.origin.Add(time.Duration(i) * p.window)
			w := DiagnosisWindow{Start: start}
			w.CovariateShift = CovariateEvidence(byModel[m], i)
			w.PipelineBreak, w.PipelineCheck = pipelineEvidence(qr.Series, m, i, refNull)
			if h, ok := scores.cur[modelWindow{m, int64(i)}]; ok && scores.ref[m] != nil {
				w.PredictionDrift = PredictionEvidence(scores.ref[m], h, minSamples)
			}
			if hasLabels && i < len(l.rate) {
				w.Labelled = l.n[i]
				if e := est[modelWindow{m, start.Unix()}]; e != nil {
					w.EstimatedAUC, w.RealizedAUC, w.ReferenceGap = e, l.auc[i], l.refGap
					w.ConceptDrift = ConceptEvidence(ConceptInputs{Estimated: e, Realized: l.auc[i],
						RealizedSigma: l.sigma[i], ReferenceSigma: l.refSigma, ReferenceGap: l.refGap})
				}
				w.LabelRate, w.ReferenceLabelRate = l.rate[i], l.ref
				if l.rate[i] != nil && l.ref != nil {
					w.LabelDrift = LabelEvidence(*l.rate[i], l.n[i], *l.ref, l.refN)
				}
			}
			w.Verdict = Verdict(w)
			dm.Windows = append(dm.Windows, w)
		}
		res.Models = append(res.Models, dm)
	}
	return res, nil
}

// pipelineEvidence is the pipeline-break evidence of model m in window i (see DiagnosisWindow.PipelineBreak).
func pipelineEvidence(series []QualitySeries, m string, i int, refNull map[key]float64) (*float64, string) {
	var best *float64
	var which string
	for _, qs := range series {
		if qs.Model != m || i >= len(qs.Points) || qs.Points[i].Value == nil {
			continue
		}
		x := *qs.Points[i].Value
		var e float64
		switch qs.Check {
		case CheckNullShare:
			e = (x - refNull[key{m, qs.Feature}]) / NullShareJump
		case CheckOutOfRangeShare:
			e = x / OutOfRangeShare
		case CheckNewCategoryShare:
			e = x / NewCategoryShare
		case CheckTypeErrorShare:
			e = x / TypeErrorShare
		case CheckVolumeRatio:
			e = math.Abs(x-1) / VolumeDeviation
		default:
			continue
		}
		if best == nil || e > *best {
			best, which = v(e), qs.Check
			if qs.Feature != "" {
				which += ":" + qs.Feature
			}
		}
	}
	return best, which
}

// modelLabels is one binary model's label evidence per window: the realized ROC AUC, the positive-label rate
// (nil below the minimum of labelled rows) and the labelled rows; and the reference's rate, labelled rows and
// in-sample CBPE gap.
type modelLabels struct {
	auc, rate []*float64
	sigma     []float64 // DeLong σ of auc
	n         []int64
	ref       *float64
	refN      int64
	refGap    *float64
	refSigma  float64
}

// diagnosisLabels reads the realized ROC AUC, the positive-label rate and the labelled rows per binary model and
// window from the performance aggregates (the same as the performance query's), and from the reference's: its
// label rate (time-based references only) and the gap between CBPE's estimate on the reference itself (the
// calibration evaluated on the rows it was fitted on) and the reference's realized ROC AUC.
func (s *Service) diagnosisLabels(ctx context.Context, req Request, p plan, res *DiagnosisResult) (map[string]modelLabels, error) {
	out := map[string]modelLabels{}
	all, err := s.queryModels(ctx, req.Query)
	if err != nil {
		return nil, err
	}
	binary := map[string]bool{}
	for _, m := range all {
		if m.Task == TaskBinary {
			binary[m.ID] = true
		}
	}
	if len(binary) == 0 {
		res.Notices = append(res.Notices, "concept_drift and label_drift need a binary classifier: not diagnosed")
		return out, nil
	}
	preq := store.PerformanceRequest{Threshold: decisionThreshold(req.Query), LabelsUntil: req.To}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.origin, To: req.To}
	cur, err := s.store.Performance(ctx, scope, store.Windowing{Origin: p.origin, Width: p.window}, preq)
	if err != nil {
		return nil, err
	}
	res.SQL = append(res.SQL, cur.SQL...)
	minSamples := int64(s.cfg.MinSamples)
	ref, err := s.store.Performance(ctx, p.refScope, store.Windowing{}, preq)
	if err != nil {
		return nil, err
	}
	res.SQL = append(res.SQL, ref.SQL...)
	refWin := map[string]store.WindowPerformance{}
	for _, r := range ref.Windows {
		refWin[r.Model] = r
	}
	refBuckets := map[string][]store.ScoreBucket{}
	for _, b := range ref.Buckets {
		refBuckets[b.Model] = append(refBuckets[b.Model], b)
	}
	timeBased := p.refScope.Table == ""
	if !timeBased {
		res.Notices = append(res.Notices, "label_drift needs a time-based reference (range or trailing): not diagnosed")
	}
	hist := map[modelWindow][]store.ScoreBucket{}
	for _, b := range cur.Buckets {
		hist[modelWindow{b.Model, b.Window}] = append(hist[modelWindow{b.Model, b.Window}], b)
	}
	win := map[modelWindow]store.WindowPerformance{}
	for _, r := range cur.Windows {
		win[modelWindow{r.Model, r.Window}] = r
	}
	anyRef := false
	for m := range binary {
		l := modelLabels{auc: make([]*float64, p.windows), rate: make([]*float64, p.windows), n: make([]int64, p.windows),
			sigma: make([]float64, p.windows)}
		if r, ok := refWin[m]; ok && r.Labelled >= minSamples && r.Labelled > 0 {
			anyRef = true
			if timeBased {
				l.ref, l.refN = v(float64(r.TP+r.FN)/float64(r.Labelled)), r.Labelled
			}
			l.refGap = referenceGap(r, refBuckets[m], minSamples)
			l.refSigma = AUCSigma(refBuckets[m])
		}
		for i := 0; i < p.windows; i++ {
			r := win[modelWindow{m, int64(i)}]
			h := hist[modelWindow{m, int64(i)}]
			vals, _, _ := binaryMetrics(r, h, minSamples)
			l.auc[i], l.n[i], l.sigma[i] = vals[PerfROCAUC], r.Labelled, AUCSigma(h)
			if r.Labelled > 0 && r.Labelled >= minSamples {
				l.rate[i] = v(float64(r.TP+r.FN) / float64(r.Labelled))
			}
		}
		out[m] = l
	}
	if !anyRef {
		res.Notices = append(res.Notices, fmt.Sprintf("the reference has fewer than %d labelled rows per model: no label_drift", minSamples))
	}
	return out, nil
}

// referenceGap is CBPE's in-sample bias on the reference: the ROC AUC that Expect gives with the calibration
// fitted on the reference's labelled buckets, evaluated on those same buckets, minus the realized ROC AUC of
// those buckets. nil when either is undefined.
func referenceGap(r store.WindowPerformance, buckets []store.ScoreBucket, minSamples int64) *float64 {
	vals, _, _ := binaryMetrics(r, append([]store.ScoreBucket(nil), buckets...), minSamples)
	realized := vals[PerfROCAUC]
	if realized == nil {
		return nil
	}
	byBucket := map[int]*CalibrationBucket{}
	var pred []store.PredictedBucket
	for _, b := range buckets {
		cb := byBucket[b.Bucket]
		if cb == nil {
			cb = &CalibrationBucket{Bucket: b.Bucket}
			byBucket[b.Bucket] = cb
		}
		cb.Count += b.Count
		if b.Label == 1 {
			cb.Positives += b.Count
		}
		pred = append(pred, store.PredictedBucket{Bucket: b.Bucket, Count: b.Count})
	}
	cbs := make([]CalibrationBucket, 0, len(byBucket))
	for _, cb := range byBucket {
		cbs = append(cbs, *cb)
	}
	e := Expect(FitIsotonic(cbs), pred)
	if math.IsNaN(e.AUC) {
		return nil
	}
	return v(e.AUC - *realized)
}

// scoreHistograms are the score distributions behind prediction_drift: rows per 1/1000 score bucket of the
// reference (per model) and of each current window.
type scoreHistograms struct {
	ref map[string][]float64
	cur map[modelWindow][]float64
}

// diagnosisScores reads the score histograms of the reference scope and of the current windows (the store's
// label-free ScoreHistogram aggregate; the decision threshold only splits the buckets, which are summed here).
// Models without a score have no buckets and get no prediction_drift.
func (s *Service) diagnosisScores(ctx context.Context, req Request, p plan, res *DiagnosisResult) (scoreHistograms, error) {
	out := scoreHistograms{ref: map[string][]float64{}, cur: map[modelWindow][]float64{}}
	th := decisionThreshold(req.Query)
	ref, err := s.store.ScoreHistogram(ctx, p.refScope, store.Windowing{}, th)
	if err != nil {
		return out, err
	}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.origin, To: req.To}
	cur, err := s.store.ScoreHistogram(ctx, scope, store.Windowing{Origin: p.origin, Width: p.window}, th)
	if err != nil {
		return out, err
	}
	res.SQL = append(res.SQL, ref.SQL...)
	res.SQL = append(res.SQL, cur.SQL...)
	add := func(h []float64, b store.PredictedBucket) []float64 {
		if h == nil {
			h = make([]float64, store.ScoreBuckets)
		}
		if b.Bucket >= 0 && b.Bucket < len(h) {
			h[b.Bucket] += float64(b.Count)
		}
		return h
	}
	for _, b := range ref.Buckets {
		out.ref[b.Model] = add(out.ref[b.Model], b)
	}
	for _, b := range cur.Buckets {
		k := modelWindow{b.Model, b.Window}
		out.cur[k] = add(out.cur[k], b)
	}
	return out, nil
}
