package monitor

import (
	"math"
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/store"
)

func TestReferenceGap(t *testing.T) {
	// positives in buckets 1 and 3, negatives in 2 and 3: realized AUC = (0 + 0 + 1 + 0.5)/4 = 0.375.
	// Isotonic: rates 1, 0, 0.5 → buckets 1 and 2 pool to 0.5, so every calibrated value is 0.5 and the CBPE
	// AUC is 0.5: in-sample gap 0.125.
	bs := []store.ScoreBucket{{Bucket: 1, Label: 1, Count: 1}, {Bucket: 2, Label: 0, Count: 1}, {Bucket: 3, Label: 1, Count: 1}, {Bucket: 3, Label: 0, Count: 1}}
	r := store.WindowPerformance{Served: 4, Labelled: 4, TP: 2, FP: 2}
	if g := referenceGap(r, bs, 1); g == nil || math.Abs(*g-0.125) > 1e-12 {
		t.Errorf("in-sample gap %v, want 0.125", g)
	}
}

// featureScores reads window i of each series (a series without window i is left out) and marks p-value metrics.
func TestFeatureScores(t *testing.T) {
	x, imp := 0.01, 0.4
	series := []Series{
		{Feature: store.Feature{Importance: &imp}, Threshold: 0.05, Direction: drift.Below,
			Windows: []WindowScore{{}, {Result: drift.Result{Value: &x}}}},
		{Threshold: 0.1, Direction: drift.Above, Windows: []WindowScore{{}}},
	}
	got := featureScores(series, 1)
	if len(got) != 1 || got[0].Value != &x || !got[0].Below || got[0].Importance != &imp || got[0].Threshold != 0.05 {
		t.Fatalf("window 1: %+v", got)
	}
	if got := featureScores(series, 0); len(got) != 2 || got[1].Below {
		t.Fatalf("window 0: %+v", got)
	}
}

// qualityReadings keeps model m's pipeline-break checks in window i, named check[:feature], with the reference's
// null share of the feature; other checks (duplicate_share) and other models are left out.
func TestQualityReadings(t *testing.T) {
	pt := func(x float64) []QualityPoint { return []QualityPoint{{Value: &x}} }
	series := []QualitySeries{
		{Model: "m", Check: CheckNullShare, Feature: "age", Points: pt(0.3)},
		{Model: "m", Check: CheckVolumeRatio, Points: []QualityPoint{{Value: v(1.2), Rows: 120, Expected: 100}}},
		{Model: "m", Check: CheckDuplicateShare, Points: pt(0.9)},
		{Model: "other", Check: CheckOutOfRangeShare, Feature: "age", Points: pt(0.9)},
	}
	got := qualityReadings(series, "m", 0, map[key]float64{{"m", "age"}: 0.1})
	want := []diagnosis.QualityReading{{Name: "null_share:age", Check: diagnosis.NullShare, Value: 0.3, ReferenceNullShare: 0.1},
		{Name: "volume_ratio", Check: diagnosis.Volume, Value: 1.2, Rows: 120, Expected: 100}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("readings %+v, want %+v", got, want)
	}
	if got := qualityReadings(series, "m", 1, nil); len(got) != 0 {
		t.Fatalf("window beyond the points: %+v", got)
	}
}
