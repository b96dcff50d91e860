package realized

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got Value, want float64) {
	t.Helper()
	if got.Value == nil || math.Abs(*got.Value-want) > 1e-12 {
		t.Errorf("%s = %v (%s), want %v", what, got.Value, got.Why, want)
	}
}

// Four labelled rows: positives in buckets 3 and 2, negatives in buckets 2 and 1 (scores 0.0035, 0.0025, 0.0025,
// 0.0015; sklearn's roc_auc_score on them gives 0.875: the tied pair in bucket 2 counts half). Confusion at the
// threshold: TP 1, FN 1, TN 2. ECE: all four fall in the first of 10 bins, mean score 0.0025 vs positive rate 0.5.
func TestBinaryMetrics(t *testing.T) {
	bs := []Bucket{{Bucket: 3, Positive: true, Count: 1, ScoreSum: 0.0035}, {Bucket: 2, Positive: true, Count: 1, ScoreSum: 0.0025},
		{Bucket: 2, Count: 1, ScoreSum: 0.0025}, {Bucket: 1, Count: 1, ScoreSum: 0.0015}}
	m := BinaryMetrics(Counts{Labelled: 4, TP: 1, TN: 2, FN: 1, LogLossSum: 2}, bs)
	near(t, "accuracy", m.Accuracy, 0.75)
	near(t, "precision", m.Precision, 1)
	near(t, "recall", m.Recall, 0.5)
	near(t, "F1", m.F1, 2.0/3)
	near(t, "log loss", m.LogLoss, 0.5)
	near(t, "ROC AUC", m.ROCAUC, 0.875)
	near(t, "ECE", m.ECE, 0.5-0.0025)
	// one tied positive–negative pair of 2·2: 1 / (2·2·2)
	if math.Abs(m.AUCBound-0.125) > 1e-15 {
		t.Errorf("AUC bound %v, want 0.125", m.AUCBound)
	}
	if bs[0].Bucket != 3 {
		t.Error("the caller's buckets were reordered")
	}
	m = BinaryMetrics(Counts{Labelled: 2, TN: 2}, []Bucket{{Bucket: 1, Count: 2}})
	if m.Precision.Value != nil || m.Recall.Value != nil || m.F1.Value != nil || m.ROCAUC.Value != nil || m.ROCAUC.Why == "" || m.AUCBound != 0 {
		t.Errorf("no positives: %+v", m)
	}
	near(t, "accuracy without positives", m.Accuracy, 1)
}

// sklearn: f1_score(["A", "A", "B"], ["A", "A", "A"], average="macro") = (0.8 + 0) / 2 = 0.4.
func TestMacroF1(t *testing.T) {
	got := MacroF1([]ClassCounts{{TP: 2, FP: 1}, {FN: 1}})
	if math.Abs(got-0.4) > 1e-15 {
		t.Errorf("macro F1 %v, want 0.4", got)
	}
}

// y = [1, 4], prediction = [2, 2]: e = [−1, 2]; MAE 1.5, RMSE sqrt(2.5), MAPE (1/1 + 2/4)/2 = 0.75.
func TestRegression(t *testing.T) {
	mae, rmse, mape := Regression(2, 3, 5, 1.5)
	if mae != 1.5 || math.Abs(rmse-math.Sqrt(2.5)) > 1e-15 || mape != 0.75 {
		t.Errorf("MAE %v RMSE %v MAPE %v", mae, rmse, mape)
	}
}
