package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// `modelmon diagnose` (the demo's last step) prints each incident as its own verdict with its dates, and every
// other model ok throughout. A run's TO is the end of its last window. The last day is left out of fraud_card_us's
// run: its labels arrive 1–3 days later.
func TestDiagnoseCommandPrintsEachIncident(t *testing.T) {
	out, err := exec.Command(cli, "diagnose", "--settings", settings,
		"--from", curFrom.Format(time.RFC3339), "--to", curTo.Format(time.RFC3339),
		"--reference-from", refFrom.Format(time.RFC3339), "--reference-to", refTo.Format(time.RFC3339)).CombinedOutput()
	if err != nil {
		t.Fatalf("modelmon diagnose: %v\n%s", err, out)
	}
	last := curTo.Format("2006-01-02")
	want := [][]string{
		{"churn", "covariate_shift", "2026-10-20", last},
		{"credit_risk_na", "concept_drift", "2026-10-24", last},
		{"fraud_card_us", "prior_shift", "2026-10-22", curTo.AddDate(0, 0, -1).Format("2006-01-02")},
		{"upsell_eu", "pipeline_break", "2026-10-15", "2026-10-18"},
		{"upsell_eu", "pipeline_break", "2026-10-27", last},
	}
	var got [][]string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 7 && f[0] != "MODEL" {
			got = append(got, []string{f[0], f[1], f[2], f[4]})
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d verdict runs, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if strings.Join(got[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("run %d: %v, want %v", i, got[i], want[i])
		}
	}
	if !strings.Contains(string(out), "48 models ok in every window") {
		t.Errorf("healthy count missing:\n%s", out)
	}
}
