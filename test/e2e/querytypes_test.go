package e2e

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/demo"
)

// The heatmap of the churn model: 20 features × 28 daily windows, importance-sorted; its monthly_charges row is
// drifted exactly from the incident's first day.
func TestHeatmapOnTheDemoStore(t *testing.T) {
	frames := query(t, map[string]any{"queryType": "driftHeatmap", "model": "churn", "window": "1d"}, curFrom, curTo)
	if len(frames) != 1 {
		t.Fatalf("want one long table, got %d frames", len(frames))
	}
	f := frames[0]
	if f.Rows() != 20*28 {
		t.Fatalf("heatmap rows %d, want 20 features × 28 windows", f.Rows())
	}
	field := func(name string) int {
		for i, fl := range f.Fields {
			if fl.Name == name {
				return i
			}
		}
		t.Fatalf("no field %q", name)
		return -1
	}
	feature, imp, drift, ts := field("feature"), field("importance"), field("drift"), field("time")
	prev := 2.0
	inc := incident(t, "churn", demo.KindCovariateDrift)
	for i := 0; i < f.Rows(); i++ {
		v, _ := f.Fields[imp].ConcreteAt(i)
		if v.(float64) > prev {
			t.Fatalf("row %d: importance %v after %v: not importance-sorted", i, v, prev)
		}
		prev = v.(float64)
		if f.Fields[feature].At(i) == "monthly_charges" {
			d, _ := f.Fields[drift].ConcreteAt(i)
			day := f.Fields[ts].At(i).(time.Time)
			if d.(bool) != !day.Before(inc.From) {
				t.Errorf("monthly_charges on %s: drift=%v", day.Format("01-02"), d)
			}
		}
	}
}

// The distribution of monthly_charges over the incident's days against the validation week: PSI above the 0.2
// action threshold, the top bin carrying most of it; over the days before the incident: below 0.1.
func TestDistributionOnTheDemoStore(t *testing.T) {
	inc := incident(t, "churn", demo.KindCovariateDrift)
	q := func() map[string]any {
		return map[string]any{"queryType": "distribution", "model": "churn", "features": []string{"monthly_charges"}, "metric": "psi"}
	}
	after := query(t, q(), inc.From, curTo)[0].Meta.Custom.(map[string]any)
	before := query(t, q(), curFrom, inc.From)[0].Meta.Custom.(map[string]any)
	if after["value"].(float64) < 0.2 || after["drift"] != true {
		t.Fatalf("PSI over the incident = %v (drift %v), want ≥ 0.2", after["value"], after["drift"])
	}
	if before["value"].(float64) >= 0.1 || before["drift"] != false {
		t.Fatalf("PSI before the incident = %v (drift %v), want < 0.1", before["value"], before["drift"])
	}
}

// The catalogue resources the editors and template variables use.
func TestResourcesOnTheDemoStore(t *testing.T) {
	var models []map[string]any
	resource(t, "models", &models)
	if len(models) != len(demo.Models()) {
		t.Fatalf("%d models, want %d", len(models), len(demo.Models()))
	}
	var features []map[string]any
	resource(t, "features?model=churn", &features)
	if len(features) != 20 || features[0]["importance"].(float64) < features[19]["importance"].(float64) {
		t.Fatalf("churn features: %d, not importance-sorted: %v", len(features), features)
	}
	var regions []string
	resource(t, "segments?column=region", &regions)
	if len(regions) != 4 {
		t.Fatalf("regions %v, want the 4 demo regions", regions)
	}
}

func resource(t *testing.T, path string, into any) {
	t.Helper()
	out, err := exec.Command(cli, "resource", "--settings", settings, "--path", path).Output()
	if err != nil {
		t.Fatalf("modelmon resource %s: %v", path, err)
	}
	if err := json.Unmarshal(out, into); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, out)
	}
}
