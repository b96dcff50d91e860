package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
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

// examples/S.json and examples/Q.json, the README's ready-made files, run as they are against the demo store
// (only the store's path differs): churn's monthly_charges crosses PSI 0.2 from the price rise on 2026-10-20, and
// tenure_months stays quiet.
func TestExampleFilesRun(t *testing.T) {
	raw, err := os.ReadFile("../../examples/S.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		JSONData       map[string]any    `json:"jsonData"`
		SecureJSONData map[string]string `json:"secureJsonData"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("examples/S.json: %v", err)
	}
	var ours struct {
		JSONData map[string]any `json:"jsonData"`
	}
	b, _ := os.ReadFile(settings)
	_ = json.Unmarshal(b, &ours)
	s.JSONData["path"] = ours.JSONData["path"]
	sf := filepath.Join(t.TempDir(), "S.json")
	b, _ = json.Marshal(s)
	if err := os.WriteFile(sf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "query", "--settings", sf, "--query", "../../examples/Q.json", "--json",
		"--from", "2026-10-15T00:00:00Z", "--to", "2026-10-23T00:00:00Z").Output()
	if err != nil {
		t.Fatalf("modelmon query with the example files: %v\n%s", err, out)
	}
	var body struct {
		Results map[string]struct {
			Frames data.Frames `json:"frames"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatal(err)
	}
	got := drifted(t, body.Results["A"].Frames)
	want := map[string]string{"churn · monthly_charges": "2026-10-20 2026-10-21 2026-10-22", "churn · tenure_months": ""}
	if len(got) != len(want) {
		t.Fatalf("frames %v, want %v", got, want)
	}
	for name, days := range want {
		var ds []string
		for _, d := range got[name] {
			ds = append(ds, d.Format("2006-01-02"))
		}
		if strings.Join(ds, " ") != days {
			t.Errorf("%s drifted on %v, want %s", name, ds, days)
		}
	}
}
