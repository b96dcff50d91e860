package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// EstimatedMulticlassMetrics lists the CBPE series of a multiclass classifier in output order (the names of the
// realized multiclass series, so realized and estimated line up).
var EstimatedMulticlassMetrics = cbpe.MulticlassMetrics

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

// estimatedMulticlass adds the multiclass CBPE series of the given models to res (cbpe.MulticlassMethod,
// cbpe.MulticlassAssumption): one calibration on the labelled reference (labels known by the query's end), per
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
	refBuckets := map[string][]cbpe.ClassCalibrationBucket{}
	for _, b := range agg.Reference {
		refBuckets[b.Model] = append(refBuckets[b.Model], cbpe.ClassCalibrationBucket{Class: b.Class, Bucket: b.Bucket, Correct: b.Correct, Count: b.Count})
	}
	conf := map[string][]cbpe.ClassConfusion{}
	for _, c := range agg.Confusion {
		conf[c.Model] = append(conf[c.Model], cbpe.ClassConfusion{Predicted: c.Predicted, Label: c.Label, Count: c.Count})
	}
	hist := map[modelWindow][]cbpe.ClassScoreBucket{}
	for _, b := range agg.Current {
		k := modelWindow{b.Model, b.Window}
		hist[k] = append(hist[k], cbpe.ClassScoreBucket{Class: b.Class, Bucket: b.Bucket, Count: b.Count})
	}
	minSamples := int64(s.minSamples(req.Query))
	for _, m := range models {
		mc := cbpe.FitMulticlass(refBuckets[m], conf[m], minSamples)
		seriesNotice := ""
		if n := mc.Labelled; n < minSamples || n == 0 {
			seriesNotice = fmt.Sprintf("the labelled reference of %s has %d labelled rows with a score and a prediction, below the minimum of %d: no calibration, no estimate", m, n, minSamples)
		}
		pooling := append([]string{}, mc.Pooling...)
		series := map[string]*EstimatedSeries{}
		for _, metric := range EstimatedMulticlassMetrics {
			series[metric] = &EstimatedSeries{Model: m, Metric: metric, Notice: seriesNotice, Meta: map[string]any{
				"task": TaskMulticlass, "method": cbpe.MulticlassMethod, "assumption": cbpe.MulticlassAssumption,
				"calibration": cbpe.MulticlassCalibrationMethod, "samplingError": cbpe.MulticlassSamplingErrorMethod,
				"referenceLabelled": mc.Labelled, "pooledCalibrationClasses": pooling}}
		}
		for i := 0; i < windows; i++ {
			start := origin.Add(time.Duration(i) * w)
			var e cbpe.MulticlassExpected
			var ests map[string]cbpe.Estimate
			why := seriesNotice
			if why == "" {
				e = mc.Expect(hist[modelWindow{m, int64(i)}])
				if why = windowTooSmall(e.N, minSamples, "no predictions with a score and a class in this window"); why == "" {
					ests = e.Metrics(mc.Components)
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
