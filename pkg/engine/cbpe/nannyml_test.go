package cbpe

import (
	"encoding/json"
	"math"
	"os"
	"sort"
	"testing"
)

// cbpeFixturePath is the committed output of test/fixtures/cbpe/gen_cbpe_fixture.py: NannyML's own CBPE on seeded
// synthetic data whose scores are bucket centres (k + 0.5)/1000, so our 1/1000 buckets lose nothing.
const cbpeFixturePath = "../../../test/fixtures/cbpe/cbpe_fixture.json"

type cbpeNannyMLMetric struct {
	Value         float64 `json:"value"`
	SamplingError float64 `json:"sampling_error"`
	Upper         float64 `json:"upper"`
	Lower         float64 `json:"lower"`
}

type cbpeNannyMLFixture struct {
	NannyML   string  `json:"nannyml"`
	Threshold float64 `json:"threshold"`
	Cases     []struct {
		Name             string `json:"name"`
		NeedsCalibration bool   `json:"needs_calibration"`
		Reference        struct {
			Rows      int64      `json:"rows"`
			Buckets   [][3]int64 `json:"buckets"` // bucket, rows, positives
			Confusion struct {
				TP int64 `json:"tp"`
				FP int64 `json:"fp"`
				TN int64 `json:"tn"`
				FN int64 `json:"fn"`
			} `json:"confusion"`
		} `json:"reference"`
		// NannyML's (std, fraction); accuracy: (std); roc_auc_tie_midpoint: its ROC AUC formula, ties at midpoints.
		Components map[string][]float64 `json:"components"`
		Chunks     []struct {
			Period    string                       `json:"period"`
			Key       string                       `json:"key"`
			Rows      int64                        `json:"rows"`
			Histogram [][4]any                     `json:"histogram"` // bucket, predicted positive, rows, calibrated
			NannyML   map[string]cbpeNannyMLMetric `json:"nannyml"`
			// NannyML's estimate_roc_auc with its np.round(·, 5) of the cumulative counts left out.
			ROCAUCUnrounded float64 `json:"roc_auc_unrounded"`
		} `json:"chunks"`
	} `json:"cases"`
}

// TestCBPEMatchesNannyML runs our CBPE exactly as EstimatedPerformance does (FitIsotonic on the reference buckets,
// ReferenceComponents from its confusion counts and buckets, Expect per chunk, Expected.metrics) and compares with
// NannyML's CBPE (version in the fixture) chunk by chunk, on 2 cases × 6 chunks (3 reference, 3 analysis).
//
// Tolerances, and why (NannyML source cited from the installed package):
//   - calibration, accuracy/precision/recall/F1 values, precision/recall/F1 σ: tolExact = 1e-12. The math is the
//     same; only summation order differs (NannyML sums rows with NumPy's pairwise sum, we sum count·c per bucket),
//     and scikit-learn's IsotonicRegression(out_of_bounds="clip") pools tied scores by weighted mean exactly as
//     our bucket PAV does (its redundant-point removal does not change values at or between fitted centres).
//   - ROC AUC value: equal within tolExact to NannyML's estimate_roc_auc (performance_estimation/
//     confidence_based/metrics.py) WITHOUT the np.round(tps, 5), np.round(fps, 5) it applies to the cumulative
//     expected counts (the fixture's roc_auc_unrounded: rows ranked by uncalibrated score, calibrated weights,
//     trapezoids — within a bucket all rows share one calibrated value, so its row-by-row curve is the straight
//     segment our half-weighted tie term integrates). Against NannyML's rounded value the bound is first-order in
//     the rounding: each cumulative count moves ≤ 5e-6, so TPR moves ≤ 1e-5/P and FPR ≤ 1e-5/N (numerator and
//     denominator both rounded), and the trapezoid sum moves ≤ 1e-5·(1/P + 1/N), P and N the chunk's expected
//     positives and negatives; we allow 1.01× that for second-order terms.
//   - ROC AUC σ: NannyML's auroc_sampling_error_components (sampling_error/binary_classification.py) gives each
//     reference positive (minority class after the swap) the count of negatives BEFORE it in np.argsort order over
//     raw scores — the negatives of its own tied score count in whatever order the unstable sort left them, 0..q_k.
//     We give (negatives below + q_k/2)/N, the tie-midpoint. Per positive the two differ by d with |d| ≤ q_k/(2N);
//     population std is a seminorm, so |std_nannyml − std_ours| ≤ std(d) ≤ rms(d) ≤ sqrt(Σ_k p_k q_k² /(4P))/N
//     (p_k, q_k the bucket's positives and negatives). That bound, divided by sqrt(n·fraction), is the σ tolerance.
//     The tie rule is the only difference: with ties at their midpoint NannyML's formula (the fixture's
//     components.roc_auc_tie_midpoint, same code otherwise) equals our component std within tolExact.
//     The difference is inherent to bucket aggregates (the within-tie order is not in them; NannyML's own value
//     depends on NumPy's sort internals). On the positives_minority case: ours (tie midpoint) 0.1077300412, which
//     the same rows give in Python with midpoint ranks; NannyML 0.1077569870; all positives first in each tie
//     0.1079332, all negatives first 0.1075273; bound ±3.55e-4.
//   - accuracy σ: NannyML uses the REFERENCE's observation std, σ = sqrt(a_ref(1−a_ref))/sqrt(n)
//     (accuracy_sampling_error_components / accuracy_sampling_error); we use the window's estimated accuracy,
//     sqrt(a(1−a)/n) (SamplingErrorMethod: the band is about this window, whose accuracy may have moved away from
//     the reference's). The test checks NannyML's σ against the reference formula and ours against the window
//     binomial, both to tolExact, and logs the ratio.
func TestCBPEMatchesNannyML(t *testing.T) {
	const tolExact = 1e-12
	raw, err := os.ReadFile(cbpeFixturePath)
	if err != nil {
		t.Fatal(err)
	}
	var fx cbpeNannyMLFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) == 0 {
		t.Fatal("fixture has no cases")
	}
	if BandSigmas != 3 {
		t.Fatalf("BandSigmas = %v; NannyML's SAMPLING_ERROR_RANGE is 3", BandSigmas)
	}
	t.Logf("fixture from nannyml %s", fx.NannyML)
	maxDiff := map[string]float64{} // largest |ours − NannyML| seen, for the log
	note := func(key string, d float64) {
		if d > maxDiff[key] {
			maxDiff[key] = d
		}
	}

	for _, cs := range fx.Cases {
		t.Run(cs.Name, func(t *testing.T) {
			if !cs.NeedsCalibration {
				t.Fatal("NannyML did not calibrate this reference (needs_calibration False); we always do: regenerate")
			}
			// The reference as EstimatedPerformance sees it: labelled buckets and confusion counts at the threshold.
			var cbs []CalibrationBucket
			var tp, fp, tn, fn int64
			var rows int64
			for _, b := range cs.Reference.Buckets {
				cb := CalibrationBucket{Bucket: int(b[0]), Count: b[1], Positives: b[2]}
				cbs = append(cbs, cb)
				rows += cb.Count
				if BucketCentre(cb.Bucket) >= fx.Threshold {
					tp, fp = tp+cb.Positives, fp+cb.Count-cb.Positives
				} else {
					fn, tn = fn+cb.Positives, tn+cb.Count-cb.Positives
				}
			}
			c := cs.Reference.Confusion
			if rows != cs.Reference.Rows || tp != c.TP || fp != c.FP || tn != c.TN || fn != c.FN {
				t.Fatalf("reference buckets give %d rows, TP %d FP %d TN %d FN %d; fixture %d rows, %+v", rows, tp, fp, tn, fn, cs.Reference.Rows, c)
			}
			cal := FitIsotonic(cbs)
			comp := ReferenceComponents(tp, fp, tn, fn, cbs)

			// Sampling-error components against NannyML's fitted ones.
			for _, metric := range []string{Precision, Recall, F1} {
				want := cs.Components[metric]
				got := comp[metric]
				if math.Abs(got.Std-want[0]) > tolExact || math.Abs(got.Fraction-want[1]) > tolExact {
					t.Errorf("%s components: ours std %.17g fraction %.17g, NannyML %.17g %.17g", metric, got.Std, got.Fraction, want[0], want[1])
				}
				note(metric+" component std", math.Abs(got.Std-want[0]))
			}
			// NannyML's ROC AUC component formula with ties at their midpoint: exact (see the doc comment).
			if want, got := cs.Components["roc_auc_tie_midpoint"], comp[ROCAUC]; len(want) != 2 ||
				math.Abs(got.Std-want[0]) > tolExact || math.Abs(got.Fraction-want[1]) > tolExact {
				t.Errorf("roc_auc components: ours std %.17g fraction %.17g, NannyML's formula with tie midpoints %v", got.Std, got.Fraction, want)
			}
			aucStdBound := aucTieStdBound(cbs)
			if want, got := cs.Components[ROCAUC], comp[ROCAUC]; math.Abs(got.Fraction-want[1]) > tolExact ||
				math.Abs(got.Std-want[0]) > aucStdBound {
				t.Errorf("roc_auc components: ours std %.17g fraction %.17g, NannyML %.17g %.17g (std bound %.3g)",
					got.Std, got.Fraction, want[0], want[1], aucStdBound)
			} else {
				note("roc_auc component std", math.Abs(got.Std-want[0]))
				t.Logf("roc_auc component std: ours %.12g, NannyML %.12g, |Δ| %.3g ≤ tie bound %.3g", got.Std, want[0], math.Abs(got.Std-want[0]), aucStdBound)
			}
			aRef := float64(tp+tn) / float64(rows)
			if want := cs.Components[Accuracy][0]; math.Abs(math.Sqrt(aRef*(1-aRef))-want) > tolExact {
				t.Errorf("NannyML's accuracy component std %.17g ≠ sqrt(a_ref(1−a_ref)) = %.17g", want, math.Sqrt(aRef*(1-aRef)))
			}

			for _, ch := range cs.Chunks {
				name := ch.Period + " " + ch.Key
				var hist []PredictedBucket
				for _, h := range ch.Histogram {
					b, pos, n, calibrated := int(h[0].(float64)), h[1].(bool), int64(h[2].(float64)), h[3].(float64)
					if pos != (BucketCentre(b) >= fx.Threshold) {
						t.Fatalf("%s: bucket %d predicted %v at threshold %v", name, b, pos, fx.Threshold)
					}
					if got := cal.At(b); math.Abs(got-calibrated) > tolExact {
						t.Errorf("%s: calibration at bucket %d: ours %.17g, NannyML (sklearn isotonic) %.17g", name, b, got, calibrated)
					}
					note("calibration", math.Abs(cal.At(b)-calibrated))
					hist = append(hist, PredictedBucket{Bucket: b, Positive: pos, Count: n})
				}
				e := Expect(cal, hist)
				if e.N != ch.Rows {
					t.Fatalf("%s: %d predictions, fixture %d", name, e.N, ch.Rows)
				}
				ests := e.Metrics(comp)
				n := float64(e.N)
				P, N := e.TP+e.FN, e.FP+e.TN
				for _, metric := range BinaryMetrics {
					ours, nml := ests[metric], ch.NannyML[metric]
					if math.IsNaN(ours.Value) || math.IsNaN(ours.Sigma) {
						t.Fatalf("%s %s: ours undefined (%s)", name, metric, ours.Why)
					}
					// NannyML's band is value ± 3σ clipped to [0, 1], as ours.
					if math.Abs(nml.Upper-math.Min(1, nml.Value+3*nml.SamplingError)) > tolExact ||
						math.Abs(nml.Lower-math.Max(0, nml.Value-3*nml.SamplingError)) > tolExact {
						t.Errorf("%s %s: NannyML band [%v, %v] is not clip(value ± 3σ)", name, metric, nml.Lower, nml.Upper)
					}
					tolV, tolS := tolExact, tolExact
					switch metric {
					case ROCAUC:
						if d := math.Abs(ours.Value - ch.ROCAUCUnrounded); d > tolExact {
							t.Errorf("%s roc_auc: ours %.17g, NannyML's formula unrounded %.17g (|Δ| %.3g)", name, ours.Value, ch.ROCAUCUnrounded, d)
						}
						note("roc_auc value vs unrounded", math.Abs(ours.Value-ch.ROCAUCUnrounded))
						tolV = 1.01 * 1e-5 * (1/P + 1/N)
						tolS = aucStdBound/math.Sqrt(n*comp[ROCAUC].Fraction) + tolExact
					case Accuracy:
						nmlSigma := cs.Components[Accuracy][0] / math.Sqrt(n)
						if math.Abs(nml.SamplingError-nmlSigma) > tolExact {
							t.Errorf("%s accuracy: NannyML σ %.17g ≠ std_ref/sqrt(n) = %.17g", name, nml.SamplingError, nmlSigma)
						}
						// ours is the window binomial (SamplingErrorMethod), exactly; the gap to NannyML is logged
						window := math.Sqrt(ours.Value * (1 - ours.Value) / n)
						if math.Abs(ours.Sigma-window) > tolExact {
							t.Errorf("%s accuracy σ: ours %.17g is not the window binomial %.17g", name, ours.Sigma, window)
						}
						t.Logf("%s accuracy σ: ours sqrt(a(1−a)/n) = %.6g at a = %.6g, NannyML sqrt(a_ref(1−a_ref)/n) = %.6g at a_ref = %.6g (ratio %.4f)",
							name, ours.Sigma, ours.Value, nml.SamplingError, aRef, ours.Sigma/nml.SamplingError)
						tolS = math.Inf(1) // checked above
					}
					if d := math.Abs(ours.Value - nml.Value); d > tolV {
						t.Errorf("%s %s value: ours %.17g, NannyML %.17g (|Δ| %.3g > %.3g)", name, metric, ours.Value, nml.Value, d, tolV)
					}
					note(metric+" value", math.Abs(ours.Value-nml.Value))
					if d := math.Abs(ours.Sigma - nml.SamplingError); d > tolS {
						t.Errorf("%s %s σ: ours %.17g, NannyML %.17g (|Δ| %.3g > %.3g)", name, metric, ours.Sigma, nml.SamplingError, d, tolS)
					}
					if metric != Accuracy {
						note(metric+" σ", math.Abs(ours.Sigma-nml.SamplingError))
					}
				}
			}
		})
	}
	keys := make([]string, 0, len(maxDiff))
	for k := range maxDiff {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("max |ours − NannyML| %-28s %.3g", k, maxDiff[k])
	}
}

// aucTieStdBound bounds |std_NannyML − std_ours| of the ROC AUC sampling-error component (see TestCBPEMatchesNannyML):
// sqrt(Σ_k p_k q_k² / (4P)) / N over reference buckets, with positives the minority class as NannyML swaps them.
func aucTieStdBound(buckets []CalibrationBucket) float64 {
	var P, N, s float64
	for _, b := range buckets {
		P += float64(b.Positives)
		N += float64(b.Count - b.Positives)
	}
	swap := P > N
	if swap {
		P, N = N, P
	}
	for _, b := range buckets {
		p, q := float64(b.Positives), float64(b.Count-b.Positives)
		if swap {
			p, q = q, p
		}
		s += p * q * q
	}
	return math.Sqrt(s/(4*P)) / N
}
