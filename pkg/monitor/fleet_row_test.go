package monitor

import (
	"testing"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/engine/severity"
)

// A held severity names the window it is held from; a severity of the window's own says nothing of the hold.
func TestReasonNamesAHeldSeverity(t *testing.T) {
	r := FleetRow{Severity: severity.Page, Tier: "critical", Verdict: diagnosis.VerdictOK}
	held := reason(r, DiagnosisWindow{}, 2, "concept_drift in the window of 2026-11-29 00:00")
	if want := "page (critical tier): verdict ok; severity held from concept_drift in the window of 2026-11-29 00:00 (cool-down of 2 windows)"; held != want {
		t.Errorf("held: %q\nwant %q", held, want)
	}
	ev := 2.0
	own := reason(FleetRow{Severity: severity.Ticket, Tier: "standard", Verdict: diagnosis.CausePipelineBreak, QualityCheck: "volume_ratio",
		QualityEvidence: &ev}, DiagnosisWindow{}, 2, "")
	if want := "ticket (standard tier): pipeline break: volume_ratio (evidence 2× its alert level)"; own != want {
		t.Errorf("own: %q\nwant %q", own, want)
	}
}
