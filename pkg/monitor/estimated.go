package monitor

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
	"github.com/aiops/modelmonitor/pkg/store"
)

// The store's score histograms and the engine's calibration share one bucket grid: this constant overflows (a
// compile error) if the two ever differ.
const _ = uint(store.ScoreBuckets-cbpe.ScoreBuckets) + uint(cbpe.ScoreBuckets-store.ScoreBuckets)

// EstimatedMetrics lists the CBPE series of a binary classifier in output order.
var EstimatedMetrics = cbpe.BinaryMetrics

// EstimatedPoint is one window's estimate of one metric; nil values have a notice.
type EstimatedPoint struct {
	Start               time.Time
	Value, Upper, Lower *float64
	Predictions         int64 // rows with a score in the window
	Notice              string
}

// EstimatedSeries is one CBPE metric of one model.
type EstimatedSeries struct {
	Model, Metric string
	Points        []EstimatedPoint
	Notice        string
	Meta          map[string]any
}

// EstimatedResult is the answer to one estimatedPerformance request.
type EstimatedResult struct {
	Series    []EstimatedSeries
	Window    time.Duration
	Threshold float64
	SQL       []string
	Notices   []string
}

// windowTooSmall says why a window of n predictions gets no estimate (none: the none text; fewer than minSamples),
// or "" when it gets one.
func windowTooSmall(n, minSamples int64, none string) string {
	if n == 0 {
		return none
	}
	if n < minSamples {
		return fmt.Sprintf("%d rows in this window, below the minimum of %d: no value", n, minSamples)
	}
	return ""
}

// estimatedPoint is one window's point of one metric: the estimate and its band (cbpe.Estimate.Band), or a null
// value with why (the window's reason, or the metric's own when it is undefined there).
func estimatedPoint(start time.Time, n int64, why string, ests map[string]cbpe.Estimate, metric string) EstimatedPoint {
	p := EstimatedPoint{Start: start, Predictions: n, Notice: why}
	est, ok := ests[metric]
	switch {
	case !ok:
	case math.IsNaN(est.Value):
		p.Notice = est.Why
	default:
		p.Value = v(est.Value)
		p.Upper, p.Lower = est.Band()
	}
	return p
}

// EstimatedPerformance estimates binary-classification performance per model and window without labels (CBPE,
// as NannyML defines it; the maths in package cbpe): scores are calibrated on the labelled reference
// (cbpe.CalibrationMethod), each window's score histogram gives the expected confusion matrix at the decision
// threshold, and accuracy, precision, recall, F1 and ROC AUC follow from it, each with a ±3σ sampling-error band
// (cbpe.SamplingErrorMethod). The reference is the
// query's range or table, or for a trailing reference the N windows before the first one (one calibration for
// the whole range); its labels are read as the performance query reads them, known by the query's end. A
// reference with fewer than minSamples labelled rows gives null series with a notice; so does a window with
// fewer than minSamples predictions; a log without a score column gives no series and a notice. Multiclass models get estimatedMulticlass (accuracy and macro F1 from the
// top-class confidence); models of another task are skipped with a notice.
func (s *Service) EstimatedPerformance(ctx context.Context, req Request) (EstimatedResult, error) {
	q := req.Query
	res := EstimatedResult{Threshold: decisionThreshold(q)}
	span, err := s.resolveWindowing(req)
	if err != nil {
		return res, err
	}
	w, origin, windows := span.width, span.origin, span.count
	res.Window, res.Notices = w, append(res.Notices, span.notices...)
	if s.cfg.ScoreColumn == "" {
		res.Notices = append(res.Notices, "no score column (scoreColumn): CBPE estimates performance from the model's scores")
		return res, nil
	}

	all, err := s.queryModels(ctx, q)
	if err != nil {
		return res, err
	}
	var models, multi []string
	for _, m := range all {
		if m.Task == TaskMulticlass { // estimated_multiclass.go
			multi = append(multi, m.ID)
			continue
		}
		if m.Task != TaskBinary {
			res.Notices = append(res.Notices, fmt.Sprintf("model %s has task %q: estimatedPerformance (CBPE) knows binary and multiclass classifiers", m.ID, m.Task))
			continue
		}
		models = append(models, m.ID)
	}
	if len(models) == 0 {
		return s.estimatedMulticlass(ctx, req, span, multi, res)
	}

	refScope, err := s.estimatedReferenceScope(ctx, req, span)
	if err != nil {
		return res, err
	}
	refAgg, err := s.store.Performance(ctx, refScope, store.Windowing{}, store.PerformanceRequest{Threshold: res.Threshold, LabelsUntil: req.To})
	if err != nil {
		return res, err
	}
	cur, err := s.store.ScoreHistogram(ctx, store.Scope{Model: q.Model, Segment: q.Segment, From: origin, To: req.To},
		store.Windowing{Origin: origin, Width: w}, res.Threshold)
	if err != nil {
		return res, err
	}
	res.SQL = append(append([]string{}, refAgg.SQL...), cur.SQL...)
	refBuckets := map[string]map[int]*cbpe.CalibrationBucket{}
	refLabelled := map[string]int64{}
	refConf := map[string]store.WindowPerformance{}
	for _, r := range refAgg.Windows {
		refConf[r.Model] = r
	}
	for _, b := range refAgg.Buckets {
		if refBuckets[b.Model] == nil {
			refBuckets[b.Model] = map[int]*cbpe.CalibrationBucket{}
		}
		cb := refBuckets[b.Model][b.Bucket]
		if cb == nil {
			cb = &cbpe.CalibrationBucket{Bucket: b.Bucket}
			refBuckets[b.Model][b.Bucket] = cb
		}
		cb.Count += b.Count
		refLabelled[b.Model] += b.Count
		if b.Label == 1 {
			cb.Positives += b.Count
		}
	}
	hist := map[modelWindow][]cbpe.PredictedBucket{}
	for _, b := range cur.Buckets {
		k := modelWindow{b.Model, b.Window}
		hist[k] = append(hist[k], cbpe.PredictedBucket{Bucket: b.Bucket, Positive: b.Positive, Count: b.Count})
	}
	minSamples := int64(s.minSamples(req.Query))
	for _, m := range models {
		var cbs []cbpe.CalibrationBucket
		for _, b := range refBuckets[m] {
			cbs = append(cbs, *b)
		}
		cal := cbpe.FitIsotonic(cbs)
		rc := refConf[m]
		comp := cbpe.ReferenceComponents(rc.TP, rc.FP, rc.TN, rc.FN, cbs)
		seriesNotice := ""
		if n := refLabelled[m]; n < minSamples || n == 0 {
			seriesNotice = fmt.Sprintf("the labelled reference of %s has %d labelled rows with a score, below the minimum of %d: no calibration, no estimate", m, n, minSamples)
		} else if pos := refPositives(cbs); pos == 0 || pos == n {
			seriesNotice = oneClassReference(m, n, pos)
		}
		series := map[string]*EstimatedSeries{}
		for _, metric := range EstimatedMetrics {
			series[metric] = &EstimatedSeries{Model: m, Metric: metric, Notice: seriesNotice, Meta: map[string]any{
				"task": TaskBinary, "decisionThreshold": res.Threshold, "calibration": cbpe.CalibrationMethod,
				"samplingError": cbpe.SamplingErrorMethod, "referenceLabelled": refLabelled[m]}}
		}
		for i := 0; i < windows; i++ {
			start := origin.Add(time.Duration(i) * w)
			var e cbpe.Expected
			var ests map[string]cbpe.Estimate
			why := seriesNotice
			if why == "" {
				e = cbpe.Expect(cal, hist[modelWindow{m, int64(i)}])
				if why = windowTooSmall(e.N, minSamples, "no predictions with a score in this window"); why == "" {
					ests = e.Metrics(comp)
				}
			}
			for _, metric := range EstimatedMetrics {
				series[metric].Points = append(series[metric].Points, estimatedPoint(start, e.N, why, ests, metric))
			}
		}
		for _, metric := range EstimatedMetrics {
			res.Series = append(res.Series, *series[metric])
		}
	}
	return s.estimatedMulticlass(ctx, req, span, multi, res)
}

// refPositives counts the positive labels of a calibration reference.
func refPositives(cbs []cbpe.CalibrationBucket) int64 {
	var pos int64
	for _, b := range cbs {
		pos += b.Positives
	}
	return pos
}

// oneClassReference refuses CBPE on a reference whose labels are all one class: a calibration needs both
// classes (NannyML refuses such a reference too), and fitted on one it would turn every score into certainty.
func oneClassReference(model string, labelled, positives int64) string {
	class := "negative"
	if positives == labelled {
		class = "positive"
	}
	return fmt.Sprintf("the labelled reference of %s has only %s labels (%d rows): calibration needs both classes, no estimate", model, class, labelled)
}
