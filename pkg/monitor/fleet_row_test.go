package monitor

import (
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/engine/severity"
	"github.com/aiops/modelmonitor/pkg/store"
)

// heldInputs is a critical binary model over two daily windows: concept drift on 11-29 (evidence 2.5; its worst
// feature age, wasserstein 0.08 vs 0.1), ok on 11-30 (largest evidence prediction drift 0.5; worst feature
// income, 0.03 vs 0.1). By the rule: page on 11-29 (concept drift, High, critical), ok on 11-30 (no feature at
// its threshold, no prediction drift: no urgency).
func heldInputs() (store.Model, fleetInputs) {
	d1 := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 1)
	feature := func(name string, importance float64, scores ...float64) Series {
		sr := Series{Feature: store.Feature{Model: "m", Name: name, Importance: v(importance)}, Metric: "wasserstein", Threshold: 0.1}
		for i, x := range scores {
			sr.Windows = append(sr.Windows, WindowScore{Start: d1.AddDate(0, 0, i), Result: drift.Result{Value: v(x)}})
		}
		return sr
	}
	dm := DiagnosisModel{Model: "m", Windows: []DiagnosisWindow{
		{Start: d1, Evidence: diagnosis.Evidence{ConceptDrift: v(2.5), CovariateShift: v(0.4)}, EstimatedAUC: v(0.8), RealizedAUC: v(0.7)},
		{Start: d2, Evidence: diagnosis.Evidence{CovariateShift: v(0.4), PredictionDrift: v(0.5)}},
	}}
	for i := range dm.Windows {
		dm.Windows[i].Verdict = diagnosis.Verdict(dm.Windows[i].Evidence)
	}
	return store.Model{ID: "m", Tier: severity.TierCritical, Owner: "risk-ml", Task: TaskBinary}, fleetInputs{
		drift: map[string][]Series{"m": {feature("income", 0.6, 0.05, 0.03), feature("age", 0.4, 0.08, 0.01)}},
		diag:  map[string]DiagnosisModel{"m": dm},
	}
}

// With a cool-down of 2 windows, 11-30 keeps 11-29's page: the row names the cause and feature it is held from
// and its reason leads with them, then says what 11-30 reads now. Without a cool-down 11-30 is ok on its own.
func TestFleetRowHeldSeverity(t *testing.T) {
	m, in := heldInputs()
	r := in.row(m, 2)
	d1 := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	if r.Severity != severity.Page || r.HeldAt != d1 || r.HeldCause != diagnosis.CauseConceptDrift || r.HeldFeature != "age" {
		t.Errorf("held: severity %s, held at %v from %q on %q; want page held at %v from concept_drift on age",
			r.Severity, r.HeldAt, r.HeldCause, r.HeldFeature, d1)
	}
	if r.Verdict != diagnosis.VerdictOK || r.WorstCause != diagnosis.CausePredictionDrift || r.WorstFeature != "income" {
		t.Errorf("now: verdict %s, worst cause %s, worst feature %s; want ok, prediction_drift, income", r.Verdict, r.WorstCause, r.WorstFeature)
	}
	want := "page (critical tier): held from concept_drift in the window of 2026-11-29 00:00 (cool-down of 2 windows); " +
		"now verdict ok; income wasserstein 0.03 vs 0.1 (importance 0.6)"
	if r.Reason != want {
		t.Errorf("reason %q\nwant   %q", r.Reason, want)
	}

	own := in.row(m, 1)
	if own.Severity != severity.OK || !own.HeldAt.IsZero() || own.HeldCause != "" || own.HeldFeature != "" {
		t.Errorf("no cool-down: severity %s, held at %v from %q on %q; want ok, not held", own.Severity, own.HeldAt, own.HeldCause, own.HeldFeature)
	}
	if want := "ok (critical tier): verdict ok; income wasserstein 0.03 vs 0.1 (importance 0.6)"; own.Reason != want {
		t.Errorf("reason %q\nwant   %q", own.Reason, want)
	}
}

// A severity of the window's own says nothing of a hold.
func TestReasonOfAnOwnSeverity(t *testing.T) {
	ev := 2.0
	own := reason(FleetRow{Severity: severity.Ticket, Tier: "standard", Verdict: diagnosis.CausePipelineBreak, QualityCheck: "volume_ratio",
		QualityEvidence: &ev}, DiagnosisWindow{}, 2)
	if want := "ticket (standard tier): pipeline break: volume_ratio (evidence 2× its alert level)"; own != want {
		t.Errorf("own: %q\nwant %q", own, want)
	}
}
