package monitor

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/band"
	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
	"github.com/aiops/modelmonitor/pkg/engine/realized"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Binary-classification performance metrics, each its own series.
const (
	PerfAccuracy      = cbpe.Accuracy
	PerfPrecision     = cbpe.Precision
	PerfRecall        = cbpe.Recall
	PerfF1            = cbpe.F1
	PerfROCAUC        = cbpe.ROCAUC
	PerfLogLoss       = "log_loss"
	PerfECE           = "ece"
	PerfLabelCoverage = "label_coverage"
	// PerfLagP50 and PerfLagP90 are the label lag (label_ts − ts, hours) of the window's labels: how late truth
	// arrives, which tells how far back realized performance can be trusted.
	PerfLagP50  = "label_lag_p50_hours"
	PerfLagP90  = "label_lag_p90_hours"
	PerfMacroF1 = cbpe.MacroF1
	PerfMAE     = "mae"
	PerfRMSE    = "rmse"
	PerfMAPE    = "mape"
)

// unitMetrics are the performance and estimated-performance metrics that live in [0, 1].
var unitMetrics = map[string]bool{PerfAccuracy: true, PerfPrecision: true, PerfRecall: true, PerfF1: true,
	PerfROCAUC: true, PerfECE: true, PerfMacroF1: true, PerfLabelCoverage: true}

// MetricKind is what a performance or estimatedPerformance metric measures, for its thresholds: band.Unit for the
// metrics in [0, 1] (accuracy, precision, recall, F1, ROC AUC, ECE, macro F1, label coverage), which may move
// either way; band.NonNegative for the rest (log loss, MAE, RMSE, MAPE, label lags).
func MetricKind(metric string) band.Kind {
	if unitMetrics[metric] {
		return band.Unit
	}
	return band.NonNegative
}

// PerformanceMetrics lists the metric series of a binary classifier in output order.
var PerformanceMetrics = []string{PerfAccuracy, PerfPrecision, PerfRecall, PerfF1, PerfROCAUC, PerfLogLoss, PerfECE, PerfLabelCoverage, PerfLagP50, PerfLagP90}

// MulticlassMetrics and RegressionMetrics are the series of the other tasks.
var (
	MulticlassMetrics = []string{PerfAccuracy, PerfMacroF1, PerfLabelCoverage, PerfLagP50, PerfLagP90}
	RegressionMetrics = []string{PerfMAE, PerfRMSE, PerfMAPE, PerfLabelCoverage, PerfLagP50, PerfLagP90}
)

// Registry tasks; an empty task is taken as binary.
const (
	TaskBinary     = "binary"
	TaskMulticlass = "multiclass"
	TaskRegression = "regression"
)

// PerformancePoint is one window's value of one metric; Value is nil when it has none (Notice says why).
type PerformancePoint struct {
	Start            time.Time
	Value            *float64
	Served, Labelled int64
	Notice           string
}

// PerformanceSeries is one metric of one model.
type PerformanceSeries struct {
	Model, Metric string
	Points        []PerformancePoint
	Notice        string
	Meta          map[string]any
}

// PerformanceResult is the answer to one performance request.
type PerformanceResult struct {
	Series    []PerformanceSeries
	Window    time.Duration
	Threshold float64
	SQL       []string
	Notices   []string
}

// Performance computes realized binary-classification performance per model and window (performance query),
// from the store's confusion counts and score histograms (the maths in package realized); labels count only when
// known by the query's end.
//   - accuracy (TP+TN)/n; precision TP/(TP+FP); recall TP/(TP+FN); F1 2TP/(2TP+FP+FN), at score >= threshold.
//     A zero denominator gives a null point with a notice, never NaN (scikit-learn would return 0 with a warning).
//   - roc_auc: Mann–Whitney over 1/1000 score buckets, pairs within one bucket counted half. Exact when the scores
//     of a bucket are equal; otherwise |error| <= Σ_b pos_b·neg_b / (2·P·N), reported per series as
//     meta aucBinningErrorBound (the largest over its windows).
//   - log_loss: the pushed-down exact mean of −(y ln p + (1−y) ln(1−p)), p clipped to [1e-15, 1 − 1e-15].
//   - ece: Σ_j n_j/n · |mean score_j − positive rate_j| over 10 equal-width score bins (exact: bucket score sums).
//   - label_coverage: labelled / served (given below minSamples too).
//
// Multiclass models (registry task "multiclass"; label vs prediction column, numbers compared as numbers): accuracy
// and macro F1 (unweighted mean of the one-vs-rest F1 over the classes seen as label or prediction, as
// scikit-learn's f1_score(average="macro")). Regression models: MAE, RMSE and MAPE (|e| / max(|y|, ε), as
// scikit-learn's mean_absolute_percentage_error), from pushed-down sums.
//
// Metrics of windows with fewer than minSamples labelled rows are null with a notice. Models of another task are
// skipped with a notice; an empty task is binary.
func (s *Service) Performance(ctx context.Context, req Request) (PerformanceResult, error) {
	q := req.Query
	res := PerformanceResult{Threshold: decisionThreshold(q)}
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
	var models []string
	task := map[string]string{}
	for _, m := range all {
		t := m.Task
		if t != TaskBinary && t != TaskMulticlass && t != TaskRegression {
			res.Notices = append(res.Notices, fmt.Sprintf("model %s has task %q: performance knows binary, multiclass and regression", m.ID, m.Task))
			continue
		}
		task[m.ID] = t
		models = append(models, m.ID)
	}
	if len(models) == 0 {
		return res, nil
	}

	scope := store.Scope{Model: q.Model, Segment: q.Segment, From: origin, To: req.To}
	agg, err := s.store.Performance(ctx, scope, store.Windowing{Origin: origin, Width: w},
		store.PerformanceRequest{Threshold: res.Threshold, LabelsUntil: req.To, ClassModels: classModels(all)})
	if err != nil {
		return res, err
	}
	res.SQL = agg.SQL
	win := map[modelWindow]store.WindowPerformance{}
	for _, r := range agg.Windows {
		win[modelWindow{r.Model, r.Window}] = r
	}
	hist := map[modelWindow][]store.ScoreBucket{}
	for _, b := range agg.Buckets {
		hist[modelWindow{b.Model, b.Window}] = append(hist[modelWindow{b.Model, b.Window}], b)
	}
	cls := map[modelWindow][]store.ClassCount{}
	for _, c := range agg.Classes {
		cls[modelWindow{c.Model, c.Window}] = append(cls[modelWindow{c.Model, c.Window}], c)
	}
	minSamples := int64(s.minSamples(req.Query))
	for _, m := range models {
		metrics := PerformanceMetrics
		switch task[m] {
		case TaskMulticlass:
			metrics = MulticlassMetrics
		case TaskRegression:
			metrics = RegressionMetrics
		}
		series := map[string]*PerformanceSeries{}
		for _, metric := range metrics {
			series[metric] = &PerformanceSeries{Model: m, Metric: metric, Meta: map[string]any{}}
		}
		var aucBound float64
		var unreadable int64
		for i := 0; i < windows; i++ {
			r := win[modelWindow{m, int64(i)}]
			unreadable += r.Unreadable
			start := origin.Add(time.Duration(i) * w)
			var vals map[string]*float64
			var notices map[string]string
			labelled := r.Labelled
			switch task[m] {
			case TaskMulticlass:
				labelled = r.ClassLabelled
				vals, notices = multiclassMetrics(r, cls[modelWindow{m, int64(i)}], minSamples)
			case TaskRegression:
				labelled = r.RegLabelled
				vals, notices = regressionMetrics(r, minSamples)
			default:
				var bound float64
				vals, notices, bound = binaryMetrics(r, hist[modelWindow{m, int64(i)}], minSamples)
				aucBound = math.Max(aucBound, bound)
			}
			labelLag(r, vals, notices)
			for _, metric := range metrics {
				series[metric].Points = append(series[metric].Points, PerformancePoint{Start: start, Value: vals[metric],
					Served: r.Served, Labelled: labelled, Notice: notices[metric]})
			}
		}
		if task[m] == TaskBinary {
			series[PerfROCAUC].Meta["aucBinningErrorBound"] = aucBound
			if unreadable > 0 {
				res.Notices = append(res.Notices, unreadableLabels(m, unreadable))
			}
		}
		for _, metric := range metrics {
			series[metric].Meta["task"] = task[m]
			if task[m] == TaskBinary {
				series[metric].Meta["decisionThreshold"] = res.Threshold
			}
			res.Series = append(res.Series, *series[metric])
		}
	}
	return res, nil
}

func v(x float64) *float64 { return &x }

// unreadableLabels says that a binary model's labels exist but are neither class, and how to name the positive one.
func unreadableLabels(model string, n int64) string {
	return fmt.Sprintf("model %s: %d labels are neither the positive class (1, true, yes) nor the negative one (0, false, no), "+
		"so they count as unlabelled; name the positive class with positiveLabel in the data source settings", model, n)
}

// labelLag fills the label-lag series of one window, whatever its labelled count: a few late labels are exactly
// what the lag should show.
func labelLag(r store.WindowPerformance, vals map[string]*float64, notices map[string]string) {
	if r.LagP50Hours == nil {
		why := "no label with a label_ts known for this window (labels from a label column carry no time)"
		notices[PerfLagP50], notices[PerfLagP90] = why, why
		return
	}
	vals[PerfLagP50], vals[PerfLagP90] = r.LagP50Hours, r.LagP90Hours
}

// coverage fills label_coverage and reports whether n labelled rows are enough for the other metrics (else every
// metric of the list gets the notice).
func coverage(served, n, minSamples int64, metrics []string, vals map[string]*float64, notices map[string]string) bool {
	if served > 0 {
		vals[PerfLabelCoverage] = v(float64(n) / float64(served))
	} else {
		notices[PerfLabelCoverage] = "no rows served in this window"
	}
	if n > 0 && n >= minSamples {
		return true
	}
	why := fmt.Sprintf("%d labelled rows in this window, below the minimum of %d: no value", n, minSamples)
	if n == 0 {
		why = "no labels known for this window by the end of the query range"
	}
	for _, metric := range metrics {
		if metric != PerfLabelCoverage {
			notices[metric] = why
		}
	}
	return false
}

// multiclassMetrics computes one window's accuracy and macro F1 (realized.MacroF1).
func multiclassMetrics(r store.WindowPerformance, classes []store.ClassCount, minSamples int64) (map[string]*float64, map[string]string) {
	vals, notices := map[string]*float64{}, map[string]string{}
	if !coverage(r.Served, r.ClassLabelled, minSamples, MulticlassMetrics, vals, notices) {
		return vals, notices
	}
	vals[PerfAccuracy] = v(float64(r.Correct) / float64(r.ClassLabelled))
	cs := make([]realized.ClassCounts, len(classes))
	for i, c := range classes {
		cs[i] = realized.ClassCounts{TP: c.TP, FP: c.FP, FN: c.FN}
	}
	vals[PerfMacroF1] = v(realized.MacroF1(cs))
	return vals, notices
}

// regressionMetrics computes one window's MAE, RMSE and MAPE (realized.Regression).
func regressionMetrics(r store.WindowPerformance, minSamples int64) (map[string]*float64, map[string]string) {
	vals, notices := map[string]*float64{}, map[string]string{}
	if !coverage(r.Served, r.RegLabelled, minSamples, RegressionMetrics, vals, notices) {
		return vals, notices
	}
	mae, rmse, mape := realized.Regression(r.RegLabelled, r.AbsErrSum, r.SqErrSum, r.APESum)
	vals[PerfMAE], vals[PerfRMSE], vals[PerfMAPE] = v(mae), v(rmse), v(mape)
	return vals, notices
}

// binaryMetrics computes one window's metrics (realized.BinaryMetrics); a nil value has its notice. bound is the
// AUC binning error bound.
func binaryMetrics(r store.WindowPerformance, buckets []store.ScoreBucket, minSamples int64) (map[string]*float64, map[string]string, float64) {
	vals, notices := map[string]*float64{}, map[string]string{}
	if !coverage(r.Served, r.Labelled, minSamples, PerformanceMetrics, vals, notices) {
		return vals, notices, 0
	}
	bs := make([]realized.Bucket, len(buckets))
	for i, b := range buckets {
		bs[i] = realized.Bucket{Bucket: b.Bucket, Positive: b.Label == 1, Count: b.Count, ScoreSum: b.ScoreSum}
	}
	m := realized.BinaryMetrics(realized.Counts{Labelled: r.Labelled, TP: r.TP, FP: r.FP, TN: r.TN, FN: r.FN, LogLossSum: r.LogLossSum}, bs)
	for metric, x := range map[string]realized.Value{PerfAccuracy: m.Accuracy, PerfPrecision: m.Precision, PerfRecall: m.Recall,
		PerfF1: m.F1, PerfLogLoss: m.LogLoss, PerfROCAUC: m.ROCAUC, PerfECE: m.ECE} {
		if x.Value != nil {
			vals[metric] = x.Value
		} else {
			notices[metric] = x.Why
		}
	}
	return vals, notices, m.AUCBound
}

// classModels lists the multiclass models of all (in its order): the models whose labels and predictions a
// windowed performance call compares as classes (store.PerformanceRequest.ClassModels). The performance analysis
// and the diagnosis ask with the same list, so that their windowed calls are one call: one statement within a
// request, and parts the window cache keeps (and brings forward by label deltas) once for both — an alert rule on
// the diagnosis and one on fleetHealth or performance share them.
func classModels(all []store.Model) []string {
	var out []string
	for _, m := range all {
		if m.Task == TaskMulticlass {
			out = append(out, m.ID)
		}
	}
	return out
}
