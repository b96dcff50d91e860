package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/demo"
)

// The covariate-drift incident (churn, monthly_charges) crosses the default auto threshold (normalised
// Wasserstein 0.1) on exactly its dates; the churn model's other features stay quiet.
func TestCovariateDriftFlaggedOnItsDates(t *testing.T) {
	inc := incident(t, "churn", demo.KindCovariateDrift)
	frames := query(t, map[string]any{"queryType": "drift", "model": "churn", "metric": "auto", "window": "1d"}, curFrom, curTo)
	if len(frames) < 20 {
		t.Fatalf("churn has 20 features, got %d frames", len(frames))
	}
	got := drifted(t, frames)
	want := days(inc.From, curTo)
	if !sameDays(got["churn · monthly_charges"], want) {
		t.Fatalf("monthly_charges drifted on %s, want %s", fmtDays(got["churn · monthly_charges"]), fmtDays(want))
	}
	for name, ds := range got {
		if name != "churn · monthly_charges" && name != "churn · total_charges" && len(ds) > 0 {
			t.Errorf("%s drifted on %s: only monthly_charges (and total_charges, computed from it) changed", name, fmtDays(ds))
		}
	}
}

// Logging breaks of upsell_eu: the unit change of data_usage_gb (×1024) is flagged by auto from its first day;
// the null flood of income_k shows in PSI through the (null) bin on exactly its three days.
func TestLoggingBreaksFlagged(t *testing.T) {
	unit := incident(t, "upsell_eu", demo.KindUnitChange)
	got := drifted(t, query(t, map[string]any{"queryType": "drift", "model": "upsell_eu", "features": []string{"data_usage_gb"}, "window": "1d"}, curFrom, curTo))
	if want := days(unit.From, curTo); !sameDays(got["upsell_eu · data_usage_gb"], want) {
		t.Fatalf("unit change flagged on %s, want %s", fmtDays(got["upsell_eu · data_usage_gb"]), fmtDays(want))
	}
	flood := incident(t, "upsell_eu", demo.KindNullFlood)
	got = drifted(t, query(t, map[string]any{"queryType": "drift", "model": "upsell_eu", "features": []string{"income_k"}, "metric": "psi", "window": "1d"}, curFrom, curTo))
	if want := days(flood.From, flood.To); !sameDays(got["upsell_eu · income_k"], want) {
		t.Fatalf("null flood flagged on %s, want %s", fmtDays(got["upsell_eu · income_k"]), fmtDays(want))
	}
}

// Every model without an injected input change stays quiet on every feature and every day under auto's default
// thresholds: the whole fleet in one query.
func TestHealthyModelsStayQuiet(t *testing.T) {
	inputIncident := map[string]bool{}
	for _, i := range demo.Incidents {
		if i.Kind != demo.KindConceptDrift { // concept drift leaves inputs unchanged: that model must be quiet too
			inputIncident[i.Model] = true
		}
	}
	start := time.Now()
	frames := query(t, map[string]any{"queryType": "drift", "model": "", "metric": "auto", "window": "1d"}, curFrom, curTo)
	t.Logf("fleet drift: %d series in %s", len(frames), time.Since(start))
	models := map[string]bool{}
	for name, ds := range drifted(t, frames) {
		model, _, _ := strings.Cut(name, " · ")
		models[model] = true
		if !inputIncident[model] && len(ds) > 0 {
			t.Errorf("healthy %s drifted on %s", name, fmtDays(ds))
		}
	}
	if len(models) < 50 {
		t.Fatalf("fleet query covered %d models, want all 52", len(models))
	}
}
