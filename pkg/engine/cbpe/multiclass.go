package cbpe

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
)

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

// ClassCalibrationBucket is the count of one (predicted class, score bucket, correct) of the labelled reference.
type ClassCalibrationBucket struct {
	Class   string
	Bucket  int
	Correct bool
	Count   int64
}

// ClassConfusion is the count of one (predicted class, label class) of the labelled reference.
type ClassConfusion struct {
	Predicted, Label string
	Count            int64
}

// ClassScoreBucket is the count of one window's predictions of one class in one score bucket (the score being the
// top-class confidence).
type ClassScoreBucket struct {
	Class  string
	Bucket int
	Count  int64
}

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
func FitMulticlass(ref []ClassCalibrationBucket, conf []ClassConfusion, minSamples int64) MulticlassCalibration {
	mc := MulticlassCalibration{PerClass: map[string]Calibration{}, ErrorShare: map[string]map[string]float64{},
		Components: map[string]SamplingComponents{}}
	pooled := map[int]*CalibrationBucket{}
	perClass := map[string]map[int]*CalibrationBucket{}
	rows := map[string]int64{}
	add := func(m map[int]*CalibrationBucket, b ClassCalibrationBucket) {
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
		if c, ok := ReferenceComponents(tp[k], fp[k], tn, fn[k], nil)[F1]; ok {
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
func (mc MulticlassCalibration) Expect(buckets []ClassScoreBucket) MulticlassExpected {
	e := MulticlassExpected{Predicted: map[string]int64{}, TP: map[string]float64{}, FP: map[string]float64{}, FN: map[string]float64{}}
	// Sum in a fixed order (the store returns groups in any order), so results are reproducible to the last bit.
	buckets = append([]ClassScoreBucket(nil), buckets...)
	slices.SortFunc(buckets, func(a, b ClassScoreBucket) int {
		return cmp.Or(strings.Compare(a.Class, b.Class), cmp.Compare(a.Bucket, b.Bucket))
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

// Metrics returns the window's estimated accuracy (Σ c(score) / n, pooled calibration) and macro F1 (the mean of
// 2TP_k/(2TP_k+FP_k+FN_k) over Classes) with their standard errors (MulticlassSamplingErrorMethod), keyed by
// their names; undefined values are NaN with why.
func (e MulticlassExpected) Metrics(comp map[string]SamplingComponents) map[string]Estimate {
	out := map[string]Estimate{}
	n := float64(e.N)
	if e.N == 0 {
		out[Accuracy] = Estimate{Value: math.NaN(), Why: "no predictions"}
		out[MacroF1] = Estimate{Value: math.NaN(), Why: "no predictions"}
		return out
	}
	a := e.Correct / n
	if math.IsNaN(a) { // an empty calibration makes every expectation NaN
		out[Accuracy] = Estimate{Value: math.NaN(), Why: "no calibration: accuracy undefined"}
		out[MacroF1] = Estimate{Value: math.NaN(), Why: "no calibration: macro F1 undefined"}
		return out
	}
	out[Accuracy] = Estimate{Value: a, Sigma: math.Sqrt(math.Max(a*(1-a), 0) / n)}
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
		out[MacroF1] = Estimate{Value: math.NaN(), Why: "no class with predictions or expected support: macro F1 undefined"}
	case withComp == 0:
		out[MacroF1] = Estimate{Value: f1, Sigma: math.NaN()}
	default:
		out[MacroF1] = Estimate{Value: f1, Sigma: math.Sqrt(varSum) / float64(withComp)}
	}
	return out
}
