package monitor

import (
	"reflect"
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/store"
)

// A numeric feature whose reference quantiles are approximate (the profile's QuantileRankError) gets a notice
// naming it, its reference size and the rank error; an exact one gets none.
func TestReferenceNoticesNameApproximateQuantiles(t *testing.T) {
	ref := &reference{cat: map[key]binning.Categorical{}, rows: map[key]int64{{"churn", "tenure"}: 12_000_000, {"churn", "age"}: 9_000_000},
		rankError: map[key]float64{{"churn", "tenure"}: 1.0 / 10_000}}
	got := referenceNotices([]store.Feature{{Model: "churn", Name: "age", Type: store.Numeric}, {Model: "churn", Name: "tenure", Type: store.Numeric}}, ref)
	want := []string{"churn · tenure: the reference's 12000000 values are too many to sort, so its quantile bins are approximate " +
		"(percentile_approx: each edge within 0.01 % of the values of its exact rank; both sides are counted exactly on these bins)"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q", got)
	}
}
