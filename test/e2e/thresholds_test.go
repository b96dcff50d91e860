package e2e

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// breachDays returns the window starts where a breach frame's signal is on.
func breachDays(t *testing.T, frames data.Frames, name string) []time.Time {
	t.Helper()
	for _, f := range frames {
		if f.Name != name {
			continue
		}
		var out []time.Time
		for i := 0; i < f.Rows(); i++ {
			if v, ok := f.Fields[1].ConcreteAt(i); ok && v.(float64) == 1 {
				out = append(out, f.Fields[0].At(i).(time.Time))
			}
		}
		return out
	}
	t.Fatalf("no frame %q", name)
	return nil
}

// A dynamic threshold from the reference week (mean ± 3σ of its seven daily null shares) flags upsell_eu's
// income_k null flood on exactly its days; with hysteresis 2 the signal turns on on the flood's second day and
// off on the second quiet day after it (the cool-down).
func TestReferenceThresholdFlagsTheNullFlood(t *testing.T) {
	flood := incident(t, "upsell_eu", "null_flood")
	name := "upsell_eu · income_k · null_share"
	q := func(hysteresis int) map[string]any {
		return map[string]any{"queryType": "dataQuality", "model": "upsell_eu", "features": []string{"income_k"}, "window": "1d",
			"thresholds": map[string]any{"mode": "reference", "output": "breach", "hysteresis": hysteresis}}
	}
	want := days(flood.From, flood.To)
	if got := breachDays(t, query(t, q(1), curFrom, curTo), name); !sameDays(got, want) {
		t.Errorf("hysteresis 1: breach on %s, want %s", fmtDays(got), fmtDays(want))
	}
	want = days(flood.From.AddDate(0, 0, 1), flood.To.AddDate(0, 0, 1))
	if got := breachDays(t, query(t, q(2), curFrom, curTo), name); !sameDays(got, want) {
		t.Errorf("hysteresis 2: breach on %s, want %s", fmtDays(got), fmtDays(want))
	}
}

// Split by region, churn's served rows per day summed over the regions are the model's served rows.
func TestSegmentSplitOfTheDemoSumsToTheModel(t *testing.T) {
	served := func(f *data.Frame) []float64 {
		var out []float64
		for _, v := range f.Meta.Custom.(map[string]any)["servedRows"].([]any) {
			out = append(out, v.(float64))
		}
		return out
	}
	q := map[string]any{"queryType": "performance", "model": "churn", "window": "1d"}
	var total []float64
	for _, f := range query(t, q, curFrom, curTo) {
		if f.Name == "churn · accuracy" {
			total = served(f)
		}
	}
	q["segment"] = map[string]any{"column": "region", "split": true, "top": 50}
	sum := make([]float64, len(total))
	regions := 0
	for _, f := range query(t, q, curFrom, curTo) {
		if f.Fields[1].Labels["metric"] != "accuracy" {
			continue
		}
		regions++
		for i, n := range served(f) {
			sum[i] += n
		}
	}
	if regions < 2 || len(total) != len(days(curFrom, curTo)) {
		t.Fatalf("%d regions, %d windows", regions, len(total))
	}
	for i := range total {
		if sum[i] != total[i] || total[i] == 0 {
			t.Errorf("day %d: regions sum to %v, model served %v", i, sum[i], total[i])
		}
	}
}
