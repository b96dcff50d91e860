package main

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// driftFrame is a drift series as the plugin returns it: time and value fields, the model, feature, metric and
// threshold in the frame's custom meta.
func driftFrame(model, feature string, threshold float64, values ...float64) *data.Frame {
	days := make([]time.Time, len(values))
	vs := make([]*float64, len(values))
	for i := range values {
		days[i] = time.Date(2026, 10, 1+i, 0, 0, 0, 0, time.UTC)
		vs[i] = &values[i]
	}
	f := data.NewFrame(model+" · "+feature, data.NewField("time", nil, days), data.NewField("value", nil, vs))
	f.Meta = &data.FrameMeta{Custom: map[string]any{"model": model, "feature": feature, "metric": "psi", "threshold": threshold}}
	return f
}

// The worst feature's row gives that feature's own first drift, and separately the first drift of any feature:
// churn's worst feature (tenure, 0.5) first crosses 0.2 on day 2, while monthly_charges crossed it on day 1.
func TestSummaryFirstDriftPerFeature(t *testing.T) {
	rows := summarise(data.Frames{
		driftFrame("churn", "monthly_charges", 0.2, 0.25, 0.1, 0.15),
		driftFrame("churn", "tenure", 0.2, 0.1, 0.3, 0.5),
		driftFrame("quiet", "x", 0.2, 0.05, 0.1, 0.02),
	})
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	c, q := rows[0], rows[1]
	if c.model != "churn" || c.drifting != 2 || c.features != 2 || c.worst != "tenure" || c.max != 0.5 ||
		day(c.worstFirstDrift) != "2026-10-02" || day(c.firstDrift) != "2026-10-01" {
		t.Errorf("churn: %+v", c)
	}
	if q.model != "quiet" || q.drifting != 0 || q.worst != "x" || q.max != 0.1 || day(q.worstFirstDrift) != "-" || day(q.firstDrift) != "-" {
		t.Errorf("quiet: %+v", q)
	}
}

// A model without values in the range prints "-" where the worst feature, metric, maximum and threshold go, not
// the placeholder maximum -1 and threshold 0.
func TestSummaryOfAModelWithoutValues(t *testing.T) {
	rows := summarise(data.Frames{driftFrame("churn", "tenure", 0.2), driftFrame("churn", "age", 0.2)})
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	if got, want := rows[0].line(), "churn\t0/2\t-\t-\t-\t-\t-\t-"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	if got, want := summarise(data.Frames{driftFrame("quiet", "x", 0.2, 0.05)})[0].line(), "quiet\t0/1\tx\tpsi\t0.050\t0.2\t-\t-"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
}
