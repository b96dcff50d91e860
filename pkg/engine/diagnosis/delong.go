package diagnosis

import (
	"math"
	"sort"

	"github.com/aiops/modelmonitor/pkg/engine/cbpe"
)

// AUCSigma is DeLong's standard error of the ROC AUC of labelled score buckets (DeLong, DeLong & Clarke-Pearson
// 1988), with the rows of a bucket tied: for P_b positives and N_b negatives in bucket b (m and n in all),
//
//	V10_b = (negatives below b + N_b/2) / n      (each positive's share of negatives ranked below it)
//	V01_b = (positives above b + P_b/2) / m      (each negative's share of positives ranked above it)
//	AUC   = Σ P_b V10_b / m
//	S10   = Σ P_b (V10_b − AUC)² / (m − 1),  S01 = Σ N_b (V01_b − AUC)² / (n − 1)
//	σ     = sqrt(S10/m + S01/n)
//
// Unlike the band's one-component σ (the positives' placements only, from the reference), it counts both
// classes' placements and is measured on the rows themselves. Each bucket gives its Positives and Count −
// Positives negatives (a bucket may appear more than once: its rows are summed). NaN with fewer than 2 rows of
// either class.
func AUCSigma(buckets []cbpe.CalibrationBucket) float64 {
	pos, neg := map[int]float64{}, map[int]float64{}
	var keys []int
	for _, b := range buckets {
		if _, ok := pos[b.Bucket]; !ok {
			keys = append(keys, b.Bucket)
		}
		pos[b.Bucket] += float64(b.Positives)
		neg[b.Bucket] += float64(b.Count - b.Positives)
	}
	sort.Ints(keys)
	var m, n float64
	for _, k := range keys {
		m += pos[k]
		n += neg[k]
	}
	if m < 2 || n < 2 {
		return math.NaN()
	}
	v10, v01 := make([]float64, len(keys)), make([]float64, len(keys))
	var below, auc float64
	for i, k := range keys {
		v10[i] = (below + neg[k]/2) / n
		below += neg[k]
		auc += pos[k] * v10[i]
	}
	auc /= m
	above := 0.0
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i]
		v01[i] = (above + pos[k]/2) / m
		above += pos[k]
	}
	var s10, s01 float64
	for i, k := range keys {
		s10 += pos[k] * (v10[i] - auc) * (v10[i] - auc)
		s01 += neg[k] * (v01[i] - auc) * (v01[i] - auc)
	}
	s10 /= m - 1
	s01 /= n - 1
	return math.Sqrt(s10/m + s01/n)
}
