package cbpe

import (
	"math"
	"testing"
)

// mcReference is the hand-computed multiclass reference of 240 labelled rows, classes "A", "B", "C":
//
//	predicted A: bucket 600 → 40 rows, 16 correct (0.4); bucket 900 → 60 rows, 54 correct (0.9). 100 rows.
//	predicted B: bucket 600 → 60 rows, 42 correct (0.7); bucket 900 → 40 rows, 26 correct (0.65). 100 rows.
//	predicted C: bucket 900 → 40 rows, 32 correct (0.8). 40 rows < minSamples = 50: pooled calibration.
//
// Calibrations (PAV):
//
//	A: 0.4 ≤ 0.9, no pooling: c_A(600) = 0.4, c_A(900) = 0.9.
//	B: 0.7 > 0.65 violates, so both buckets pool to (42+26)/(60+40) = 0.68.
//	pooled: bucket 600: (16+42)/(40+60) = 0.58; bucket 900: (54+26+32)/(60+40+40) = 112/140 = 0.8.
//	C uses the pooled one: c_C(600) = 0.58, c_C(900) = 0.8.
//
// Confusion (predicted → label), consistent with the correct counts above:
//
//	A → A 70, B 20, C 10   (wrong 30: P(B | A, wrong) = 2/3, P(C | A, wrong) = 1/3)
//	B → B 68, A 16, C 16   (wrong 32: 1/2, 1/2)
//	C → C 32, A 4,  B 4    (wrong 8: 1/2, 1/2)
func mcReference() ([]ClassCalibrationBucket, []ClassConfusion) {
	ref := []ClassCalibrationBucket{
		{Class: "A", Bucket: 600, Correct: true, Count: 16}, {Class: "A", Bucket: 600, Correct: false, Count: 24},
		{Class: "A", Bucket: 900, Correct: true, Count: 54}, {Class: "A", Bucket: 900, Correct: false, Count: 6},
		{Class: "B", Bucket: 600, Correct: true, Count: 42}, {Class: "B", Bucket: 600, Correct: false, Count: 18},
		{Class: "B", Bucket: 900, Correct: true, Count: 26}, {Class: "B", Bucket: 900, Correct: false, Count: 14},
		{Class: "C", Bucket: 900, Correct: true, Count: 32}, {Class: "C", Bucket: 900, Correct: false, Count: 8},
	}
	conf := []ClassConfusion{
		{Predicted: "A", Label: "A", Count: 70}, {Predicted: "A", Label: "B", Count: 20}, {Predicted: "A", Label: "C", Count: 10},
		{Predicted: "B", Label: "B", Count: 68}, {Predicted: "B", Label: "A", Count: 16}, {Predicted: "B", Label: "C", Count: 16},
		{Predicted: "C", Label: "C", Count: 32}, {Predicted: "C", Label: "A", Count: 4}, {Predicted: "C", Label: "B", Count: 4},
	}
	return ref, conf
}

// Multiclass CBPE on the hand-computed fixture (mcReference). Current window, 70 predictions:
//
//	A: 600 × 10, 900 × 20;  B: 600 × 10, 900 × 10;  C: 600 × 10, 900 × 10.
//
// accuracy (pooled c): bucket 600: 30 rows × 0.58 = 17.4; bucket 900: 40 × 0.8 = 32 → 49.4 / 70.
//
//	E[TP_A] = 10·0.4 + 20·0.9 = 22,      n_A = 30, E[FP_A] = 8
//	E[TP_B] = 20·0.68         = 13.6,    n_B = 20, E[FP_B] = 6.4
//	E[TP_C] = 10·0.58 + 10·0.8 = 13.8,   n_C = 20, E[FP_C] = 6.2
//	E[FN_A] = 6.4·1/2 + 6.2·1/2 = 6.3
//	E[FN_B] = 8·2/3   + 6.2·1/2 = 16/3 + 3.1
//	E[FN_C] = 8·1/3   + 6.4·1/2 = 8/3 + 3.2        (Σ FN = 20.6 = Σ FP)
//	F1_A = 44 / (44 + 8 + 6.3);  F1_B = 27.2 / (27.2 + 6.4 + 16/3 + 3.1);  F1_C = 27.6 / (27.6 + 6.2 + 8/3 + 3.2)
//	macro F1 = (F1_A + F1_B + F1_C) / 3
//
// Bands: accuracy σ = sqrt(a(1−a)/70). Macro F1: reference one-vs-rest counts (n = 240)
//
//	A: TP 70, FP 30, FN 16+4 = 20 (m = 120);  B: TP 68, FP 32, FN 20+4 = 24 (m = 124);  C: TP 32, FP 8, FN 10+16 = 26 (m = 66)
//	std_k = m/(TP + (FP+FN)/2) · sqrt(q(1−q)), q = TP/m; fraction_k = m/240; σ_k = std_k / sqrt(70 · fraction_k);
//	σ = sqrt(σ_A² + σ_B² + σ_C²) / 3.
func TestMulticlassCBPEHandComputed(t *testing.T) {
	ref, conf := mcReference()
	mc := FitMulticlass(ref, conf, 50)
	if mc.Labelled != 240 {
		t.Fatalf("labelled %d, want 240", mc.Labelled)
	}
	if len(mc.Pooling) != 1 || mc.Pooling[0] != "C" {
		t.Fatalf("pooled-calibration classes %v, want [C]", mc.Pooling)
	}
	for _, c := range []struct {
		class  string
		bucket int
		want   float64
	}{{"A", 600, 0.4}, {"A", 900, 0.9}, {"B", 600, 0.68}, {"B", 900, 0.68}, {"C", 600, 0.58}, {"C", 900, 0.8}} {
		if got := mc.calibration(c.class).At(c.bucket); !closeTo(got, c.want) {
			t.Fatalf("c_%s(%d) = %v, want %v", c.class, c.bucket, got, c.want)
		}
	}
	if got := mc.Pooled.At(600); !closeTo(got, 0.58) {
		t.Fatalf("pooled c(600) = %v", got)
	}
	if s := mc.ErrorShare["A"]; !closeTo(s["B"], 2.0/3) || !closeTo(s["C"], 1.0/3) {
		t.Fatalf("error share of A %v", s)
	}

	e := mc.Expect([]ClassScoreBucket{
		{Class: "C", Bucket: 900, Count: 10}, {Class: "A", Bucket: 600, Count: 10}, {Class: "B", Bucket: 900, Count: 10},
		{Class: "A", Bucket: 900, Count: 20}, {Class: "B", Bucket: 600, Count: 10}, {Class: "C", Bucket: 600, Count: 10},
	})
	if e.N != 70 {
		t.Fatalf("N = %d", e.N)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"TP_A", e.TP["A"], 22}, {"FP_A", e.FP["A"], 8}, {"FN_A", e.FN["A"], 6.3},
		{"TP_B", e.TP["B"], 13.6}, {"FP_B", e.FP["B"], 6.4}, {"FN_B", e.FN["B"], 16.0/3 + 3.1},
		{"TP_C", e.TP["C"], 13.8}, {"FP_C", e.FP["C"], 6.2}, {"FN_C", e.FN["C"], 8.0/3 + 3.2},
		{"correct", e.Correct, 49.4},
	} {
		if !closeTo(c.got, c.want) {
			t.Fatalf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	m := e.Metrics(mc.Components)
	acc := 49.4 / 70
	if got := m[Accuracy]; !closeTo(got.Value, acc) || !closeTo(got.Sigma, math.Sqrt(acc*(1-acc)/70)) {
		t.Fatalf("accuracy %+v, want %v", got, acc)
	}
	f1A := 44 / (44 + 8 + 6.3)
	f1B := 27.2 / (27.2 + 6.4 + 16.0/3 + 3.1)
	f1C := 27.6 / (27.6 + 6.2 + 8.0/3 + 3.2)
	sig := func(tp, fp, fn float64) float64 {
		m := tp + fp + fn
		q := tp / m
		std := m / (tp + (fp+fn)/2) * math.Sqrt(q*(1-q))
		return std / math.Sqrt(70*m/240)
	}
	sA, sB, sC := sig(70, 30, 20), sig(68, 32, 24), sig(32, 8, 26)
	wantSigma := math.Sqrt(sA*sA+sB*sB+sC*sC) / 3
	if got := m[MacroF1]; !closeTo(got.Value, (f1A+f1B+f1C)/3) || !closeTo(got.Sigma, wantSigma) {
		t.Fatalf("macro F1 %+v, want %v ± %v", got, (f1A+f1B+f1C)/3, wantSigma)
	}
}

// A predicted class the reference never predicted wrongly (or at all) takes the error shares of all wrong
// reference predictions with its own class left out: here labels of wrong predictions are A 20, B 24, C 26
// (from mcReference), so a class "D" (never seen) sends its errors to A, B, C as 20:24:26 and uses the pooled
// calibration; its class joins the macro F1. One row of D at bucket 900: TP_D = 0.8, FP_D = 0.2,
// FN_A += 0.2·20/70, FN_B += 0.2·24/70, FN_C += 0.2·26/70.
func TestMulticlassCBPEUnseenClass(t *testing.T) {
	ref, conf := mcReference()
	mc := FitMulticlass(ref, conf, 50)
	e := mc.Expect([]ClassScoreBucket{{Class: "D", Bucket: 900, Count: 1}})
	if !closeTo(e.TP["D"], 0.8) || !closeTo(e.FP["D"], 0.2) || !closeTo(e.FN["A"], 0.2*20/70) ||
		!closeTo(e.FN["B"], 0.2*24/70) || !closeTo(e.FN["C"], 0.2*26/70) {
		t.Fatalf("expected %+v", e)
	}
	if cl := e.Classes(); len(cl) != 4 {
		t.Fatalf("classes %v", cl)
	}
	// macro F1: D = 1.6/(1.6+0.2) and A, B, C have TP 0 → F1 0.
	if got := e.Metrics(mc.Components)[MacroF1].Value; !closeTo(got, 1.6/1.8/4) {
		t.Fatalf("macro F1 %v", got)
	}
}

// No reference: the calibration is empty and every estimate is undefined, never NaN in a value.
func TestMulticlassCBPEEmptyReference(t *testing.T) {
	mc := FitMulticlass(nil, nil, 50)
	e := mc.Expect([]ClassScoreBucket{{Class: "A", Bucket: 500, Count: 200}})
	for metric, est := range e.Metrics(mc.Components) {
		if !math.IsNaN(est.Value) || est.Why == "" {
			t.Fatalf("%s = %+v, want undefined with a reason", metric, est)
		}
	}
}
