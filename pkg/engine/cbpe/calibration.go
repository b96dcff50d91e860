// Package cbpe is confidence-based performance estimation (CBPE, as NannyML defines it) on aggregates: an
// isotonic calibration of the score fitted on the labelled reference's score-bucket histogram, the expected
// confusion matrix of a window's unlabelled score histogram (binary, and multiclass on the top-class confidence),
// the metrics that follow from it and their sampling error. Pure: no I/O, no store types.
//
// Scores arrive as buckets of a 1/ScoreBuckets grid: bucket b holds the scores in [b/1000, (b+1)/1000) (a score
// of 1 in the last bucket) and stands for its centre (b + 0.5)/1000.
package cbpe

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// ScoreBuckets is the number of equal-width score buckets of [0, 1] the histograms are counted in (the store's
// score histograms use the same grid).
const ScoreBuckets = 1000

// Metric names of the estimates: the names of the realized performance series, so realized and estimated line up.
const (
	Accuracy  = "accuracy"
	Precision = "precision"
	Recall    = "recall"
	F1        = "f1"
	ROCAUC    = "roc_auc"
	MacroF1   = "macro_f1"
)

// BinaryMetrics are the keys of Expected.Metrics, MulticlassMetrics those of MulticlassExpected.Metrics, in
// output order.
var (
	BinaryMetrics     = []string{Accuracy, Precision, Recall, F1, ROCAUC}
	MulticlassMetrics = []string{Accuracy, MacroF1}
)

// CalibrationMethod describes how scores are calibrated (reported in every series' meta).
const CalibrationMethod = "isotonic regression (pool-adjacent-violators, weighted by count) fitted on the labelled " +
	"reference's 1/1000 score-bucket histogram (per bucket: rows and positives — aggregates, not rows), evaluated at " +
	"bucket centres with linear interpolation between fitted buckets and clipping beyond the outer ones"

// CalibrationBucket is one reference score bucket: labelled rows and positives among them (for multiclass:
// rows and correct predictions).
type CalibrationBucket struct {
	Bucket           int
	Count, Positives int64
}

// Calibration maps a score bucket to a calibrated probability of the positive class (multiclass: of a correct
// prediction). The zero Calibration (nothing fitted) gives NaN everywhere.
type Calibration struct {
	X, Y []float64 // fitted bucket centres (ascending) and their isotonic values
}

// byBucket orders calibration buckets by score bucket.
func byBucket(a, b CalibrationBucket) int { return cmp.Compare(a.Bucket, b.Bucket) }

// FitIsotonic fits a non-decreasing step function to the positive rate of each non-empty bucket, weighted by its
// count, by pool-adjacent-violators: adjacent blocks whose means decrease are merged into their weighted mean.
func FitIsotonic(buckets []CalibrationBucket) Calibration {
	bs := append([]CalibrationBucket(nil), buckets...)
	slices.SortFunc(bs, byBucket)
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
		x = append(x, BucketCentre(b.Bucket))
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

// BucketCentre is the score a bucket stands for: (b + 0.5) / ScoreBuckets.
func BucketCentre(b int) float64 { return (float64(b) + 0.5) / ScoreBuckets }

// At returns the calibrated probability of a score bucket: the fitted value at a fitted bucket, linear
// interpolation between the centres of the fitted buckets around it, the outer fitted value beyond them; NaN when
// nothing was fitted.
func (c Calibration) At(bucket int) float64 {
	if len(c.X) == 0 {
		return math.NaN()
	}
	x := BucketCentre(bucket)
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
