package e2e

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.yaml.in/yaml/v3"

	"github.com/aiops/modelmonitor/pkg/demo"
)

var updateAlerts = flag.Bool("update-alerts", false, "rewrite ../routing/testdata/fleet_alerts.json from the demo")

// slowQueries gives the test's CLI queries a 15-minute time-out instead of the data source's default 60 s: the
// fleet rolls up a whole fleet diagnosis, which takes ~10 s on a quiet machine and minutes on a shared one.
func slowQueries(t *testing.T) {
	t.Helper()
	old := settings
	raw, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	s["jsonData"]["queryTimeoutSeconds"] = 900
	path := filepath.Join(t.TempDir(), "settings.json")
	b, _ := json.Marshal(s)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	settings = path
	t.Cleanup(func() { settings = old })
}

// fleetRows runs fleetHealth over the demo's current month (daily windows, the validation week as reference,
// cool-down 2) and returns its table's rows by model, every column as a string or number, and the models'
// severities in the table's order.
func fleetRows(t *testing.T) (map[string]map[string]any, []string) {
	t.Helper()
	frames := query(t, map[string]any{"queryType": "fleetHealth", "model": "", "window": "1d", "fleet": map[string]any{"hold": 2}}, curFrom, curTo)
	if len(frames) != 1 || frames[0].Name != "fleet" {
		t.Fatalf("want the fleet table only, got %d frames", len(frames))
	}
	f := frames[0]
	out := map[string]map[string]any{}
	var order []string
	for i := 0; i < f.Rows(); i++ {
		row := map[string]any{}
		for _, fld := range f.Fields {
			v, _ := fld.ConcreteAt(i)
			row[fld.Name] = v
		}
		out[row["model"].(string)] = row
		order = append(order, row["severity"].(string))
	}
	return out, order
}

// Which incidents page, which become tickets, which go to the weekly report, on the last day of the demo:
//   - credit_risk_na (critical): concept drift — realized ROC AUC far below the estimate: page.
//   - upsell_eu (standard): a unit change breaks the logging of data_usage_gb: a pipeline break of a standard
//     model is a ticket for growth-ml.
//   - churn (critical): the price rise moves its most important feature, but CBPE sees no loss of ROC AUC
//     (labels follow the same P(churn | x)): the drift does not matter, so a ticket, not a page.
//   - fraud_card_us (critical): the fraud rate quadrupled from 10-22 (prior shift, Medium): ticket. Its labels
//     arrive 1–3 days after the prediction, so its last day has none: the prior shift decided on the day before
//     stands (verdict_at 11-03), with labels pending since 11-04 (1 window) — not ok.
//   - credit_risk_na's last day has labels enough (1 h to 10 days late, median 36 h): decided, none pending.
//   - fraud_card_eu (critical): its least important feature (importance 0.004) drifts ×1.5 — the healthy model
//     with a drifting unimportant feature: verdict ok, weekly report, never a page.
//   - every other model: ok or report (prediction-drift noise of small windows), never a page or a ticket.
func TestFleetHealthOnTheDemo(t *testing.T) {
	slowQueries(t)
	rows, order := fleetRows(t)
	if len(rows) != len(demo.Models()) {
		t.Fatalf("%d rows, want one per model (%d)", len(rows), len(demo.Models()))
	}
	want := map[string][3]string{ // severity, verdict, worst feature ("" = not checked)
		"credit_risk_na": {"page", "concept_drift", ""},
		"upsell_eu":      {"ticket", "pipeline_break", "data_usage_gb"},
		"churn":          {"ticket", "covariate_shift", "monthly_charges"},
		"fraud_card_us":  {"ticket", "prior_shift", ""},
		"fraud_card_eu":  {"report", "ok", "data_usage_gb"},
	}
	for m, w := range want {
		r := rows[m]
		if r["severity"] != w[0] || (w[1] != "" && r["verdict"] != w[1]) || (w[2] != "" && r["worst_feature"] != w[2]) {
			t.Errorf("%s: severity %v, verdict %v, worst feature %v; want %v\n  %v", m, r["severity"], r["verdict"], r["worst_feature"], w, r["reason"])
		}
	}
	day := func(d int) string { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC).Format(time.RFC3339) }
	utc := func(x any) string { // a time column's value as RFC 3339 in UTC; "" for null (decoded as nil or zero)
		if t, ok := x.(time.Time); ok && !t.IsZero() {
			return t.UTC().Format(time.RFC3339)
		}
		return ""
	}
	for m, w := range map[string]struct {
		verdictAt, since string
		pending          int64
		pendingSince     string
	}{
		"fraud_card_us":  {day(34), day(22), 1, day(35)},
		"credit_risk_na": {day(35), day(24), 0, ""},
	} {
		r := rows[m]
		if utc(r["verdict_at"]) != w.verdictAt || utc(r["since"]) != w.since || r["labels_pending"] != w.pending || utc(r["pending_since"]) != w.pendingSince {
			t.Errorf("%s: verdict_at %v, since %v, labels_pending %v since %v; want %v", m, r["verdict_at"], r["since"], r["labels_pending"], r["pending_since"], w)
		}
	}
	if r := rows["churn"]; r["drift_matters"] != false || r["impact"].(float64) >= 1 {
		t.Errorf("churn: drift_matters %v, impact %v: the estimate should hold", r["drift_matters"], r["impact"])
	}
	if r := rows["fraud_card_eu"]; r["feature_score"].(float64) < r["feature_threshold"].(float64) || r["feature_importance"].(float64) > 0.01 {
		t.Errorf("fraud_card_eu: %v %v vs %v (importance %v): want the unimportant feature drifting", r["feature_metric"],
			r["feature_score"], r["feature_threshold"], r["feature_importance"])
	}
	for m, r := range rows {
		if _, ok := want[m]; !ok && (r["severity"] == "page" || r["severity"] == "ticket") {
			t.Errorf("healthy %s: %v (%v)", m, r["severity"], r["reason"])
		}
	}
	level := map[string]int{"page": 3, "ticket": 2, "report": 1, "ok": 0}
	for i := 1; i < len(order); i++ {
		if level[order[i]] > level[order[i-1]] {
			t.Fatalf("row %d (%s) after a lower severity (%s)", i, order[i], order[i-1])
		}
	}
}

// credit_risk_na evaluated at 01:00 on the demo's last day, as an hourly alert rule sees it: its labels arrive at
// least 1 h after the prediction (demo.ModelSpec.LabelDelay.Min), so the hour-old last window holds none and
// cannot decide concept drift; the day before (labels up to 25 h old, at least as many as the last day of
// TestFleetHealthOnTheDemo, which decides) still shows the concept drift that began on 10-24. The model stands at
// concept_drift decided on 11-03, since 10-24, labels pending since 11-04 00:00 (1 window), and pages (critical,
// concept drift High) without any cool-down; read by its own verdict the window would be ok. Its partial window's
// volume is compared with the same first hour of the reference days, so it is no pipeline break either.
func TestFleetHealthLabelsPendingOnTheDemo(t *testing.T) {
	slowQueries(t)
	spec := demo.Models()[slices.IndexFunc(demo.Models(), func(m demo.ModelSpec) bool { return m.ID == "credit_risk_na" })]
	if spec.LabelDelay.Min < time.Hour {
		t.Fatalf("credit_risk_na's labels can arrive within %s: the hour-old window may hold some", spec.LabelDelay.Min)
	}
	at := curTo.Add(-23 * time.Hour)
	frames := query(t, map[string]any{"queryType": "fleetHealth", "model": "credit_risk_na", "window": "1d"}, curFrom, at)
	if len(frames) != 1 || frames[0].Name != "fleet" || frames[0].Rows() != 1 {
		t.Fatalf("want the fleet table with one row, got %d frames", len(frames))
	}
	got := map[string]string{}
	for _, fld := range frames[0].Fields {
		v, _ := fld.ConcreteAt(0)
		if tm, ok := v.(time.Time); ok {
			v = tm.UTC().Format("01-02 15:04")
		}
		got[fld.Name] = fmt.Sprint(v)
	}
	want := map[string]string{"verdict": "concept_drift", "verdict_at": "11-03 00:00", "since": "10-24 00:00",
		"labels_pending": "1", "pending_since": "11-04 00:00", "severity": "page", "worst_cause": "concept_drift"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %s, want %s (%s)", k, got[k], w, got["reason"])
		}
	}
}

// The provisioned fleet rule, evaluated on the demo as Grafana evaluates it (its query, then value > 0.5 on each
// numeric frame): the firing instances with the labels Grafana gives them — the series labels, the rule's labels,
// alertname and grafana_folder — are those test/routing routes (testdata/fleet_alerts.json; -update-alerts
// rewrites it).
func TestProvisionedFleetRuleInstances(t *testing.T) {
	slowQueries(t)
	raw, err := os.ReadFile("../../provisioning/alerting/fleet-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Folder string `yaml:"folder"`
			Rules  []struct {
				UID    string            `yaml:"uid"`
				Title  string            `yaml:"title"`
				Labels map[string]string `yaml:"labels"`
				Data   []struct {
					Model map[string]any `yaml:"model"`
				} `yaml:"data"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	g := file.Groups[0]
	rule := g.Rules[0]
	if rule.UID != "mm-fleet-severity" {
		t.Fatalf("rule %s", rule.UID)
	}
	cond := rule.Data[1].Model["conditions"].([]any)[0].(map[string]any)["evaluator"].(map[string]any)
	threshold := cond["params"].([]any)[0].(float64)
	var firing []map[string]string
	for _, f := range query(t, rule.Data[0].Model, curFrom, curTo) {
		if f.Meta == nil || f.Meta.Type != data.FrameTypeNumericMulti || len(f.Fields) != 1 || f.Rows() != 1 {
			t.Fatalf("frame %q is not numeric-multi with one number", f.Name)
		}
		v, ok := f.Fields[0].ConcreteAt(0)
		if !ok || v.(float64) <= threshold {
			continue
		}
		l := map[string]string{"alertname": rule.Title, "grafana_folder": g.Folder}
		for k, x := range f.Fields[0].Labels {
			l[k] = x
		}
		for k, x := range rule.Labels {
			l[k] = x
		}
		firing = append(firing, l)
	}
	sort.Slice(firing, func(a, b int) bool { return firing[a]["model"] < firing[b]["model"] })
	var pages []string
	for _, l := range firing {
		if l["severity"] == "page" {
			pages = append(pages, l["model"])
		}
	}
	if !slices.Equal(pages, []string{"credit_risk_na"}) {
		t.Errorf("pages %v, want credit_risk_na only", pages)
	}
	const path = "../routing/testdata/fleet_alerts.json"
	if *updateAlerts {
		b, _ := json.MarshalIndent(firing, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pinned []map[string]string
	if err := json.Unmarshal(raw, &pinned); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pinned, firing) {
		t.Errorf("%s is stale (run with -update-alerts):\n got %v\nwant %v", path, firing, pinned)
	}
}

// The fleet dashboard (the app's home) answers, and its drill-down chain holds together: a fleet tile opens
// model health with the model and the time range; model health links to the feature-drift dashboard carrying its
// variables and the time range; the feature-drift dashboard's heatmap sets the feature its distribution panel
// shows.
func TestFleetDashboardDrillDown(t *testing.T) {
	slowQueries(t)
	fleet := dashboards(t, "../../src/dashboards/fleet.json")[0]
	panel := fleet.Panels[0]
	if panel.Type != "aiops-modelfleet-panel" || len(panel.Targets) != 2 {
		t.Fatalf("first panel %s with %d targets", panel.Type, len(panel.Targets))
	}
	queries, err := fleet.Queries(panel)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		frames := query(t, q.Model, q.From, q.To)
		if len(frames) != 1 || frames[0].Rows() == 0 {
			t.Errorf("fleet panel query %v: %d frames", q.Model["fleet"], len(frames))
		}
	}
	// the fleet alert's fleet_url opens this dashboard with var-owner: the variable the fleet panel's owner filter
	// opens on must exist
	rawFleet, err := os.ReadFile("../../src/dashboards/fleet.json")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile("../../provisioning/alerting/fleet-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		Templating struct {
			List []struct {
				Name string `json:"name"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(rawFleet, &vars); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rules), "/d/mm-fleet?var-owner=") || len(vars.Templating.List) != 1 || vars.Templating.List[0].Name != "owner" {
		t.Errorf("fleet_url's var-owner and the fleet dashboard's variables %v", vars.Templating.List)
	}
	link := panel.Options["linkTemplate"].(string)
	if !strings.HasPrefix(link, "/d/mm-health?var-model=${model}") || !strings.Contains(link, "from=${from}&to=${to}") {
		t.Errorf("fleet tile link %q", link)
	}
	type linked struct {
		UID   string `json:"uid"`
		Links []struct {
			URL         string `json:"url"`
			KeepTime    bool   `json:"keepTime"`
			IncludeVars bool   `json:"includeVars"`
		} `json:"links"`
		Templating struct {
			List []struct {
				Name string `json:"name"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Type    string         `json:"type"`
			Options map[string]any `json:"options"`
		} `json:"panels"`
	}
	read := func(name string) linked {
		raw, err := os.ReadFile("../../provisioning/dashboards/json/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var d linked
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	health, drift := read("model-health.json"), read("churn-drift.json")
	hasVar := func(d linked, v string) bool {
		for _, x := range d.Templating.List {
			if x.Name == v {
				return true
			}
		}
		return false
	}
	if health.UID != "mm-health" || !hasVar(health, "model") {
		t.Errorf("model health: uid %s, model variable %v", health.UID, hasVar(health, "model"))
	}
	toDrift := false
	for _, l := range health.Links {
		toDrift = toDrift || (l.URL == "/d/"+drift.UID && l.KeepTime && l.IncludeVars)
	}
	if !toDrift || !hasVar(drift, "model") || !hasVar(drift, "feature") {
		t.Errorf("model health → feature drift: link %v, variables model %v feature %v", toDrift, hasVar(drift, "model"), hasVar(drift, "feature"))
	}
	var heatmapSetsFeature, distributionReadsIt bool
	for _, p := range drift.Panels {
		heatmapSetsFeature = heatmapSetsFeature || (p.Type == "aiops-driftheatmap-panel" && p.Options["drilldownMode"] != "none")
		distributionReadsIt = distributionReadsIt || (p.Type == "aiops-distribution-panel")
	}
	if !heatmapSetsFeature || !distributionReadsIt {
		t.Errorf("feature drift → distribution: heatmap drill-down %v, distribution panel %v", heatmapSetsFeature, distributionReadsIt)
	}
}
