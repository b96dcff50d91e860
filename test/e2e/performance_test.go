package e2e

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// series picks the value field of the frame with the given labels.
func series(t *testing.T, frames data.Frames, labels map[string]string) []*float64 {
	t.Helper()
next:
	for _, f := range frames {
		if len(f.Fields) < 2 {
			continue
		}
		got := f.Fields[1].Labels
		if len(got) != len(labels) {
			continue
		}
		for k, v := range labels {
			if got[k] != v {
				continue next
			}
		}
		out := make([]*float64, f.Rows())
		for i := range out {
			if v, ok := f.Fields[1].ConcreteAt(i); ok {
				x := v.(float64)
				out[i] = &x
			}
		}
		return out
	}
	t.Fatalf("no series %v", labels)
	return nil
}

// Concept drift, seen as a user diagnosing "performance is degrading: data drift or concept drift?" sees it: on credit_risk_na the realized ROC AUC (labels joined from the
// labels table) stays inside the CBPE estimate's ±3σ band before the incident (weeks from 10-08 and 10-15) and
// falls below it in the first whole week after it (10-29), while the estimate — computed from scores alone —
// does not move. Healthy models stay inside their bands.
func TestConceptDriftRealizedFallsBelowEstimatedBand(t *testing.T) {
	for _, c := range []struct {
		model   string
		drifted bool
	}{{"credit_risk_na", true}, {"credit_risk_eu", false}, {"upsell_na", false}} {
		q := func(qt string) map[string]any {
			return map[string]any{"queryType": qt, "model": c.model, "window": "1w"}
		}
		realized := series(t, query(t, q("performance"), curFrom, curTo), map[string]string{"model": c.model, "metric": "roc_auc"})
		est := query(t, q("estimatedPerformance"), curFrom, curTo)
		lower := series(t, est, map[string]string{"model": c.model, "metric": "roc_auc", "bound": "lower"})
		upper := series(t, est, map[string]string{"model": c.model, "metric": "roc_auc", "bound": "upper"})
		if len(realized) != 4 || len(lower) != 4 {
			t.Fatalf("%s: want 4 weekly points, got %d realized, %d bounds", c.model, len(realized), len(lower))
		}
		for week := 0; week < 4; week++ {
			r, lo, hi := realized[week], lower[week], upper[week]
			if r == nil || lo == nil || hi == nil {
				t.Fatalf("%s week %d: missing value", c.model, week)
			}
			inside := *r >= *lo && *r <= *hi
			wantInside := !c.drifted || week < 2
			if c.drifted && week == 3 && *r >= *lo {
				t.Errorf("%s week %d: realized AUC %.3f not below the estimated band's lower bound %.3f", c.model, week, *r, *lo)
			}
			if wantInside && !inside {
				t.Errorf("%s week %d: realized AUC %.3f outside the estimated band [%.3f, %.3f]", c.model, week, *r, *lo, *hi)
			}
		}
	}
}
