package monitor

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// EstimatedMetrics lists the CBPE series of a binary classifier in output order.
var EstimatedMetrics = []string{PerfAccuracy, PerfPrecision, PerfRecall, PerfF1, PerfROCAUC}

// BandSigmas is the half-width of the sampling-error band in standard errors.
const BandSigmas = 3.0

// CalibrationMethod describes how scores are calibrated (reported in every series' meta).
const CalibrationMethod = "isotonic regression (pool-adjacent-violators, weighted by count) fitted on the labelled " +
	"reference's 1/1000 score-bucket histogram (per bucket: rows and positives — aggregates, not rows), evaluated at " +
	"bucket centres with linear interpolation between fitted buckets and clipping beyond the outer ones"

// SamplingErrorMethod describes the band (reported in every series' meta).
const SamplingErrorMethod = "value ± 3σ, clipped to [0, 1]; accuracy: binomial σ = sqrt(a(1−a)/n) over the window's n " +
	"predictions; precision, recall, F1, ROC AUC: NannyML's components, σ = std / sqrt(n · fraction) with the " +
	"observation-level std and fraction computed on the labelled reference (from its confusion counts and score buckets)"

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

// CalibrationBucket is one reference score bucket: labelled rows and positives among them.
type CalibrationBucket struct {
	Bucket           int
	Count, Positives int64
}

// Calibration maps a score bucket to a calibrated probability of the positive class.
type Calibration struct {
	X, Y []float64 // fitted bucket centres (ascending) and their isotonic values
}

// FitIsotonic fits a non-decreasing step function to the positive rate of each non-empty bucket, weighted by its
// count, by pool-adjacent-violators: adjacent blocks whose means decrease are merged into their weighted mean.
func FitIsotonic(buckets []CalibrationBucket) Calibration {
	bs := append([]CalibrationBucket(nil), buckets...)
	sort.Slice(bs, func(i, j int) bool { return bs[i].Bucket < bs[j].Bucket })
	type block struct {
		w, sum float64
		n      int // buckets pooled
	}
	var x []float64
	var stack []block
	for _, b := range bs {
		if b.Count <= 0 {
			continue
		}
		x = append(x, bucketCentre(b.Bucket))
		stack = append(stack, block{w: float64(b.Count), sum: float64(b.Positives), n: 1})
		for len(stack) > 1 {
			a, c := stack[len(stack)-2], stack[len(stack)-1]
			if a.sum/a.w <= c.sum/c.w {
				break
			}
			stack = append(stack[:len(stack)-2], block{w: a.w + c.w, sum: a.sum + c.sum, n: a.n + c.n})
		}
	}
	y := make([]float64, 0, len(x))
	for _, b := range stack {
		for i := 0; i < b.n; i++ {
			y = append(y, b.sum/b.w)
		}
	}
	return Calibration{X: x, Y: y}
}

func bucketCentre(b int) float64 { return (float64(b) + 0.5) / store.ScoreBuckets }

// At returns the calibrated probability of a score bucket.
func (c Calibration) At(bucket int) float64 {
	if len(c.X) == 0 {
		return math.NaN()
	}
	x := bucketCentre(bucket)
	i := sort.SearchFloat64s(c.X, x)
	switch {
	case i < len(c.X) && c.X[i] == x:
		return c.Y[i]
	case i == 0:
		return c.Y[0]
	case i == len(c.X):
		return c.Y[len(c.X)-1]
	}
	t := (x - c.X[i-1]) / (c.X[i] - c.X[i-1])
	return c.Y[i-1] + t*(c.Y[i]-c.Y[i-1])
}

// Expected is a window's expected confusion matrix and the calibrated class weights' ROC AUC.
type Expected struct {
	TP, FP, TN, FN float64
	N              int64   // predictions
	AUC            float64 // NaN when the expected positives or negatives are zero
}

// Expect computes CBPE for one window: for each bucket with calibrated probability c and n predictions, predicted
// positive → E[TP] += n·c, E[FP] += n·(1−c), else E[FN] += n·c, E[TN] += n·(1−c). ROC AUC is the Mann–Whitney
// statistic of the bucket scores with positives weighted n·c and negatives n·(1−c), pairs within a bucket half.
func Expect(cal Calibration, buckets []store.PredictedBucket) Expected {
	var e Expected
	// Sum in a fixed order (the store returns groups in any order), so results are reproducible to the last bit.
	buckets = append([]store.PredictedBucket(nil), buckets...)
	sort.Slice(buckets, func(i, j int) bool {
		if buckets[i].Bucket != buckets[j].Bucket {
			return buckets[i].Bucket < buckets[j].Bucket
		}
		return !buckets[i].Positive && buckets[j].Positive
	})
	pos, neg := map[int]float64{}, map[int]float64{}
	var keys []int
	for _, b := range buckets {
		c := cal.At(b.Bucket)
		n := float64(b.Count)
		e.N += b.Count
		if b.Positive {
			e.TP += n * c
			e.FP += n * (1 - c)
		} else {
			e.FN += n * c
			e.TN += n * (1 - c)
		}
		if _, ok := pos[b.Bucket]; !ok {
			keys = append(keys, b.Bucket)
		}
		pos[b.Bucket] += n * c
		neg[b.Bucket] += n * (1 - c)
	}
	sort.Ints(keys)
	var P, N, num, negBelow float64
	for _, k := range keys {
		num += pos[k]*negBelow + 0.5*pos[k]*neg[k]
		negBelow += neg[k]
		P += pos[k]
	}
	N = negBelow
	e.AUC = math.NaN()
	if P > 0 && N > 0 {
		e.AUC = num / (P * N)
	}
	return e
}

// estimate is one metric's value and standard error (NaN value: undefined, with why).
type estimate struct {
	value, sigma float64
	why          string
}

// SamplingComponents are NannyML's sampling-error components of a metric, computed once on the labelled
// reference: the standard deviation of the metric's observation-level values and the fraction of rows that carry
// one. A window of n predictions has σ = Std / sqrt(n · Fraction) (nannyml.sampling_error.binary_classification).
type SamplingComponents struct {
	Std, Fraction float64
}

// ReferenceComponents computes the components of precision, recall, F1 and ROC AUC from the reference's
// confusion counts at the decision threshold and its labelled score buckets, as NannyML does from rows:
//   - precision: Std = sqrt(p(1−p)) of the labels of the predicted positives, Fraction = (TP+FP)/n;
//   - recall: Std = sqrt(r(1−r)) of the predictions of the actual positives, Fraction = (TP+FN)/n;
//   - F1: observations TP → c, FP and FN → 0 with c = (TP+FP+FN)/(TP + (FP+FN)/2), Fraction = (TP+FP+FN)/n;
//   - ROC AUC: per positive, the share of negatives ranked below it (classes swapped when positives are the
//     majority, as NannyML does), Fraction = P/n. From buckets, a positive's share is (negatives in lower
//     buckets + half the negatives of its own bucket)/N: exact in mean, within-bucket spread ignored.
//
// Accuracy is not listed: its σ is binomial at the window, sqrt(a(1−a)/n).
func ReferenceComponents(tp, fp, tn, fn int64, buckets []CalibrationBucket) map[string]SamplingComponents {
	out := map[string]SamplingComponents{}
	n := float64(tp + fp + tn + fn)
	if n == 0 {
		return out
	}
	share := func(num, den int64) (SamplingComponents, bool) {
		if den == 0 {
			return SamplingComponents{}, false
		}
		q := float64(num) / float64(den)
		return SamplingComponents{Std: math.Sqrt(q * (1 - q)), Fraction: float64(den) / n}, true
	}
	if c, ok := share(tp, tp+fp); ok {
		out[PerfPrecision] = c
	}
	if c, ok := share(tp, tp+fn); ok {
		out[PerfRecall] = c
	}
	if m := tp + fp + fn; m > 0 {
		cf := float64(m) / (float64(tp) + float64(fp+fn)/2)
		q := float64(tp) / float64(m)
		out[PerfF1] = SamplingComponents{Std: cf * math.Sqrt(q*(1-q)), Fraction: float64(m) / n}
	}
	bs := append([]CalibrationBucket(nil), buckets...)
	sort.Slice(bs, func(i, j int) bool { return bs[i].Bucket < bs[j].Bucket })
	var P, N float64
	for _, b := range bs {
		P += float64(b.Positives)
		N += float64(b.Count - b.Positives)
	}
	swap := P > N
	if swap { // positives become the negatives, and scores 1 − s reverse the order
		P, N = N, P
		for i, j := 0, len(bs)-1; i < j; i, j = i+1, j-1 {
			bs[i], bs[j] = bs[j], bs[i]
		}
	}
	if P > 0 && N > 0 {
		var below, sum, sumSq float64
		for _, b := range bs {
			pos, neg := float64(b.Positives), float64(b.Count-b.Positives)
			if swap {
				pos, neg = neg, pos
			}
			x := (below + neg/2) / N
			sum += pos * x
			sumSq += pos * x * x
			below += neg
		}
		mean := sum / P
		out[PerfROCAUC] = SamplingComponents{Std: math.Sqrt(math.Max(sumSq/P-mean*mean, 0)), Fraction: P / n}
	}
	return out
}

// metrics returns the estimated metrics and their standard errors at the window's size (see SamplingErrorMethod).
// A metric without reference components has σ = NaN (no band).
func (e Expected) metrics(comp map[string]SamplingComponents) map[string]estimate {
	n := float64(e.N)
	sigma := func(metric string) float64 {
		c, ok := comp[metric]
		if !ok || c.Fraction <= 0 || n == 0 {
			return math.NaN()
		}
		return c.Std / math.Sqrt(n*c.Fraction)
	}
	ratio := func(metric string, num, den float64, why string) estimate {
		if den <= 0 {
			return estimate{value: math.NaN(), why: why}
		}
		return estimate{value: num / den, sigma: sigma(metric)}
	}
	out := map[string]estimate{
		PerfPrecision: ratio(PerfPrecision, e.TP, e.TP+e.FP, "no positive predictions at this threshold: precision undefined"),
		PerfRecall:    ratio(PerfRecall, e.TP, e.TP+e.FN, "no expected positives: recall undefined"),
		PerfF1:        ratio(PerfF1, 2*e.TP, 2*e.TP+e.FP+e.FN, "no expected positives and no positive predictions: F1 undefined"),
	}
	if n > 0 {
		a := (e.TP + e.TN) / n
		out[PerfAccuracy] = estimate{value: a, sigma: math.Sqrt(math.Max(a*(1-a), 0) / n)}
	} else {
		out[PerfAccuracy] = estimate{value: math.NaN(), why: "no predictions"}
	}
	if math.IsNaN(e.AUC) {
		out[PerfROCAUC] = estimate{value: math.NaN(), why: "expected positives or negatives are zero: ROC AUC undefined"}
	} else {
		out[PerfROCAUC] = estimate{value: e.AUC, sigma: sigma(PerfROCAUC)}
	}
	return out
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

// estimatedPoint is one window's point of one metric: the estimate and its ±BandSigmas·σ band clipped to [0, 1],
// or a null value with why (the window's reason, or the metric's own when it is undefined there).
func estimatedPoint(start time.Time, n int64, why string, ests map[string]estimate, metric string) EstimatedPoint {
	p := EstimatedPoint{Start: start, Predictions: n, Notice: why}
	est, ok := ests[metric]
	switch {
	case !ok:
	case math.IsNaN(est.value):
		p.Notice = est.why
	default:
		p.Value = v(est.value)
		if !math.IsNaN(est.sigma) {
			p.Upper = v(math.Min(1, est.value+BandSigmas*est.sigma))
			p.Lower = v(math.Max(0, est.value-BandSigmas*est.sigma))
		}
	}
	return p
}

// EstimatedPerformance estimates binary-classification performance per model and window without labels (CBPE,
// as NannyML defines it): scores are calibrated on the labelled reference (CalibrationMethod), each window's
// score histogram gives the expected confusion matrix at the decision threshold, and accuracy, precision, recall,
// F1 and ROC AUC follow from it, each with a ±3σ sampling-error band (SamplingErrorMethod). The reference is the
// query's range or table, or for a trailing reference the N windows before the first one (one calibration for
// the whole range); its labels are read as the performance query reads them, known by the query's end. A
// reference with fewer than minSamples labelled rows gives null series with a notice; so does a window with
// fewer than minSamples predictions. Multiclass models get estimatedMulticlass (accuracy and macro F1 from the
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
	refBuckets := map[string]map[int]*CalibrationBucket{}
	refLabelled := map[string]int64{}
	refConf := map[string]store.WindowPerformance{}
	for _, r := range refAgg.Windows {
		refConf[r.Model] = r
	}
	for _, b := range refAgg.Buckets {
		if refBuckets[b.Model] == nil {
			refBuckets[b.Model] = map[int]*CalibrationBucket{}
		}
		cb := refBuckets[b.Model][b.Bucket]
		if cb == nil {
			cb = &CalibrationBucket{Bucket: b.Bucket}
			refBuckets[b.Model][b.Bucket] = cb
		}
		cb.Count += b.Count
		refLabelled[b.Model] += b.Count
		if b.Label == 1 {
			cb.Positives += b.Count
		}
	}
	hist := map[modelWindow][]store.PredictedBucket{}
	for _, b := range cur.Buckets {
		hist[modelWindow{b.Model, b.Window}] = append(hist[modelWindow{b.Model, b.Window}], b)
	}
	minSamples := int64(s.cfg.MinSamples)
	for _, m := range models {
		var cbs []CalibrationBucket
		for _, b := range refBuckets[m] {
			cbs = append(cbs, *b)
		}
		cal := FitIsotonic(cbs)
		rc := refConf[m]
		comp := ReferenceComponents(rc.TP, rc.FP, rc.TN, rc.FN, cbs)
		seriesNotice := ""
		if n := refLabelled[m]; n < minSamples || n == 0 {
			seriesNotice = fmt.Sprintf("the labelled reference of %s has %d labelled rows with a score, below the minimum of %d: no calibration, no estimate", m, n, minSamples)
		}
		series := map[string]*EstimatedSeries{}
		for _, metric := range EstimatedMetrics {
			series[metric] = &EstimatedSeries{Model: m, Metric: metric, Notice: seriesNotice, Meta: map[string]any{
				"task": TaskBinary, "decisionThreshold": res.Threshold, "calibration": CalibrationMethod,
				"samplingError": SamplingErrorMethod, "referenceLabelled": refLabelled[m]}}
		}
		for i := 0; i < windows; i++ {
			start := origin.Add(time.Duration(i) * w)
			var e Expected
			var ests map[string]estimate
			why := seriesNotice
			if why == "" {
				e = Expect(cal, hist[modelWindow{m, int64(i)}])
				if why = windowTooSmall(e.N, minSamples, "no predictions with a score in this window"); why == "" {
					ests = e.metrics(comp)
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
