package monitor

import (
	"math"
	"testing"

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
