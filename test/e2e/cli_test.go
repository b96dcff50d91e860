package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/demo"
)

// `modelmon diagnose` (the demo's last step) prints each incident as its own verdict with its dates, the windows
// whose labels are pending as pending, and every other model ok throughout. A run's TO is the end of its last
// window. fraud_card_us's last day is pending, not ok: its labels arrive 1–3 days after the prediction
// (demo.ModelSpec.LabelDelay), so that day has none, and its prior shift run ends the day before. By the same
// rule every binary model is pending over at least its last ⌊minimum label delay / 1 day⌋ days (fraud: 1;
// retention and churn: 7), and the multiclass and regression models, whose evidence needs no labels, never are.
func TestDiagnoseCommandPrintsEachIncident(t *testing.T) {
	slowQueries(t) // the whole fleet's diagnosis, like the fleet's
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
	sections := strings.Split(string(out), "\n\n")
	if len(sections) != 4 {
		t.Fatalf("%d sections (title, verdicts, pending, summary), want 4:\n%s", len(sections), out)
	}
	var got [][]string
	for _, line := range strings.Split(sections[1], "\n")[1:] {
		f := strings.Fields(line)
		if len(f) != 7 {
			t.Fatalf("verdict line %q", line)
		}
		got = append(got, []string{f[0], f[1], f[2], f[4]})
	}
	if len(got) != len(want) {
		t.Fatalf("%d verdict runs, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if strings.Join(got[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("run %d: %v, want %v", i, got[i], want[i])
		}
	}
	// pending: "  2026-11-04 00:00 (1 window): a, b" — per model, its run's first window and length
	pending := map[string][2]string{}
	for _, line := range strings.Split(sections[2], "\n")[1:] {
		head, models, ok := strings.Cut(strings.TrimSpace(line), "): ")
		from, n, ok2 := strings.Cut(head, " (")
		if !ok || !ok2 {
			t.Fatalf("pending line %q", line)
		}
		for _, m := range strings.Split(models, ", ") {
			pending[m] = [2]string{from, strings.Fields(n)[0]}
		}
	}
	if p := pending["fraud_card_us"]; p != [2]string{curTo.AddDate(0, 0, -1).Format("2006-01-02 15:04"), "1"} {
		t.Errorf("fraud_card_us pending %v, want its last day only", p)
	}
	if p, ok := pending["credit_risk_na"]; ok {
		t.Errorf("credit_risk_na pending %v: its last day's labels (1 h to 10 days, median 36 h) decide it", p)
	}
	for _, spec := range demo.Models() {
		p, ok := pending[spec.ID]
		if spec.Task != "binary" {
			if ok {
				t.Errorf("%s (%s) pending %v", spec.ID, spec.Task, p)
			}
			continue
		}
		days := int(spec.LabelDelay.Min / (24 * time.Hour))
		if days == 0 {
			continue
		}
		from, err := time.Parse("2006-01-02 15:04", p[0])
		if !ok || err != nil || from.After(curTo.AddDate(0, 0, -days)) {
			t.Errorf("%s: pending %v, want at least its last %d days (labels at least %s late)", spec.ID, p, days, spec.LabelDelay.Min)
		}
	}
	var ok, okSoFar int
	if _, err := fmt.Sscanf(sections[3], "%d models ok in every window, %d more ok in every window whose labels have arrived", &ok, &okSoFar); err != nil ||
		ok+okSoFar != 48 || okSoFar != len(pending)-2 || ok < 2 {
		t.Errorf("summary %q: want 48 models without a verdict, those pending apart (%d pending, 2 of them with a verdict)", sections[3], len(pending))
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
