package cbpe

import (
	"math"
	"testing"
)

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// CBPE on a hand-computed fixture.
//
// Reference (labelled) buckets → positive rate: 100: 2/10 = 0.2; 300: 6/10 = 0.6; 600: 5/10 = 0.5; 900: 9/10 = 0.9.
// PAV: 0.6 > 0.5 violates monotonicity, so buckets 300 and 600 pool to (6+5)/(10+10) = 0.55.
// Calibrated: c(100) = 0.2, c(300) = c(600) = 0.55, c(900) = 0.9. Bucket 450 (not in the reference) interpolates
// linearly between the centres of 300 and 600 where both are 0.55: 0.55.
//
// Current window at threshold 0.5: bucket 100 × 4 and 300 × 2 predicted negative; 600 × 2 and 900 × 2 positive.
//
//	E[TP] = 2·0.55 + 2·0.9       = 1.1 + 1.8 = 2.9
//	E[FP] = 2·0.45 + 2·0.1       = 0.9 + 0.2 = 1.1
//	E[FN] = 4·0.2  + 2·0.55      = 0.8 + 1.1 = 1.9
//	E[TN] = 4·0.8  + 2·0.45      = 3.2 + 0.9 = 4.1     (sum 10 = n)
//	accuracy  = (2.9 + 4.1) / 10   = 0.7
//	precision = 2.9 / (2.9 + 1.1)  = 0.725
//	recall    = 2.9 / (2.9 + 1.9)  = 2.9 / 4.8
//	F1        = 5.8 / (5.8 + 1.1 + 1.9) = 5.8 / 8.8
//	ROC AUC: positive weights n·c = 0.8, 1.1, 1.1, 1.8 (P = 4.8); negative n·(1−c) = 3.2, 0.9, 0.9, 0.2 (N = 5.2);
//	  Σ pos_k·(neg below k) + ½ pos_k·neg_k = 1.28 + (3.52 + 0.495) + (4.51 + 0.495) + (9.0 + 0.18) = 19.48;
//	  AUC = 19.48 / (4.8 · 5.2) = 19.48 / 24.96.
//	accuracy σ = sqrt(0.7 · 0.3 / 10).
func TestCBPEHandComputed(t *testing.T) {
	cal := FitIsotonic([]CalibrationBucket{{900, 10, 9}, {100, 10, 2}, {600, 10, 5}, {300, 10, 6}})
	for b, want := range map[int]float64{100: 0.2, 300: 0.55, 450: 0.55, 600: 0.55, 900: 0.9, 0: 0.2, 999: 0.9} {
		if got := cal.At(b); !closeTo(got, want) {
			t.Fatalf("calibration at bucket %d = %v, want %v", b, got, want)
		}
	}
	e := Expect(cal, []PredictedBucket{
		{Bucket: 100, Count: 4}, {Bucket: 300, Count: 2}, {Bucket: 600, Positive: true, Count: 2}, {Bucket: 900, Positive: true, Count: 2}})
	if e.N != 10 || !closeTo(e.TP, 2.9) || !closeTo(e.FP, 1.1) || !closeTo(e.FN, 1.9) || !closeTo(e.TN, 4.1) {
		t.Fatalf("expected confusion %+v", e)
	}
	m := e.Metrics(nil)
	for metric, want := range map[string]float64{Accuracy: 0.7, Precision: 0.725, Recall: 2.9 / 4.8,
		F1: 5.8 / 8.8, ROCAUC: 19.48 / 24.96} {
		if !closeTo(m[metric].Value, want) {
			t.Fatalf("%s = %v, want %v", metric, m[metric].Value, want)
		}
	}
	if !closeTo(m[Accuracy].Sigma, math.Sqrt(0.7*0.3/10)) {
		t.Fatalf("accuracy σ %v", m[Accuracy].Sigma)
	}
}

// Interpolation between fitted buckets of different values, and PAV pooling across a whole decreasing run.
func TestIsotonicPAV(t *testing.T) {
	// rates 0.9, 0.5, 0.1 with weights 1, 1, 2 pool into one block: (0.9 + 0.5 + 0.2) / 4 = 0.4.
	cal := FitIsotonic([]CalibrationBucket{{10, 10, 9}, {20, 10, 5}, {30, 20, 2}})
	for _, b := range []int{10, 20, 30} {
		if !closeTo(cal.At(b), 16.0/40) {
			t.Fatalf("bucket %d: %v", b, cal.At(b))
		}
	}
	cal = FitIsotonic([]CalibrationBucket{{100, 10, 0}, {300, 10, 10}})
	if !closeTo(cal.At(200), 0.5) || !closeTo(cal.At(150), 0.25) {
		t.Fatalf("interpolation %v %v", cal.At(200), cal.At(150))
	}
}

// NannyML's sampling-error components from reference counts. Reference TP 30, FP 10, TN 50, FN 10 (n = 100):
// precision p = 0.75, Std sqrt(0.75·0.25), Fraction 0.4; recall r = 0.75, Fraction 0.4; F1: m = 50,
// c = 50 / (30 + 10) = 1.25, q = 0.6, Std 1.25·sqrt(0.24), Fraction 0.5. At a window of 400 predictions precision's
// σ = sqrt(0.1875) / sqrt(400 · 0.4) = sqrt(0.1875/160).
// ROC AUC from buckets {100: 10 rows, 0 positives; 500: 10 rows, 5 positives; 900: 10 rows, 10 positives}
// (P = 15, N = 15, no swap): shares (negatives below + half of own)/N: bucket 500 → (10 + 2.5)/15 = 5/6 (×5),
// bucket 900 → 15/15 = 1 (×10); mean = (5·5/6 + 10)/15 = 17/18, E[x²] = (5·25/36 + 10)/15 = 485/540, Fraction 0.5.
func TestReferenceComponents(t *testing.T) {
	c := ReferenceComponents(30, 10, 50, 10, nil)
	if p := c[Precision]; !closeTo(p.Std, math.Sqrt(0.1875)) || !closeTo(p.Fraction, 0.4) {
		t.Fatalf("precision %+v", p)
	}
	if r := c[Recall]; !closeTo(r.Std, math.Sqrt(0.1875)) || !closeTo(r.Fraction, 0.4) {
		t.Fatalf("recall %+v", r)
	}
	if f := c[F1]; !closeTo(f.Std, 1.25*math.Sqrt(0.24)) || !closeTo(f.Fraction, 0.5) {
		t.Fatalf("f1 %+v", f)
	}
	m := Expected{TP: 100, FP: 50, TN: 200, FN: 50, N: 400, AUC: 0.8}.Metrics(c)
	if !closeTo(m[Precision].Sigma, math.Sqrt(0.1875/160)) {
		t.Fatalf("precision σ %v", m[Precision].Sigma)
	}
	if !math.IsNaN(m[ROCAUC].Sigma) {
		t.Fatalf("no AUC components: σ should be NaN, got %v", m[ROCAUC].Sigma)
	}
	c = ReferenceComponents(15, 0, 15, 0, []CalibrationBucket{{100, 10, 0}, {500, 10, 5}, {900, 10, 10}})
	mean := 17.0 / 18
	if a := c[ROCAUC]; !closeTo(a.Std, math.Sqrt(485.0/540-mean*mean)) || !closeTo(a.Fraction, 0.5) {
		t.Fatalf("roc_auc %+v", a)
	}
}

// The in-sample CBPE AUC: positives in buckets 1 and 3, negatives in 2 and 3 (one entry per bucket and label).
// Isotonic: rates 1, 0, 0.5 → buckets 1 and 2 pool to 0.5, so every calibrated value is 0.5 and the CBPE AUC is
// 0.5 (the realized AUC of the same rows is 0.375).
func TestInSampleAUC(t *testing.T) {
	bs := []CalibrationBucket{{Bucket: 1, Count: 1, Positives: 1}, {Bucket: 2, Count: 1}, {Bucket: 3, Count: 1, Positives: 1}, {Bucket: 3, Count: 1}}
	if got := InSampleAUC(bs); !closeTo(got, 0.5) {
		t.Fatalf("in-sample AUC %v, want 0.5", got)
	}
	if got := InSampleAUC([]CalibrationBucket{{Bucket: 1, Count: 4}}); !math.IsNaN(got) {
		t.Fatalf("no positives: %v, want NaN", got)
	}
}
