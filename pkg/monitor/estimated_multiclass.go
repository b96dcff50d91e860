package monitor

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// EstimatedMulticlassMetrics lists the CBPE series of a multiclass classifier in output order (the names of the
// realized multiclass series, so realized and estimated line up).
var EstimatedMulticlassMetrics = []string{PerfAccuracy, PerfMacroF1}

// MulticlassMethod describes multiclass CBPE (reported in every multiclass series' meta as "method").
const MulticlassMethod = "CBPE on the top-class confidence: the logs hold the predicted class and the score of that " +
	"class only (not a probability vector), so the score is calibrated to P(prediction correct | score). " +
	"accuracy = mean over the window's predictions of c(score), c the pooled calibration; macro F1: per predicted " +
	"class k, E[TP_k] = Σ c_k(score) over the rows predicted k (c_k: the calibration fitted on the reference rows " +
	"predicted k, or the pooled one when the class has fewer than minSamples of them), E[FP_k] = n_k − E[TP_k], " +
	"E[FN_k] = Σ over the rows predicted j ≠ k of (1 − c_j(score)) · P(label = k | predicted j, wrong), that share " +
	"taken from the reference confusion matrix; F1_k = 2TP/(2TP+FP+FN), macro F1 = the unweighted mean over the " +
	"classes with predictions or expected support in the window"

// MulticlassAssumption is what multiclass CBPE takes for granted (reported in meta as "assumption").
const MulticlassAssumption = "P(correct | score, predicted class) is as on the labelled reference (no concept " +
	"drift), and the structure of errors is stable: among wrong predictions of class j the true class is " +
	"distributed as in the reference confusion matrix (when the reference has no wrong prediction of j, as among " +
	"all wrong reference predictions, class j excluded)"

// MulticlassCalibrationMethod describes the multiclass calibration (meta "calibration").
const MulticlassCalibrationMethod = "isotonic regression (pool-adjacent-violators, weighted by count) of " +
	"P(correct | score) on the labelled reference's 1/1000 score-bucket histogram (per bucket: rows and correct " +
	"predictions — aggregates, not rows), pooled over the predicted classes and per predicted class, evaluated at " +
	"bucket centres with linear interpolation between fitted buckets and clipping beyond the outer ones"

// MulticlassSamplingErrorMethod describes the multiclass bands (meta "samplingError").
const MulticlassSamplingErrorMethod = "value ± 3σ, clipped to [0, 1]; accuracy: binomial σ = sqrt(a(1−a)/n) over the " +
	"window's n predictions; macro F1 (approximation, as NannyML's multiclass sampling error): per class k the " +
	"one-vs-rest F1 component of the reference (observation-level std and fraction from its confusion counts), " +
	"σ_k = std_k / sqrt(n · fraction_k), σ = sqrt(Σ σ_k²) / K over the K classes of the window's macro F1 that the " +
	"reference has (class F1s taken as independent)"

// MulticlassCalibration is what multiclass CBPE fits on the labelled reference of one model.
type MulticlassCalibration struct {
	Pooled   Calibration            // P(correct | score) over every predicted class
	PerClass map[string]Calibration // P(correct | score, predicted k) for the classes with ≥ minSamples rows
	// ErrorShare[j][k] = P(label = k | predicted j, wrong), k ≠ j; each row sums to 1 (or is empty).
	ErrorShare map[string]map[string]float64
	// Components are the per-class one-vs-rest F1 sampling-error components of the reference.
	Components map[string]SamplingComponents
	Labelled   int64    // reference rows with a score, a prediction and a label
	Pooling    []string // predicted classes calibrated with the pooled calibration (too few reference rows)
	fallback   map[string]float64
}

// FitMulticlass fits multiclass CBPE on one model's reference aggregates: the pooled and per-class isotonic
// calibrations of P(correct | score) (a class with fewer than minSamples labelled rows uses the pooled one), the
// error shares from the confusion matrix, and the per-class F1 sampling-error components.
func FitMulticlass(ref []store.ClassCalibrationBucket, conf []store.ClassConfusion, minSamples int64) MulticlassCalibration {
	mc := MulticlassCalibration{PerClass: map[string]Calibration{}, ErrorShare: map[string]map[string]float64{},
		Components: map[string]SamplingComponents{}}
	pooled := map[int]*CalibrationBucket{}
	perClass := map[string]map[int]*CalibrationBucket{}
	rows := map[string]int64{}
	add := func(m map[int]*CalibrationBucket, b store.ClassCalibrationBucket) {
		cb := m[b.Bucket]
		if cb == nil {
			cb = &CalibrationBucket{Bucket: b.Bucket}
			m[b.Bucket] = cb
		}
		cb.Count += b.Count
		if b.Correct {
			cb.Positives += b.Count
		}
	}
	for _, b := range ref {
		if perClass[b.Class] == nil {
			perClass[b.Class] = map[int]*CalibrationBucket{}
		}
		add(pooled, b)
		add(perClass[b.Class], b)
		rows[b.Class] += b.Count
		mc.Labelled += b.Count
	}
	flat := func(m map[int]*CalibrationBucket) []CalibrationBucket {
		out := make([]CalibrationBucket, 0, len(m))
		for _, b := range m {
			out = append(out, *b)
		}
		return out
	}
	mc.Pooled = FitIsotonic(flat(pooled))
	for _, k := range slices.Sorted(maps.Keys(perClass)) {
		if rows[k] >= minSamples && rows[k] > 0 {
			mc.PerClass[k] = FitIsotonic(flat(perClass[k]))
		} else {
			mc.Pooling = append(mc.Pooling, k)
		}
	}

	// Confusion: error shares per predicted class, the pooled share of wrong labels, one-vs-rest counts.
	wrong := map[string]map[string]int64{}
	wrongLabels := map[string]int64{}
	tp, fp, fn := map[string]int64{}, map[string]int64{}, map[string]int64{}
	var n int64
	for _, c := range conf {
		n += c.Count
		if c.Predicted == c.Label {
			tp[c.Predicted] += c.Count
			continue
		}
		if wrong[c.Predicted] == nil {
			wrong[c.Predicted] = map[string]int64{}
		}
		wrong[c.Predicted][c.Label] += c.Count
		wrongLabels[c.Label] += c.Count
		fp[c.Predicted] += c.Count
		fn[c.Label] += c.Count
	}
	for j, row := range wrong {
		var tot int64
		for _, c := range row {
			tot += c
		}
		if tot > 0 {
			mc.ErrorShare[j] = map[string]float64{}
			for k, c := range row {
				mc.ErrorShare[j][k] = float64(c) / float64(tot)
			}
		}
	}
	mc.fallback = map[string]float64{}
	for k, c := range wrongLabels {
		mc.fallback[k] = float64(c)
	}
	classes := map[string]bool{}
	for _, m := range []map[string]int64{tp, fp, fn} {
		for k := range m {
			classes[k] = true
		}
	}
	for k := range classes {
		tn := n - tp[k] - fp[k] - fn[k]
		if c, ok := ReferenceComponents(tp[k], fp[k], tn, fn[k], nil)[PerfF1]; ok {
			mc.Components[k] = c
		}
	}
	return mc
}

// errorShare is P(label = k | predicted j, wrong) for every k: the reference confusion row of j, or when it has
// no wrong predictions the labels of all wrong reference predictions with k = j left out, renormalised.
func (mc MulticlassCalibration) errorShare(j string) map[string]float64 {
	if s, ok := mc.ErrorShare[j]; ok {
		return s
	}
	var tot float64
	for k, c := range mc.fallback {
		if k != j {
			tot += c
		}
	}
	out := map[string]float64{}
	if tot > 0 {
		for k, c := range mc.fallback {
			if k != j {
				out[k] = c / tot
			}
		}
	}
	return out
}

// calibration is the calibration of the predicted class k (its own, or the pooled one).
func (mc MulticlassCalibration) calibration(k string) Calibration {
	if c, ok := mc.PerClass[k]; ok {
		return c
	}
	return mc.Pooled
}

// MulticlassExpected is one window's expected per-class confusion.
type MulticlassExpected struct {
	N          int64              // predictions with a score and a class
	Correct    float64            // Σ c(score) under the pooled calibration
	Predicted  map[string]int64   // n_k
	TP, FP, FN map[string]float64 // expected, per class
}

// Expect computes multiclass CBPE for one window's (predicted class, score bucket) counts (MulticlassMethod).
func (mc MulticlassCalibration) Expect(buckets []store.ClassScoreBucket) MulticlassExpected {
	e := MulticlassExpected{Predicted: map[string]int64{}, TP: map[string]float64{}, FP: map[string]float64{}, FN: map[string]float64{}}
	// Sum in a fixed order (the store returns groups in any order), so results are reproducible to the last bit.
	buckets = append([]store.ClassScoreBucket(nil), buckets...)
	sort.Slice(buckets, func(i, j int) bool {
		if buckets[i].Class != buckets[j].Class {
			return buckets[i].Class < buckets[j].Class
		}
		return buckets[i].Bucket < buckets[j].Bucket
	})
	wrong := map[string]float64{}
	for _, b := range buckets {
		n := float64(b.Count)
		e.N += b.Count
		e.Correct += n * mc.Pooled.At(b.Bucket)
		c := mc.calibration(b.Class).At(b.Bucket)
		e.Predicted[b.Class] += b.Count
		e.TP[b.Class] += n * c
		wrong[b.Class] += n * (1 - c)
	}
	for _, j := range slices.Sorted(maps.Keys(wrong)) {
		e.FP[j] = wrong[j]
		share := mc.errorShare(j)
		for _, k := range slices.Sorted(maps.Keys(share)) {
			e.FN[k] += wrong[j] * share[k]
		}
	}
	return e
}

// Classes are the classes of the window's macro F1: with predictions or expected support (E[TP + FN] > 0).
func (e MulticlassExpected) Classes() []string {
	set := map[string]bool{}
	for k, n := range e.Predicted {
		if n > 0 {
			set[k] = true
		}
	}
	for k, f := range e.FN {
		if f > 0 {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// metrics returns the window's estimated accuracy and macro F1 with their standard errors
// (MulticlassSamplingErrorMethod).
func (e MulticlassExpected) metrics(comp map[string]SamplingComponents) map[string]estimate {
	out := map[string]estimate{}
	n := float64(e.N)
	if e.N == 0 {
		out[PerfAccuracy] = estimate{value: math.NaN(), why: "no predictions"}
		out[PerfMacroF1] = estimate{value: math.NaN(), why: "no predictions"}
		return out
	}
	a := e.Correct / n
	if math.IsNaN(a) { // an empty calibration makes every expectation NaN
		out[PerfAccuracy] = estimate{value: math.NaN(), why: "no calibration: accuracy undefined"}
		out[PerfMacroF1] = estimate{value: math.NaN(), why: "no calibration: macro F1 undefined"}
		return out
	}
	out[PerfAccuracy] = estimate{value: a, sigma: math.Sqrt(math.Max(a*(1-a), 0) / n)}
	classes := e.Classes()
	var sum, varSum float64
	withComp := 0
	for _, k := range classes {
		if d := 2*e.TP[k] + e.FP[k] + e.FN[k]; d > 0 {
			sum += 2 * e.TP[k] / d
		}
		if c, ok := comp[k]; ok && c.Fraction > 0 {
			s := c.Std / math.Sqrt(n*c.Fraction)
			varSum += s * s
			withComp++
		}
	}
	f1 := sum / float64(len(classes))
	switch {
	case len(classes) == 0 || math.IsNaN(f1):
		out[PerfMacroF1] = estimate{value: math.NaN(), why: "no class with predictions or expected support: macro F1 undefined"}
	case withComp == 0:
		out[PerfMacroF1] = estimate{value: f1, sigma: math.NaN()}
	default:
		out[PerfMacroF1] = estimate{value: f1, sigma: math.Sqrt(varSum) / float64(withComp)}
	}
	return out
}

// estimatedReferenceScope is the labelled reference of an estimatedPerformance request, binary and multiclass:
// the query's range or table, or for a trailing reference the N windows before the first one.
func (s *Service) estimatedReferenceScope(ctx context.Context, req Request, span windowing) (store.Scope, error) {
	q := req.Query
	refScope := store.Scope{Model: q.Model, Segment: q.Segment}
	switch ref := q.Reference; ref.Type {
	case query.RefRange:
		refScope.From, refScope.To = ref.From, ref.To
	case query.RefTable:
		if err := s.store.ValidateTable(ctx, ref.Table, nil); err != nil {
			return refScope, err
		}
		refScope.Table = ref.Table
	case query.RefTrailing:
		refScope.From, refScope.To = span.origin.Add(-time.Duration(ref.Windows)*span.width), span.origin
	}
	return refScope, nil
}

// estimatedMulticlass adds the multiclass CBPE series of the given models to res (MulticlassMethod,
// MulticlassAssumption): one calibration on the labelled reference (labels known by the query's end), per
// window accuracy and macro F1 with ±3σ bands. A reference with fewer than minSamples labelled rows gives null
// series with a notice; so does a window with fewer than minSamples predictions.
func (s *Service) estimatedMulticlass(ctx context.Context, req Request, span windowing, models []string, res EstimatedResult) (EstimatedResult, error) {
	if len(models) == 0 {
		return res, nil
	}
	q := req.Query
	w, origin, windows := span.width, span.origin, span.count
	refScope, err := s.estimatedReferenceScope(ctx, req, span)
	if err != nil {
		return res, err
	}
	// One set of aggregates per multiclass model, so a fleet-wide query does not bucket the binary models again.
	var agg store.MulticlassHistograms
	for _, m := range models {
		ref := refScope
		ref.Model = m
		a, err := s.store.MulticlassHistograms(ctx, store.MulticlassRequest{
			Reference: ref, Current: store.Scope{Model: m, Segment: q.Segment, From: origin, To: req.To},
			Windowing: store.Windowing{Origin: origin, Width: w}, LabelsUntil: req.To})
		if err != nil {
			return res, err
		}
		res.SQL = append(res.SQL, a.SQL...)
		agg.Reference = append(agg.Reference, a.Reference...)
		agg.Confusion = append(agg.Confusion, a.Confusion...)
		agg.Current = append(agg.Current, a.Current...)
	}
	refBuckets := map[string][]store.ClassCalibrationBucket{}
	for _, b := range agg.Reference {
		refBuckets[b.Model] = append(refBuckets[b.Model], b)
	}
	conf := map[string][]store.ClassConfusion{}
	for _, c := range agg.Confusion {
		conf[c.Model] = append(conf[c.Model], c)
	}
	hist := map[modelWindow][]store.ClassScoreBucket{}
	for _, b := range agg.Current {
		hist[modelWindow{b.Model, b.Window}] = append(hist[modelWindow{b.Model, b.Window}], b)
	}
	minSamples := int64(s.cfg.MinSamples)
	for _, m := range models {
		mc := FitMulticlass(refBuckets[m], conf[m], minSamples)
		seriesNotice := ""
		if n := mc.Labelled; n < minSamples || n == 0 {
			seriesNotice = fmt.Sprintf("the labelled reference of %s has %d labelled rows with a score and a prediction, below the minimum of %d: no calibration, no estimate", m, n, minSamples)
		}
		pooling := append([]string{}, mc.Pooling...)
		series := map[string]*EstimatedSeries{}
		for _, metric := range EstimatedMulticlassMetrics {
			series[metric] = &EstimatedSeries{Model: m, Metric: metric, Notice: seriesNotice, Meta: map[string]any{
				"task": TaskMulticlass, "method": MulticlassMethod, "assumption": MulticlassAssumption,
				"calibration": MulticlassCalibrationMethod, "samplingError": MulticlassSamplingErrorMethod,
				"referenceLabelled": mc.Labelled, "pooledCalibrationClasses": pooling}}
		}
		for i := 0; i < windows; i++ {
			start := origin.Add(time.Duration(i) * w)
			var e MulticlassExpected
			var ests map[string]estimate
			why := seriesNotice
			if why == "" {
				e = mc.Expect(hist[modelWindow{m, int64(i)}])
				if why = windowTooSmall(e.N, minSamples, "no predictions with a score and a class in this window"); why == "" {
					ests = e.metrics(mc.Components)
				}
			}
			for _, metric := range EstimatedMulticlassMetrics {
				series[metric].Points = append(series[metric].Points, estimatedPoint(start, e.N, why, ests, metric))
			}
		}
		for _, metric := range EstimatedMulticlassMetrics {
			res.Series = append(res.Series, *series[metric])
		}
	}
	return res, nil
}
