package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.yaml.in/yaml/v3"

	"github.com/aiops/modelmonitor/pkg/demo"
	querymodel "github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/test/host"
)

// dashboards reads the dashboards matching pattern as the host does, their relative time ranges resolved on the
// demo's last day (its "now": the end of the fixed demo dates).
func dashboards(t *testing.T, pattern string) []host.Dashboard {
	t.Helper()
	dash, err := host.LoadDashboards(pattern, curTo)
	if err != nil {
		t.Fatal(err)
	}
	return dash
}

// Every query of every provisioned dashboard, its variables set to the dashboard's current values, is a valid
// query and answers over the dashboard's time range through the CLI with at least one value and no error — what
// the panel would show in Grafana, minus Grafana.
func TestProvisionedDashboardQueriesAnswer(t *testing.T) {
	dash := dashboards(t, "../../provisioning/dashboards/json/*.json")
	if len(dash) != 2 {
		t.Fatalf("%d dashboards, want churn-drift and model-health", len(dash))
	}
	for _, d := range dash {
		for _, p := range d.Panels {
			queries, err := d.Queries(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range queries {
				raw, _ := json.Marshal(q.Model)
				if _, err := querymodel.Parse(raw, ""); err != nil {
					t.Errorf("%s, panel %q: %v", d.File, p.Title, err)
					continue
				}
				values := 0
				for _, f := range query(t, q.Model, q.From, q.To) {
					for _, fld := range f.Fields {
						for i := 0; i < fld.Len(); i++ {
							if _, ok := fld.ConcreteAt(i); ok && fld.Name != "time" {
								values++
							}
						}
					}
				}
				if values == 0 {
					t.Errorf("%s, panel %q: no values", d.File, p.Title)
				}
			}
		}
	}
}

// The model-health dashboard opens on credit_risk_na: its verdict timeline shows concept_drift from the
// incident's first day on, and no other cause.
func TestModelHealthDashboardShowsTheConceptDrift(t *testing.T) {
	dash := dashboards(t, "../../provisioning/dashboards/json/model-health.json")[0]
	var q map[string]any
	_ = json.Unmarshal([]byte(strings.ReplaceAll(string(dash.Panels[0].Targets[0]), "$model", "credit_risk_na")), &q)
	concept := incident(t, "credit_risk_na", demo.KindConceptDrift)
	for _, f := range query(t, q, dash.Time.From, dash.Time.To) {
		cause := f.Fields[1].Labels["cause"]
		var on []time.Time
		for i := 0; i < f.Rows(); i++ {
			if v, ok := f.Fields[1].ConcreteAt(i); ok && v.(float64) == 1 {
				on = append(on, f.Fields[0].At(i).(time.Time))
			}
		}
		want := []time.Time(nil)
		if cause == "concept_drift" {
			want = days(concept.From, dash.Time.To)
		}
		if !sameDays(on, want) {
			t.Errorf("%s: verdict on %s, want %s", cause, fmtDays(on), fmtDays(want))
		}
	}
}

// alertRule is one provisioned Grafana-managed rule: its data source query (A), reduce (B) and threshold (C).
type alertRule struct {
	UID  string `yaml:"uid"`
	Data []struct {
		RefID         string         `yaml:"refId"`
		DatasourceUID string         `yaml:"datasourceUid"`
		Model         map[string]any `yaml:"model"`
	} `yaml:"data"`
}

// provisionedRule reads one rule of provisioning/alerting by uid, checking that its query is a valid query of the
// provisioned data source.
func provisionedRule(t *testing.T, uid string) (rule alertRule, threshold float64) {
	t.Helper()
	raw, err := os.ReadFile("../../provisioning/alerting/drift-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []alertRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.UID != uid {
				continue
			}
			if r.Data[0].DatasourceUID != "modelmonitor-demo" {
				t.Fatalf("rule %s queries %q, not the provisioned data source", uid, r.Data[0].DatasourceUID)
			}
			b, _ := json.Marshal(r.Data[0].Model)
			if _, err := querymodel.Parse(b, ""); err != nil {
				t.Fatalf("rule %s: query invalid: %v", uid, err)
			}
			param := r.Data[2].Model["conditions"].([]any)[0].(map[string]any)["evaluator"].(map[string]any)["params"].([]any)[0]
			switch x := param.(type) {
			case int:
				return r, float64(x)
			case float64:
				return r, x
			}
			t.Fatalf("rule %s: threshold %v is not a number", uid, param)
		}
	}
	t.Fatalf("no provisioned rule %s", uid)
	return
}

// evaluate runs a rule's query through the CLI over the demo's current month and reduces each frame as the rule
// does (last non-null value > threshold): the labels of the firing instances. This is the evaluation Grafana
// performs, minus Grafana (see the README on why no Grafana server runs here).
func evaluate(t *testing.T, uid string) []data.Labels {
	t.Helper()
	rule, threshold := provisionedRule(t, uid)
	var firing []data.Labels
	for _, f := range query(t, rule.Data[0].Model, curFrom, curTo) {
		if len(f.Fields) != 2 || f.Fields[1].Labels == nil {
			t.Fatalf("rule %s: frame %q is not a series (an alert rule reads every frame as one)", uid, f.Name)
		}
		last, ok := -1.0, false
		for i := 0; i < f.Rows(); i++ {
			if v, has := f.Fields[1].ConcreteAt(i); has {
				last, ok = v.(float64), true
			}
		}
		if ok && last > threshold {
			firing = append(firing, f.Fields[1].Labels)
		}
	}
	return firing
}

// The drift rule fires for the drifting feature (and total_charges, which follows it) and for no other.
func TestProvisionedAlertRuleFiresOnlyForTheDriftingFeature(t *testing.T) {
	firing := map[string]bool{}
	for _, l := range evaluate(t, "mm-churn-feature-drift") {
		if l["model"] != "churn" || l["feature"] == "" {
			t.Fatalf("alert instance without model/feature labels: %v", l)
		}
		firing[l["feature"]] = true
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

// The diagnosis rule, evaluated at the end of the demo, fires one instance per model whose verdict holds then,
// labelled with its cause: churn's covariate shift, upsell_eu's unit change (a pipeline break — its feature
// moved too, but the verdict names the logging error, not covariate shift), credit_risk_na's concept drift and
// fraud_card_us's prior shift. upsell_eu's null flood ended weeks before and has resolved; healthy models are
// quiet.
func TestProvisionedDiagnosisRuleFiresPerCause(t *testing.T) {
	want := map[string]bool{"churn/covariate_shift": true, "upsell_eu/pipeline_break": true,
		"credit_risk_na/concept_drift": true, "fraud_card_us/prior_shift": true}
	got := map[string]bool{}
	for _, l := range evaluate(t, "mm-fleet-diagnosis") {
		got[l["model"]+"/"+l["cause"]] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("no alert for %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("unexpected alert %s", k)
		}
	}
}
