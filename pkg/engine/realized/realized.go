// Package realized computes realized model performance — measured against labels — from pushed-down aggregates:
// binary classification from the confusion counts at a decision threshold and the labelled score histogram,
// multiclass macro F1 from one-vs-rest counts, regression errors from sums. Pure: no I/O, no store types.
package realized

import (
	"cmp"
	"math"
	"slices"

	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
)

// ECEBins is the number of equal-width calibration bins of the expected calibration error.
const ECEBins = 10

// Counts are one window's labelled rows (n), their binary confusion counts at the decision threshold (TP + FP +
// TN + FN = n) and the sum of their log losses −(y ln p + (1−y) ln(1−p)).
type Counts struct {
	Labelled       int64
	TP, FP, TN, FN int64
	LogLossSum     float64
}

// Bucket is the labelled rows of one label in one score bucket (the 1/cbpe.ScoreBuckets grid): their count and
// the sum of their scores.
type Bucket struct {
	Bucket   int
	Positive bool
	Count    int64
	ScoreSum float64
}

// Value is a metric's value, or nil with why it is undefined there.
type Value struct {
	Value *float64
	Why   string
}

// Binary is one window's binary-classification metrics.
type Binary struct {
	Accuracy, Precision, Recall, F1, LogLoss, ROCAUC, ECE Value
	// AUCBound bounds |ROC AUC − the ROC AUC of the unbucketed scores| (0 when ROC AUC is undefined).
	AUCBound float64
}

// BinaryMetrics computes one window's metrics from its counts and labelled score buckets:
//   - accuracy (TP+TN)/n; precision TP/(TP+FP); recall TP/(TP+FN); F1 2TP/(2TP+FP+FN). A zero denominator gives
//     no value and why (scikit-learn would return 0 with a warning);
//   - log loss: LogLossSum / n;
//   - ROC AUC: the Mann–Whitney statistic over the buckets, pairs within one bucket counted half; exact when the
//     scores of a bucket are equal, otherwise |error| <= AUCBound = Σ_b pos_b·neg_b / (2·P·N); undefined with
//     one label class;
//   - ECE: Σ_j n_j/n · |mean score_j − positive rate_j| over ECEBins equal-width score bins (exact: bucket score
//     sums).
func BinaryMetrics(c Counts, buckets []Bucket) Binary {
	var m Binary
	ratio := func(num, den int64, why string) Value {
		if den == 0 {
			return Value{Why: why}
		}
		return Value{Value: v(float64(num) / float64(den))}
	}
	n := c.Labelled
	m.Accuracy = ratio(c.TP+c.TN, n, "no labelled rows")
	m.Precision = ratio(c.TP, c.TP+c.FP, "no positive predictions at this threshold: precision undefined")
	m.Recall = ratio(c.TP, c.TP+c.FN, "no positive labels: recall undefined")
	m.F1 = ratio(2*c.TP, 2*c.TP+c.FP+c.FN, "no positive labels and no positive predictions: F1 undefined")
	if n > 0 {
		m.LogLoss.Value = v(c.LogLossSum / float64(n))
	} else {
		m.LogLoss.Why = "no labelled rows"
	}

	// ROC AUC (Mann–Whitney) over the buckets in ascending order.
	buckets = append([]Bucket(nil), buckets...)
	slices.SortFunc(buckets, func(a, b Bucket) int { // by (bucket, label): the sums below do not depend on the input's order
		if a.Bucket != b.Bucket {
			return cmp.Compare(a.Bucket, b.Bucket)
		}
		return cmp.Compare(positive(a.Positive), positive(b.Positive))
	})
	type group struct{ pos, neg int64 } // one score bucket's labelled rows, in ascending bucket order
	var groups []group
	var P, N int64
	var binN [ECEBins]int64
	var binPos [ECEBins]int64
	var binSum [ECEBins]float64
	for i, b := range buckets {
		if i == 0 || b.Bucket != buckets[i-1].Bucket {
			groups = append(groups, group{})
		}
		g := &groups[len(groups)-1]
		if b.Positive {
			g.pos += b.Count
			P += b.Count
		} else {
			g.neg += b.Count
			N += b.Count
		}
		j := b.Bucket * ECEBins / cbpe.ScoreBuckets
		binN[j] += b.Count
		binSum[j] += b.ScoreSum
		if b.Positive {
			binPos[j] += b.Count
		}
	}
	if P == 0 || N == 0 {
		m.ROCAUC.Why = "only one label class in this window: ROC AUC undefined"
	} else {
		var negBelow int64
		var num, ties float64
		for _, g := range groups {
			num += float64(g.pos)*float64(negBelow) + 0.5*float64(g.pos)*float64(g.neg)
			ties += float64(g.pos) * float64(g.neg)
			negBelow += g.neg
		}
		m.ROCAUC.Value = v(num / (float64(P) * float64(N)))
		m.AUCBound = ties / (2 * float64(P) * float64(N))
	}
	var ece float64
	var total int64
	for j := 0; j < ECEBins; j++ {
		total += binN[j]
	}
	for j := 0; j < ECEBins; j++ {
		if binN[j] > 0 {
			ece += float64(binN[j]) / float64(total) * math.Abs(binSum[j]/float64(binN[j])-float64(binPos[j])/float64(binN[j]))
		}
	}
	m.ECE.Value = v(ece)
	return m
}

// ClassCounts are one class's one-vs-rest counts: TP = label and prediction are the class, FP = prediction only,
// FN = label only.
type ClassCounts struct{ TP, FP, FN int64 }

// MacroF1 is the unweighted mean over the classes of the one-vs-rest F1 2TP/(2TP+FP+FN) (a class with no TP, FP
// or FN counts 0), as scikit-learn's f1_score(average="macro"). NaN without classes.
func MacroF1(classes []ClassCounts) float64 {
	var sum float64
	for _, c := range classes {
		if d := 2*c.TP + c.FP + c.FN; d > 0 {
			sum += float64(2*c.TP) / float64(d)
		}
	}
	return sum / float64(len(classes))
}

// Regression are the errors of n labelled rows from their sums of |e|, e² and |e| / max(|y|, ε): MAE = Σ|e|/n,
// RMSE = sqrt(Σe²/n), MAPE = Σ(|e| / max(|y|, ε))/n (as scikit-learn's mean_absolute_percentage_error).
func Regression(n int64, absErrSum, sqErrSum, apeSum float64) (mae, rmse, mape float64) {
	x := float64(n)
	return absErrSum / x, math.Sqrt(sqErrSum / x), apeSum / x
}

func v(x float64) *float64 { return &x }

// positive orders negatives (0) before positives (1).
func positive(p bool) int {
	if p {
		return 1
	}
	return 0
}
