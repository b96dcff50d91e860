// Package e2e runs the modelmon CLI — the data source's own QueryData path — as a subprocess against a freshly
// generated demo store, and checks that each injected incident is flagged on its dates while healthy models stay
// quiet under the default thresholds.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.yaml.in/yaml/v3"

	"github.com/aiops/modelmonitor/pkg/demo"
)

var (
	cli      string // built modelmon binary
	settings string // settings JSON pointing at the generated store
	start    = demo.DefaultStart
	refFrom  = start
	refTo    = start.AddDate(0, 0, 7) // the validation week
	curFrom  = refTo
	curTo    = start.AddDate(0, 0, demo.DefaultDays)
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "modelmon-e2e-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		store := filepath.Join(dir, "demo.duckdb")
		if _, err := demo.Generate(context.Background(), store, demo.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, "generate demo store:", err)
			return 1
		}
		cli = filepath.Join(dir, "modelmon")
		build := exec.Command("go", "build", "-o", cli, "../../pkg/cmd/modelmon")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build modelmon:", err)
			return 1
		}
		settings = filepath.Join(dir, "settings.json")
		jsonData, err := provisionedJSONData(store)
		if err != nil {
			fmt.Fprintln(os.Stderr, "provisioned data source:", err)
			return 1
		}
		s, _ := json.Marshal(map[string]any{"jsonData": jsonData})
		if err := os.WriteFile(settings, s, 0o644); err != nil {
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// query runs `modelmon query` and decodes the /api/ds/query body it prints (piped: JSON).
func query(t *testing.T, q map[string]any, from, to time.Time) data.Frames {
	t.Helper()
	q["refId"] = "A" // a query without a reference compares against the data source's: the validation week
	qf := filepath.Join(t.TempDir(), "q.json")
	b, _ := json.Marshal(q)
	if err := os.WriteFile(qf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "query", "--settings", settings, "--query", qf,
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339)).Output()
	if err != nil {
		t.Fatalf("modelmon query: %v", err)
	}
	var body struct {
		Results map[string]struct {
			Status int         `json:"status"`
			Error  string      `json:"error"`
			Frames data.Frames `json:"frames"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatalf("decode CLI output: %v\n%s", err, out[:min(len(out), 2000)])
	}
	r := body.Results["A"]
	if r.Error != "" {
		t.Fatalf("query error: %s", r.Error)
	}
	return r.Frames
}

// drifted returns, per "model · feature" frame, the window starts whose score is on the drift side of the
// frame's threshold.
func drifted(t *testing.T, frames data.Frames) map[string][]time.Time {
	t.Helper()
	out := map[string][]time.Time{}
	for _, f := range frames {
		custom := f.Meta.Custom.(map[string]any)
		threshold := custom["threshold"].(float64)
		below := custom["thresholdDirection"] == "below"
		out[f.Name] = nil
		for i := 0; i < f.Rows(); i++ {
			v, ok := f.Fields[1].ConcreteAt(i)
			if !ok {
				continue
			}
			x := v.(float64)
			if (!below && x >= threshold) || (below && x < threshold) {
				out[f.Name] = append(out[f.Name], f.Fields[0].At(i).(time.Time))
			}
		}
	}
	return out
}

func incident(t *testing.T, model, kind string) demo.Incident {
	for _, i := range demo.Incidents {
		if i.Model == model && i.Kind == kind {
			return i
		}
	}
	t.Fatalf("no %s incident for %s", kind, model)
	return demo.Incident{}
}

// days lists the daily window starts in [from, to).
func days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

func sameDays(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func fmtDays(ts []time.Time) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Format("01-02"))
	}
	return strings.Join(s, " ")
}

// provisionedJSONData is the jsonData of the provisioned demo data source (provisioning/datasources), its
// environment variables expanded as Grafana does — the store at path, the validation week the fixed demo dates —
// so that every test runs with the settings a Grafana user gets.
func provisionedJSONData(path string) (map[string]any, error) {
	raw, err := os.ReadFile("../../provisioning/datasources/modelmonitor.yaml")
	if err != nil {
		return nil, err
	}
	env := map[string]string{"MODELMON_DEMO_STORE": path, "MODELMON_REFERENCE_FROM": refFrom.Format(time.RFC3339),
		"MODELMON_REFERENCE_TO": refTo.Format(time.RFC3339)}
	expanded := os.Expand(string(raw), func(k string) string {
		v, ok := env[k]
		if !ok {
			panic("provisioning uses an environment variable the tests do not set: " + k)
		}
		return v
	})
	var file struct {
		Datasources []struct {
			JSONData map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal([]byte(expanded), &file); err != nil {
		return nil, err
	}
	if len(file.Datasources) != 1 {
		return nil, fmt.Errorf("%d provisioned data sources, want 1", len(file.Datasources))
	}
	return file.Datasources[0].JSONData, nil
}
