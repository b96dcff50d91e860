package cbpe

import (
	"cmp"
	"math"
	"slices"
)

// BandSigmas is the half-width of the sampling-error band in standard errors.
const BandSigmas = 3.0

// SamplingErrorMethod describes the band (reported in every series' meta).
const SamplingErrorMethod = "value ± 3σ, clipped to [0, 1]; accuracy: binomial σ = sqrt(a(1−a)/n) over the window's n " +
	"predictions; precision, recall, F1, ROC AUC: NannyML's components, σ = std / sqrt(n · fraction) with the " +
	"observation-level std and fraction computed on the labelled reference (from its confusion counts and score buckets)"

// PredictedBucket is the count of one window's predictions in one score bucket, on one side of the decision
// threshold (Positive: score >= threshold).
type PredictedBucket struct {
	Bucket   int
	Positive bool
	Count    int64
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
func Expect(cal Calibration, buckets []PredictedBucket) Expected {
	var e Expected
	// Sum in a fixed order (the store returns groups in any order), so results are reproducible to the last bit.
	buckets = append([]PredictedBucket(nil), buckets...)
	slices.SortFunc(buckets, func(a, b PredictedBucket) int {
		if a.Bucket != b.Bucket {
			return cmp.Compare(a.Bucket, b.Bucket)
		}
		return cmp.Compare(positive(a.Positive), positive(b.Positive))
	})
	var P, N, num, negBelow float64
	for i := 0; i < len(buckets); { // one score bucket at a time, in ascending order
		var pos, neg float64
		for j := i; i < len(buckets) && buckets[i].Bucket == buckets[j].Bucket; i++ {
			b := buckets[i]
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
			pos += n * c
			neg += n * (1 - c)
		}
		num += pos*negBelow + 0.5*pos*neg
		negBelow += neg
		P += pos
	}
	N = negBelow
	e.AUC = math.NaN()
	if P > 0 && N > 0 {
		e.AUC = num / (P * N)
	}
	return e
}

// Estimate is one metric's value and standard error: Value NaN = undefined there (Why says why); Sigma NaN = no
// sampling error known (no band).
type Estimate struct {
	Value, Sigma float64
	Why          string
}

// Band is the estimate's ±BandSigmas·σ band clipped to [0, 1] (the range of every estimated metric): nil bounds
// when the value is undefined or σ is unknown.
func (e Estimate) Band() (upper, lower *float64) {
	if math.IsNaN(e.Value) || math.IsNaN(e.Sigma) {
		return nil, nil
	}
	u, l := math.Min(1, e.Value+BandSigmas*e.Sigma), math.Max(0, e.Value-BandSigmas*e.Sigma)
	return &u, &l
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
		out[Precision] = c
	}
	if c, ok := share(tp, tp+fn); ok {
		out[Recall] = c
	}
	if m := tp + fp + fn; m > 0 {
		cf := float64(m) / (float64(tp) + float64(fp+fn)/2)
		q := float64(tp) / float64(m)
		out[F1] = SamplingComponents{Std: cf * math.Sqrt(q*(1-q)), Fraction: float64(m) / n}
	}
	bs := append([]CalibrationBucket(nil), buckets...)
	slices.SortFunc(bs, byBucket)
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
		out[ROCAUC] = SamplingComponents{Std: math.Sqrt(math.Max(sumSq/P-mean*mean, 0)), Fraction: P / n}
	}
	return out
}

// Metrics returns the estimated accuracy, precision, recall, F1 and ROC AUC (keyed by their names) and their
// standard errors at the window's size (see SamplingErrorMethod): precision TP/(TP+FP), recall TP/(TP+FN), F1
// 2TP/(2TP+FP+FN), accuracy (TP+TN)/n of the expected counts, ROC AUC e.AUC. A zero denominator gives a NaN value
// with why; a metric without reference components has σ = NaN (no band).
func (e Expected) Metrics(comp map[string]SamplingComponents) map[string]Estimate {
	n := float64(e.N)
	sigma := func(metric string) float64 {
		c, ok := comp[metric]
		if !ok || c.Fraction <= 0 || n == 0 {
			return math.NaN()
		}
		return c.Std / math.Sqrt(n*c.Fraction)
	}
	ratio := func(metric string, num, den float64, why string) Estimate {
		if den <= 0 {
			return Estimate{Value: math.NaN(), Why: why}
		}
		return Estimate{Value: num / den, Sigma: sigma(metric)}
	}
	out := map[string]Estimate{
		Precision: ratio(Precision, e.TP, e.TP+e.FP, "no positive predictions at this threshold: precision undefined"),
		Recall:    ratio(Recall, e.TP, e.TP+e.FN, "no expected positives: recall undefined"),
		F1:        ratio(F1, 2*e.TP, 2*e.TP+e.FP+e.FN, "no expected positives and no positive predictions: F1 undefined"),
	}
	if n > 0 {
		a := (e.TP + e.TN) / n
		out[Accuracy] = Estimate{Value: a, Sigma: math.Sqrt(math.Max(a*(1-a), 0) / n)}
	} else {
		out[Accuracy] = Estimate{Value: math.NaN(), Why: "no predictions"}
	}
	if math.IsNaN(e.AUC) {
		out[ROCAUC] = Estimate{Value: math.NaN(), Why: "expected positives or negatives are zero: ROC AUC undefined"}
	} else {
		out[ROCAUC] = Estimate{Value: e.AUC, Sigma: sigma(ROCAUC)}
	}
	return out
}

// InSampleAUC is the CBPE ROC AUC of labelled buckets evaluated with the calibration fitted on those same buckets
// (every bucket's rows taken as predictions): compared with the realized ROC AUC of the same rows, it is the
// estimator's own in-sample bias (isotonic pooling flattens the ranking it fits). A bucket may appear more than
// once (e.g. once per label): the fit sums its rows, the predictions keep the entries. NaN when the expected
// positives or negatives are zero.
func InSampleAUC(buckets []CalibrationBucket) float64 {
	byBucket := map[int]*CalibrationBucket{}
	pred := make([]PredictedBucket, 0, len(buckets))
	for _, b := range buckets {
		cb := byBucket[b.Bucket]
		if cb == nil {
			cb = &CalibrationBucket{Bucket: b.Bucket}
			byBucket[b.Bucket] = cb
		}
		cb.Count += b.Count
		cb.Positives += b.Positives
		pred = append(pred, PredictedBucket{Bucket: b.Bucket, Count: b.Count})
	}
	fit := make([]CalibrationBucket, 0, len(byBucket))
	for _, cb := range byBucket {
		fit = append(fit, *cb)
	}
	return Expect(FitIsotonic(fit), pred).AUC
}

// positive orders negatives (0) before positives (1).
func positive(p bool) int {
	if p {
		return 1
	}
	return 0
}
