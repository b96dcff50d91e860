package monitor

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Causes of a diagnosis, each its own evidence series; the verdict is one of them, VerdictOK or VerdictPriorShift.
const (
	CausePipelineBreak  = "pipeline_break"
	CauseCovariateShift = "covariate_shift"
	CauseConceptDrift   = "concept_drift"
	CauseLabelDrift     = "label_drift"
	VerdictOK           = "ok"
	VerdictPriorShift   = "prior_shift"
)

// DiagnosisCauses lists the evidence series in output order.
var DiagnosisCauses = []string{CausePipelineBreak, CauseCovariateShift, CauseConceptDrift, CauseLabelDrift}

// Normalisations of the data-quality checks into pipeline_break exceedances: each check's value divided by the
// amount at which it is a break, so 1 is the threshold of every check.
const (
	// NullShareJump: null_share − the reference's mean null_share of that feature, in shares (10 points).
	NullShareJump = 0.10
	// OutOfRangeShare: share of rows outside the reference's [min, max] (5 %).
	OutOfRangeShare = 0.05
	// NewCategoryShare: share of rows with a category unseen in the reference (5 %).
	NewCategoryShare = 0.05
	// VolumeDeviation: |volume_ratio − 1| (half or one and a half times the reference volume).
	VolumeDeviation = 0.5
	// ConceptSigmas: realized ROC AUC this many σ below the CBPE estimate is concept drift: the band's 3σ times
	// √2, as the realized AUC carries a sampling error of about the estimate's own, so their difference has σ√2
	// (with 3σ alone, healthy demo models crossed it on single days).
	ConceptSigmas = BandSigmas * math.Sqrt2
	// LabelRelativeShift: the label rate must move by this share of min(p_ref, 1 − p_ref), and by 3 binomial σ
	// (at 0.25 a few healthy demo models crossed it on single days).
	LabelRelativeShift = 0.5
)

// DiagnosisWindow is the evidence of one model in one window. Each evidence is normalised so that >= 1 means the
// cause is present; nil means it could not be computed there.
type DiagnosisWindow struct {
	Start time.Time
	// PipelineBreak = max over the dataQuality checks of: (null_share − reference null_share) / NullShareJump,
	// out_of_range_share / OutOfRangeShare, new_category_share / NewCategoryShare, |volume_ratio − 1| /
	// VolumeDeviation. PipelineCheck names the check (and feature) that gave the maximum.
	PipelineBreak *float64
	PipelineCheck string
	// CovariateShift = Σ w_f · score_f / threshold_f / Σ w_f over the features scored in the window (auto metric;
	// for p-value metrics, which drift below their threshold, threshold_f / max(p_f, 1e-12)); w_f is the
	// registry importance when every scored feature of the model has a positive one, else 1.
	CovariateShift *float64
	// ConceptDrift = (estimated − realized ROC AUC) / σ, σ = max(upper − value, value − lower) / 3 of the CBPE
	// ROC AUC band (the larger half-width, as the band is clipped to [0, 1]), divided by ConceptSigmas: >= 1 when
	// the realized AUC is more than 3√2 σ below the estimate. Binary models with labels only.
	ConceptDrift              *float64
	EstimatedAUC, RealizedAUC *float64
	// LabelDrift = |p − p_ref| / max(3·sqrt(p_ref(1 − p_ref)/n), LabelRelativeShift·min(p_ref, 1 − p_ref)), p the
	// window's positive-label rate over its n labelled rows, p_ref the reference's.
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
//  2. concept_drift: realized performance below the CBPE band — CBPE already follows the covariate shift, so the
//     gap is what covariate shift does not explain;
//  3. covariate_shift: the importance-weighted feature drift;
//  4. prior_shift: the label rate moved while the features did not (covariate_shift < 1);
//  5. ok.
//
// Missing evidence counts as absent.
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

// ConceptEvidence is the concept-drift evidence of one window (see DiagnosisWindow.ConceptDrift).
func ConceptEvidence(estimated, upper, lower, realized *float64) *float64 {
	if estimated == nil || realized == nil || (upper == nil && lower == nil) {
		return nil
	}
	var half float64
	if upper != nil {
		half = *upper - *estimated
	}
	if lower != nil {
		half = math.Max(half, *estimated-*lower)
	}
	sigma := half / BandSigmas
	if sigma <= 0 {
		return nil
	}
	return v((*estimated - *realized) / sigma / ConceptSigmas)
}

// LabelEvidence is the label-drift evidence of a window with positive rate p over n labelled rows (see
// DiagnosisWindow.LabelDrift).
func LabelEvidence(p float64, n int64, pRef float64) *float64 {
	if n <= 0 || pRef <= 0 || pRef >= 1 {
		return nil
	}
	tol := math.Max(3*math.Sqrt(pRef*(1-pRef)/float64(n)), LabelRelativeShift*math.Min(pRef, 1-pRef))
	return v(math.Abs(p-pRef) / tol)
}

// CovariateEvidence is the covariate-shift evidence of one window over its features' drift series (see
// DiagnosisWindow.CovariateShift); window i of every series is used.
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
	var num, den float64
	for _, t := range terms {
		w := 1.0
		if weighted {
			w = t.w
		}
		num += w * t.ratio
		den += w
	}
	return v(num / den)
}

// Diagnosis composes the drift (auto metric, every feature), dataQuality, estimatedPerformance and realized
// performance analyses into per-window evidence for each cause and a verdict (diagnosis query). Prediction drift
// is not given: the drift analyses score feature columns only (a notice says so).
func (s *Service) Diagnosis(ctx context.Context, req Request) (DiagnosisResult, error) {
	var res DiagnosisResult
	dreq := req
	dreq.Query.Metric, dreq.Query.Threshold, dreq.Query.Features = query.MetricAuto, nil, nil
	dr, err := s.Drift(ctx, dreq)
	if err != nil {
		return res, err
	}
	res.Window, res.SQL, res.Notices = dr.Window, append(res.SQL, dr.SQL...), append(res.Notices, dr.Notices...)
	res.Notices = append(res.Notices, "prediction_drift is not diagnosed: the drift analyses score feature columns, not the score column")
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
	realized, labels, err := s.diagnosisLabels(ctx, req, p, &res)
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
	type mt struct {
		m string
		t int64
	}
	est := map[mt][3]*float64{}
	for _, es := range er.Series {
		if es.Metric != PerfROCAUC {
			continue
		}
		for _, pt := range es.Points {
			est[mt{es.Model, pt.Start.Unix()}] = [3]*float64{pt.Value, pt.Upper, pt.Lower}
		}
	}
	for _, m := range models {
		dm := DiagnosisModel{Model: m}
		for i := 0; i < p.windows; i++ {
			start := p.origin.Add(time.Duration(i) * p.window)
			w := DiagnosisWindow{Start: start}
			w.CovariateShift = CovariateEvidence(byModel[m], i)
			w.PipelineBreak, w.PipelineCheck = pipelineEvidence(qr.Series, m, i, refNull)
			if e, ok := est[mt{m, start.Unix()}]; ok {
				w.EstimatedAUC, w.RealizedAUC = e[0], realized[mt{m, start.Unix()}]
				w.ConceptDrift = ConceptEvidence(e[0], e[1], e[2], w.RealizedAUC)
			}
			if l, ok := labels[m]; ok && i < len(l.rate) {
				w.LabelRate, w.ReferenceLabelRate = l.rate[i], l.ref
				if l.rate[i] != nil && l.ref != nil {
					w.LabelDrift = LabelEvidence(*l.rate[i], l.n[i], *l.ref)
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

type labelRates struct {
	rate []*float64
	n    []int64
	ref  *float64
}

// diagnosisLabels reads the realized ROC AUC and the positive-label rate per binary model and window, and the
// reference's label rate, from the performance aggregates (the same as the performance query's).
func (s *Service) diagnosisLabels(ctx context.Context, req Request, p plan, res *DiagnosisResult) (map[struct {
	m string
	t int64
}]*float64, map[string]labelRates, error) {
	type mt = struct {
		m string
		t int64
	}
	auc := map[mt]*float64{}
	labels := map[string]labelRates{}
	all, err := s.queryModels(ctx, req.Query)
	if err != nil {
		return nil, nil, err
	}
	binary := map[string]bool{}
	for _, m := range all {
		if m.Task == TaskBinary {
			binary[m.ID] = true
		}
	}
	if len(binary) == 0 {
		res.Notices = append(res.Notices, "concept_drift and label_drift need a binary classifier: not diagnosed")
		return auc, labels, nil
	}
	preq := store.PerformanceRequest{Threshold: decisionThreshold(req.Query), LabelsUntil: req.To}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.origin, To: req.To}
	cur, err := s.store.Performance(ctx, scope, store.Windowing{Origin: p.origin, Width: p.window}, preq)
	if err != nil {
		return nil, nil, err
	}
	res.SQL = append(res.SQL, cur.SQL...)
	refRate := map[string]*float64{}
	if p.refScope.Table == "" {
		ref, err := s.store.Performance(ctx, p.refScope, store.Windowing{}, preq)
		if err != nil {
			return nil, nil, err
		}
		res.SQL = append(res.SQL, ref.SQL...)
		for _, r := range ref.Windows {
			if r.Labelled >= int64(s.cfg.MinSamples) && r.Labelled > 0 {
				refRate[r.Model] = v(float64(r.TP+r.FN) / float64(r.Labelled))
			}
		}
	} else {
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
	minSamples := int64(s.cfg.MinSamples)
	for m := range binary {
		l := labelRates{rate: make([]*float64, p.windows), n: make([]int64, p.windows), ref: refRate[m]}
		for i := 0; i < p.windows; i++ {
			r := win[modelWindow{m, int64(i)}]
			vals, _, _ := binaryMetrics(r, hist[modelWindow{m, int64(i)}], minSamples)
			start := p.origin.Add(time.Duration(i) * p.window)
			auc[mt{m, start.Unix()}] = vals[PerfROCAUC]
			if r.Labelled > 0 && r.Labelled >= minSamples {
				l.rate[i], l.n[i] = v(float64(r.TP+r.FN)/float64(r.Labelled)), r.Labelled
			}
		}
		labels[m] = l
	}
	if len(refRate) == 0 && p.refScope.Table == "" {
		res.Notices = append(res.Notices, fmt.Sprintf("the reference has fewer than %d labelled rows per model: no label_drift", minSamples))
	}
	return auc, labels, nil
}
