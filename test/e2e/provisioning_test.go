package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	querymodel "github.com/aiops/modelmonitor/pkg/query"
)

// Every query the provisioned dashboard sends parses as a valid query of the data source it names.
func TestProvisionedDashboardQueriesAreValid(t *testing.T) {
	raw, err := os.ReadFile("../../provisioning/dashboards/json/churn-drift.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string            `json:"title"`
			Targets []json.RawMessage `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			resolved := strings.NewReplacer("$model", "churn", "$feature", "monthly_charges").Replace(string(target))
			if _, err := querymodel.Parse(json.RawMessage(resolved), ""); err != nil {
				t.Errorf("panel %q: %v", p.Title, err)
			}
			n++
		}
	}
	if n != 4 {
		t.Fatalf("dashboard has %d queries, want 4", n)
	}
}

// The provisioned alert rule's query, run through the CLI and reduced the way the rule reduces it (last
// non-null value > 0.1), fires for the drifting feature and stays normal for the others: the evaluation Grafana
// performs, minus Grafana (see the README on why no Grafana server runs here).
func TestProvisionedAlertRuleFiresOnlyForTheDriftingFeature(t *testing.T) {
	raw, err := os.ReadFile("../../provisioning/alerting/drift-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				UID  string `yaml:"uid"`
				Data []struct {
					RefID         string         `yaml:"refId"`
					DatasourceUID string         `yaml:"datasourceUid"`
					Model         map[string]any `yaml:"model"`
				} `yaml:"data"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	rule := rules.Groups[0].Rules[0]
	q := rule.Data[0].Model
	if rule.Data[0].DatasourceUID != "modelmonitor-demo" {
		t.Fatalf("rule queries %q, not the provisioned data source", rule.Data[0].DatasourceUID)
	}
	threshold := rule.Data[2].Model["conditions"].([]any)[0].(map[string]any)["evaluator"].(map[string]any)["params"].([]any)[0].(float64)
	b, _ := json.Marshal(q)
	if _, err := querymodel.Parse(b, ""); err != nil {
		t.Fatalf("alert query invalid: %v", err)
	}
	// The demo's last day is the evaluation point.
	frames := query(t, q, curFrom, curTo)
	firing := map[string]bool{}
	for _, f := range frames {
		last := -1.0
		for i := 0; i < f.Rows(); i++ {
			if v, ok := f.Fields[1].ConcreteAt(i); ok {
				last = v.(float64)
			}
		}
		if f.Fields[1].Labels["model"] != "churn" || f.Fields[1].Labels["feature"] == "" {
			t.Fatalf("alert instance without model/feature labels: %v", f.Fields[1].Labels)
		}
		if last > threshold {
			firing[f.Fields[1].Labels["feature"]] = true
		}
	}
	if !firing["monthly_charges"] {
		t.Errorf("rule does not fire for monthly_charges")
	}
	for feature := range firing {
		if feature != "monthly_charges" && feature != "total_charges" {
			t.Errorf("rule fires for healthy feature %s", feature)
		}
	}
}
