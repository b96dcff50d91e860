package e2e

import "testing"

// Multiclass CBPE on the demo: support_ticket_router logs the predicted class and its top-class confidence, and
// has no incident. Calibrated on the validation week, its estimated accuracy stays within its ±3σ band of the
// realized accuracy (labels joined from the labels table) on every whole (ISO) week of the current range, and so
// does the estimated macro F1 of the realized macro F1.
func TestMulticlassEstimatedAccuracyWithinBandOfRealized(t *testing.T) {
	const model = "support_ticket_router"
	q := func(qt string) map[string]any { return map[string]any{"queryType": qt, "model": model, "window": "1w"} }
	real := query(t, q("performance"), weekFrom, weekTo)
	est := query(t, q("estimatedPerformance"), weekFrom, weekTo)
	for _, metric := range []string{"accuracy", "macro_f1"} {
		r := series(t, real, map[string]string{"model": model, "metric": metric})
		e := series(t, est, map[string]string{"model": model, "metric": metric})
		lo := series(t, est, map[string]string{"model": model, "metric": metric, "bound": "lower"})
		hi := series(t, est, map[string]string{"model": model, "metric": metric, "bound": "upper"})
		if len(r) != 3 || len(e) != 3 || len(lo) != 3 || len(hi) != 3 {
			t.Fatalf("%s: want 3 weekly points (10-12, 10-19, 10-26), got %d realized, %d estimated, %d/%d bounds", metric, len(r), len(e), len(lo), len(hi))
		}
		for week := 0; week < 3; week++ {
			if r[week] == nil || e[week] == nil || lo[week] == nil || hi[week] == nil {
				t.Fatalf("%s week %d: missing value", metric, week)
			}
			inside := *r[week] >= *lo[week] && *r[week] <= *hi[week]
			t.Logf("%s week %d: realized %.4f, estimated %.4f [%.4f, %.4f] inside=%v", metric, week, *r[week], *e[week], *lo[week], *hi[week], inside)
			if !inside {
				t.Errorf("week %d: realized %s %.4f outside the estimated band [%.4f, %.4f] (estimate %.4f)",
					week, metric, *r[week], *lo[week], *hi[week], *e[week])
			}
		}
	}
}
