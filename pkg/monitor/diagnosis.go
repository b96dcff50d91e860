package monitor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/cache"
)

// DiagnosisWindow is the evidence of one model in one window (package diagnosis: each evidence is normalised so
// that >= 1 means the cause is present; nil means it could not be computed there), the numbers behind it and the
// verdict.
type DiagnosisWindow struct {
	Start time.Time
	// Evidence: PipelineBreak over the dataQuality checks (diagnosis.PipelineEvidence); CovariateShift over the
	// auto metric's drift of every feature (diagnosis.CovariateEvidence); PredictionDrift over the score
	// histograms, models with a score column only (diagnosis.PredictionEvidence); ConceptDrift (binary models,
	// diagnosis.ConceptEvidence); PriorShift (binary models, time-based references, diagnosis.PriorShiftEvidence).
	diagnosis.Evidence
	// PipelineCheck names the check (and feature, "check:feature") that gave PipelineBreak.
	PipelineCheck string
	// EstimatedAUC is the CBPE estimate over the window's predictions, RealizedAUC the ROC AUC over its Labelled
	// rows (labels known by the query's end), ReferenceGap the reference's own estimated − realized ROC AUC (the
	// estimator's in-sample bias, subtracted).
	EstimatedAUC, RealizedAUC, ReferenceGap *float64
	Labelled                                int64
	// LabelRate is the window's positive-label rate over its Labelled rows, ReferenceLabelRate the reference's.
	LabelRate, ReferenceLabelRate *float64
	// Verdict is diagnosis.Verdict of the evidence.
	Verdict string
	// Pending marks the label-based evidence missing because the window has fewer labelled rows than the minimum
	// of samples while the model has labels (for prior shift: and a reference label rate), i.e. the labels have
	// not arrived yet (diagnosis.Undecided).
	Pending diagnosis.Pending
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

// Diagnosis composes the drift (auto metric, every feature), dataQuality, estimatedPerformance and realized
// performance analyses, and the score histograms of the reference and of each window, into per-window evidence
// for each cause and a verdict (diagnosis query; the statistics in package diagnosis). The analyses share one
// request-scoped cache of the store (cache.Request), so an aggregate two of them need is read once.
func (s *Service) Diagnosis(ctx context.Context, req Request) (DiagnosisResult, error) {
	cached := *s
	cached.store = cache.Request(s.store)
	return cached.diagnosis(ctx, req)
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

	// Without any labels the label-free evidence (pipeline breaks, covariate shift, prediction drift) still
	// stands; concept drift and prior shift are left out with a notice.
	var lab map[string]modelLabels
	var er EstimatedResult
	var scores scoreHistograms
	if s.cfg.ScoreColumn == "" {
		res.Notices = append(res.Notices, noScoresNotice)
	} else if er, scores, lab, err = s.diagnosisScored(ctx, req, p, &res); err != nil {
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
	minSamples := int64(s.minSamples(req.Query))
	for _, m := range models {
		dm := DiagnosisModel{Model: m}
		l, hasLabels := lab[m]
		for i := 0; i < p.windows; i++ {
			start := p.origin.Add(time.Duration(i) * p.window)
			w := DiagnosisWindow{Start: start}
			w.CovariateShift = diagnosis.CovariateEvidence(featureScores(byModel[m], i))
			w.PipelineBreak, w.PipelineCheck = diagnosis.PipelineEvidence(qualityReadings(qr.Series, m, i, refNull))
			if h, ok := scores.cur[modelWindow{m, int64(i)}]; ok && scores.ref[m] != nil {
				w.PredictionDrift = diagnosis.PredictionEvidence(scores.ref[m], h, minSamples)
			}
			if hasLabels && i < len(l.rate) {
				w.Labelled = l.n[i]
				if e := est[modelWindow{m, start.Unix()}]; e != nil {
					w.EstimatedAUC, w.RealizedAUC, w.ReferenceGap = e, l.auc[i], l.refGap
					w.ConceptDrift = diagnosis.ConceptEvidence(diagnosis.ConceptInputs{Estimated: e, Realized: l.auc[i],
						RealizedSigma: l.sigma[i], ReferenceSigma: l.refSigma, ReferenceGap: l.refGap})
				}
				w.LabelRate, w.ReferenceLabelRate = l.rate[i], l.ref
				if l.rate[i] != nil && l.ref != nil {
					w.PriorShift = diagnosis.PriorShiftEvidence(*l.rate[i], l.n[i], *l.ref, l.refN)
				}
				w.Pending = diagnosis.Pending{ConceptDrift: l.rate[i] == nil, PriorShift: l.rate[i] == nil && l.ref != nil}
			}
			w.Verdict = diagnosis.Verdict(w.Evidence)
			dm.Windows = append(dm.Windows, w)
		}
		res.Models = append(res.Models, dm)
	}
	return res, nil
}

// featureScores are the drift scores of window i of a model's series (diagnosis.CovariateEvidence's input).
func featureScores(series []Series, i int) []diagnosis.FeatureScore {
	var out []diagnosis.FeatureScore
	for _, s := range series {
		if i < len(s.Windows) {
			out = append(out, diagnosis.FeatureScore{Value: s.Windows[i].Value, Threshold: s.Threshold,
				Below: s.Direction == drift.Below, Importance: s.Feature.Importance})
		}
	}
	return out
}

// pipelineChecks are the dataQuality checks that signal a pipeline break.
var pipelineChecks = map[string]diagnosis.QualityCheck{CheckNullShare: diagnosis.NullShare,
	CheckOutOfRangeShare: diagnosis.OutOfRange, CheckNewCategoryShare: diagnosis.NewCategory,
	CheckTypeErrorShare: diagnosis.TypeError, CheckVolumeRatio: diagnosis.Volume}

// qualityReadings are model m's pipeline-break checks in window i (diagnosis.PipelineEvidence's input), named
// "check" or "check:feature"; refNull holds the reference's mean null share per (model, feature).
func qualityReadings(series []QualitySeries, m string, i int, refNull map[key]float64) []diagnosis.QualityReading {
	var out []diagnosis.QualityReading
	for _, qs := range series {
		check, ok := pipelineChecks[qs.Check]
		if qs.Model != m || !ok || i >= len(qs.Points) || qs.Points[i].Value == nil {
			continue
		}
		name := qs.Check
		if qs.Feature != "" {
			name += ":" + qs.Feature
		}
		out = append(out, diagnosis.QualityReading{Name: name, Check: check, Value: *qs.Points[i].Value,
			ReferenceNullShare: refNull[key{m, qs.Feature}], Rows: qs.Points[i].Rows, Expected: qs.Points[i].Expected})
	}
	return out
}

// modelLabels is one binary model's label evidence per window: the realized ROC AUC, the positive-label rate
// (nil below the minimum of labelled rows) and the labelled rows; and the reference's rate, labelled rows and
// in-sample CBPE gap.
type modelLabels struct {
	auc, rate []*float64
	sigma     []float64 // DeLong σ of auc (diagnosis.AUCSigma)
	n         []int64
	ref       *float64
	refN      int64
	refGap    *float64
	refSigma  float64
}

// noScoresNotice is the diagnosis' and the fleet's notice for a log without a score column (scoreColumn ""):
// CBPE, the realized ROC AUC and the score histograms all read the model's scores.
const noScoresNotice = "no score column (scoreColumn): concept drift, prior shift and prediction drift need the model's scores; " +
	"the evidence shown is score-free (pipeline breaks, covariate shift)"

// diagnosisScored reads what the diagnosis needs the scores for: the CBPE estimate, the labels' evidence (left
// out with a notice when the store has no labels at all) and the score histograms.
func (s *Service) diagnosisScored(ctx context.Context, req Request, p plan, res *DiagnosisResult) (EstimatedResult, scoreHistograms, map[string]modelLabels, error) {
	var lab map[string]modelLabels
	er, err := s.EstimatedPerformance(ctx, req)
	if errors.As(err, &store.NoLabelsError{}) {
		er = EstimatedResult{}
		res.Notices = append(res.Notices, "no labels ("+err.Error()+"): concept drift and prior shift need labels; "+
			"the evidence shown is label-free (pipeline breaks, covariate shift, prediction drift)")
	} else {
		if err != nil {
			return er, scoreHistograms{}, nil, err
		}
		res.SQL, res.Notices = append(res.SQL, er.SQL...), append(res.Notices, er.Notices...)
		if lab, err = s.diagnosisLabels(ctx, req, p, res); err != nil {
			return er, scoreHistograms{}, nil, err
		}
	}
	scores, err := s.diagnosisScores(ctx, req, p, res)
	return er, scores, lab, err
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
		res.Notices = append(res.Notices, "concept_drift and prior_shift need a binary classifier: not diagnosed")
		return out, nil
	}
	preq := store.PerformanceRequest{Threshold: decisionThreshold(req.Query), LabelsUntil: req.To}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.origin, To: req.To}
	creq := preq // the performance analysis's call (classModels): the class counts are not read here
	creq.ClassModels = classModels(all)
	cur, err := s.store.Performance(ctx, scope, store.Windowing{Origin: p.origin, Width: p.window}, creq)
	if err != nil {
		return nil, err
	}
	res.SQL = append(res.SQL, cur.SQL...)
	minSamples := int64(s.minSamples(req.Query))
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
		res.Notices = append(res.Notices, "prior_shift needs a time-based reference (range or trailing): not diagnosed")
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
			l.refSigma = diagnosis.AUCSigma(labelledBuckets(refBuckets[m]))
		}
		for i := 0; i < p.windows; i++ {
			r := win[modelWindow{m, int64(i)}]
			h := hist[modelWindow{m, int64(i)}]
			vals, _, _ := binaryMetrics(r, h, minSamples)
			l.auc[i], l.n[i], l.sigma[i] = vals[PerfROCAUC], r.Labelled, diagnosis.AUCSigma(labelledBuckets(h))
			if r.Labelled > 0 && r.Labelled >= minSamples {
				l.rate[i] = v(float64(r.TP+r.FN) / float64(r.Labelled))
			}
		}
		out[m] = l
	}
	if !anyRef {
		res.Notices = append(res.Notices, fmt.Sprintf("the reference has fewer than %d labelled rows per model: no prior_shift", minSamples))
	}
	return out, nil
}

// referenceGap is CBPE's in-sample bias on the reference (cbpe.InSampleAUC) minus the realized ROC AUC of the
// reference's labelled buckets. nil when either is undefined.
func referenceGap(r store.WindowPerformance, buckets []store.ScoreBucket, minSamples int64) *float64 {
	vals, _, _ := binaryMetrics(r, buckets, minSamples)
	realized := vals[PerfROCAUC]
	if realized == nil {
		return nil
	}
	auc := cbpe.InSampleAUC(labelledBuckets(buckets))
	if math.IsNaN(auc) {
		return nil
	}
	return v(auc - *realized)
}

// labelledBuckets are the store's labelled score buckets as the engine reads them: one entry per (bucket, label),
// its rows all positives (label 1) or all negatives.
func labelledBuckets(bs []store.ScoreBucket) []cbpe.CalibrationBucket {
	out := make([]cbpe.CalibrationBucket, len(bs))
	for i, b := range bs {
		out[i] = cbpe.CalibrationBucket{Bucket: b.Bucket, Count: b.Count}
		if b.Label == 1 {
			out[i].Positives = b.Count
		}
	}
	return out
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
