package e2e

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/demo"
)

// verdicts reads the diagnosis verdict table: window start → verdict, for one model.
func verdicts(t *testing.T, frames data.Frames, model string) map[time.Time]string {
	t.Helper()
	for _, f := range frames {
		if f.Name != "verdicts" {
			continue
		}
		out := map[time.Time]string{}
		for i := 0; i < f.Rows(); i++ {
			if f.Fields[1].At(i).(string) == model {
				out[f.Fields[0].At(i).(time.Time)] = f.Fields[2].At(i).(string)
			}
		}
		return out
	}
	t.Fatal("no verdicts table")
	return nil
}

// Each injected incident is diagnosed as what it is, on its dates, and a healthy model is ok throughout: churn's
// covariate drift as covariate_shift from its first day, upsell_eu's logging breaks (null flood, unit change) as
// pipeline_break on their days (daily windows); credit_risk_na's concept drift as concept_drift in the week
// holding its first day and the first whole week after it, ok before (weekly windows); credit_risk_eu ok.
func TestDiagnosisOfEachIncident(t *testing.T) {
	daily := func(model string) map[time.Time]string {
		q := map[string]any{"queryType": "diagnosis", "model": model, "window": "1d"}
		return verdicts(t, query(t, q, curFrom, curTo), model)
	}
	expect := func(model string, got map[time.Time]string, want func(time.Time) string, windows []time.Time) {
		t.Helper()
		if len(got) != len(windows) {
			t.Fatalf("%s: %d windows, want %d", model, len(got), len(windows))
		}
		for _, d := range windows {
			if w := want(d); got[d] != w {
				t.Errorf("%s %s: verdict %s, want %s", model, d.Format("01-02"), got[d], w)
			}
		}
	}
	during := func(inc demo.Incident, d time.Time) bool { return !d.Before(inc.From) && d.Before(inc.To) }

	cov := incident(t, "churn", demo.KindCovariateDrift)
	expect("churn", daily("churn"), func(d time.Time) string {
		if during(cov, d) {
			return "covariate_shift"
		}
		return "ok"
	}, days(curFrom, curTo))

	unit, flood := incident(t, "upsell_eu", demo.KindUnitChange), incident(t, "upsell_eu", demo.KindNullFlood)
	expect("upsell_eu", daily("upsell_eu"), func(d time.Time) string {
		if during(unit, d) || during(flood, d) {
			return "pipeline_break"
		}
		return "ok"
	}, days(curFrom, curTo))

	expect("credit_risk_eu", daily("credit_risk_eu"), func(time.Time) string { return "ok" }, days(curFrom, curTo))

	concept := incident(t, "credit_risk_na", demo.KindConceptDrift)
	q := map[string]any{"queryType": "diagnosis", "model": "credit_risk_na", "window": "1w"}
	weeks := []time.Time{curFrom, curFrom.AddDate(0, 0, 7), curFrom.AddDate(0, 0, 14), curFrom.AddDate(0, 0, 21)}
	expect("credit_risk_na", verdicts(t, query(t, q, curFrom, curTo), "credit_risk_na"), func(w time.Time) string {
		if w.AddDate(0, 0, 7).After(concept.From) { // the week holds or follows the incident's first day
			return "concept_drift"
		}
		return "ok"
	}, weeks)
	if !weeks[3].After(concept.From) {
		t.Fatalf("the last week (%s) should be the first whole week after %s", weeks[3].Format("01-02"), concept.From.Format("01-02"))
	}
}
