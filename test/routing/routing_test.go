// Package routing checks the provisioned notification policies (provisioning/alerting/fleet-policies.yaml) with
// Alertmanager's own routing code: Grafana's notification policies are Alertmanager routes, so the policy tree is
// loaded into Alertmanager's config.Route, built with dispatch.NewRoute and asked where each alert instance goes
// (Route.Match), and its time intervals are evaluated with Alertmanager's timeinterval package. The alert
// instances are those the provisioned fleet rule raises on the demo (testdata/fleet_alerts.json, written and
// checked by test/e2e's fleet test). It is its own Go module so that Alertmanager's dependencies (cloud SDKs of
// its notifiers among them) stay out of the plugin's go.mod.
package routing

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v2"
)

// policy is one node of a Grafana provisioned policy tree (the file provisioning schema of notification
// policies: Alertmanager's route with Grafana's object_matchers).
type policy struct {
	Receiver            string      `yaml:"receiver"`
	GroupBy             []string    `yaml:"group_by"`
	ObjectMatchers      [][3]string `yaml:"object_matchers"`
	Continue            bool        `yaml:"continue"`
	GroupWait           string      `yaml:"group_wait"`
	GroupInterval       string      `yaml:"group_interval"`
	RepeatInterval      string      `yaml:"repeat_interval"`
	MuteTimeIntervals   []string    `yaml:"mute_time_intervals"`
	ActiveTimeIntervals []string    `yaml:"active_time_intervals"`
	Routes              []policy    `yaml:"routes"`
}

// provisioned is the policy file: the tree and its named time intervals.
type provisioned struct {
	Policies  []policy `yaml:"policies"`
	MuteTimes []struct {
		Name          string                      `yaml:"name"`
		TimeIntervals []timeinterval.TimeInterval `yaml:"time_intervals"`
	} `yaml:"muteTimes"`
}

var matchTypes = map[string]labels.MatchType{"=": labels.MatchEqual, "!=": labels.MatchNotEqual, "=~": labels.MatchRegexp, "!~": labels.MatchNotRegexp}

// route converts a Grafana policy to Alertmanager's config.Route.
func route(t *testing.T, p policy) *config.Route {
	t.Helper()
	r := &config.Route{Receiver: p.Receiver, GroupByStr: p.GroupBy, Continue: p.Continue,
		MuteTimeIntervals: p.MuteTimeIntervals, ActiveTimeIntervals: p.ActiveTimeIntervals}
	for _, g := range p.GroupBy {
		r.GroupBy = append(r.GroupBy, model.LabelName(g))
	}
	for _, m := range p.ObjectMatchers {
		typ, ok := matchTypes[m[1]]
		if !ok {
			t.Fatalf("matcher %v: unknown operator", m)
		}
		lm, err := labels.NewMatcher(typ, m[0], m[2])
		if err != nil {
			t.Fatalf("matcher %v: %v", m, err)
		}
		r.Matchers = append(r.Matchers, lm)
	}
	for _, d := range []struct {
		s   string
		dst **model.Duration
	}{{p.GroupWait, &r.GroupWait}, {p.GroupInterval, &r.GroupInterval}, {p.RepeatInterval, &r.RepeatInterval}} {
		if d.s == "" {
			continue
		}
		v, err := model.ParseDuration(d.s)
		if err != nil {
			t.Fatalf("duration %q: %v", d.s, err)
		}
		*d.dst = &v
	}
	for _, c := range p.Routes {
		r.Routes = append(r.Routes, route(t, c))
	}
	return r
}

// load reads the provisioned tree and intervals, checking that every receiver is a provisioned contact point and
// every interval a route names is provisioned.
func load(t *testing.T) (*dispatch.Route, *timeinterval.Intervener) {
	t.Helper()
	var p provisioned
	read(t, "../../provisioning/alerting/fleet-policies.yaml", &p)
	if len(p.Policies) != 1 {
		t.Fatalf("%d policy trees, want 1", len(p.Policies))
	}
	var cps struct {
		ContactPoints []struct {
			Name string `yaml:"name"`
		} `yaml:"contactPoints"`
	}
	read(t, "../../provisioning/alerting/fleet-contact-points.yaml", &cps)
	receivers := map[string]bool{}
	for _, c := range cps.ContactPoints {
		receivers[c.Name] = true
	}
	intervals := map[string][]timeinterval.TimeInterval{}
	for _, m := range p.MuteTimes {
		intervals[m.Name] = m.TimeIntervals
	}
	root := dispatch.NewRoute(route(t, p.Policies[0]), nil)
	root.Walk(func(r *dispatch.Route) {
		if !receivers[r.RouteOpts.Receiver] {
			t.Errorf("route %s: receiver %q is not a provisioned contact point", r.Key(), r.RouteOpts.Receiver)
		}
		for _, n := range append(slices.Clone(r.RouteOpts.MuteTimeIntervals), r.RouteOpts.ActiveTimeIntervals...) {
			if _, ok := intervals[n]; !ok {
				t.Errorf("route %s: time interval %q is not provisioned", r.Key(), n)
			}
		}
	})
	return root, timeinterval.NewIntervener(intervals)
}

func read(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// alerts are the demo's firing fleet alert instances with their labels as Grafana sends them to the Alertmanager
// (the series labels plus the rule's labels, alertname and grafana_folder).
func alerts(t *testing.T) []model.LabelSet {
	t.Helper()
	raw, err := os.ReadFile("testdata/fleet_alerts.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []model.LabelSet
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no alert instances")
	}
	return out
}

// receivers is where Alertmanager sends an alert: the receivers of every matching route, in order.
func receivers(root *dispatch.Route, l model.LabelSet) []string {
	var out []string
	for _, r := range root.Match(l) {
		out = append(out, r.RouteOpts.Receiver)
	}
	return out
}

// Who receives what: every page goes to the on-call receiver and to the owning team's channel, every ticket to
// the owning team's channel only (mm-team-default for an owner without a channel), every report to the weekly
// digest only — and nothing else reaches anyone.
func TestFleetAlertsReachTheRightPeople(t *testing.T) {
	root, _ := load(t)
	teams := map[string]bool{"risk-ml": true, "fraud-ml": true, "growth-ml": true, "cx-ml": true, "finance-ml": true, "marketing-ml": true}
	team := func(owner string) string {
		if teams[owner] {
			return "mm-team-" + owner
		}
		return "mm-team-default"
	}
	bySeverity := map[string][]string{}
	for _, a := range alerts(t) {
		owner, sev := string(a["owner"]), string(a["severity"])
		var want []string
		switch sev {
		case "page":
			want = []string{"mm-oncall", team(owner)}
		case "ticket":
			want = []string{team(owner)}
		case "report":
			want = []string{"mm-weekly-digest"}
		default:
			t.Errorf("%s: severity %q fires", a["model"], sev)
		}
		if got := receivers(root, a); !slices.Equal(got, want) {
			t.Errorf("%s (%s, %s): receivers %v, want %v", a["model"], sev, owner, got, want)
		}
		bySeverity[sev] = append(bySeverity[sev], string(a["model"]))
	}
	for s := range bySeverity {
		sort.Strings(bySeverity[s])
	}
	t.Logf("demo: page %v; ticket %v; report %v", bySeverity["page"], bySeverity["ticket"], bySeverity["report"])
	// Alerts of other rules (no source label) fall to the root's receiver; a page without an owner channel
	// reaches on-call and the default team channel.
	if got := receivers(root, model.LabelSet{"alertname": "churn drift", "severity": "page"}); !slices.Equal(got, []string{"mm-team-default"}) {
		t.Errorf("an alert of another rule: %v", got)
	}
	if got := receivers(root, model.LabelSet{"source": "model-monitor", "severity": "page", "owner": "unassigned"}); !slices.Equal(got, []string{"mm-oncall", "mm-team-default"}) {
		t.Errorf("a page of an unassigned model: %v", got)
	}
}

// The demo's incidents, by the e2e test's account (test/e2e/fleet_test.go): each reaches the receivers its
// severity and owner call for, and no healthy model reaches anyone.
func TestDemoIncidentsRouting(t *testing.T) {
	root, _ := load(t)
	got := map[string][]string{}
	for _, a := range alerts(t) {
		got[string(a["model"])] = receivers(root, a)
	}
	want := map[string][]string{
		"credit_risk_na": {"mm-oncall", "mm-team-risk-ml"}, // concept drift of a critical model: page
		"churn":          {"mm-team-cx-ml"},                // drift that does not hurt: ticket
		"fraud_card_us":  {"mm-team-fraud-ml"},             // prior shift: ticket
		"upsell_eu":      {"mm-team-growth-ml"},            // pipeline break of a standard model: ticket
		"fraud_card_eu":  {"mm-weekly-digest"},             // an unimportant feature drifts: report
	}
	for m, w := range want {
		if !slices.Equal(got[m], w) {
			t.Errorf("%s: %v, want %v", m, got[m], w)
		}
	}
	for m, r := range got {
		if _, ok := want[m]; !ok && !slices.Equal(r, []string{"mm-weekly-digest"}) {
			t.Errorf("healthy %s reaches %v", m, r)
		}
	}
}

// Timing: pages are never muted, tickets wait for Monday, the digest goes out only on Monday 09:00–21:00 UTC,
// and its group interval is no longer than that window (so one flush always falls inside it) while its repeat
// interval is due outside it (so it goes out once a week).
func TestFleetRouteTiming(t *testing.T) {
	root, iv := load(t)
	at := func(s string) time.Time {
		x, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	// the options of the i-th route an alert of this severity and owner matches
	opts := func(sev, owner string, i int) dispatch.RouteOpts {
		return root.Match(model.LabelSet{"source": "model-monitor", "severity": model.LabelValue(sev), "owner": model.LabelValue(owner)})[i].RouteOpts
	}
	// delivered says whether a notification of the route goes out at time x (Alertmanager's rule: muted when in
	// a mute interval, or outside every active interval of a route that has some).
	delivered := func(o dispatch.RouteOpts, x time.Time) bool {
		muted, _, err := iv.Mutes(o.MuteTimeIntervals, x)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.ActiveTimeIntervals) > 0 {
			active, _, err := iv.Mutes(o.ActiveTimeIntervals, x)
			if err != nil {
				t.Fatal(err)
			}
			muted = muted || !active
		}
		return !muted
	}
	monday, tuesday, saturday, mondayNight := at("2026-11-02T10:00:00Z"), at("2026-11-03T10:00:00Z"), at("2026-11-07T10:00:00Z"), at("2026-11-02T21:30:00Z")
	page, pageTeam, ticket, report := opts("page", "cx-ml", 0), opts("page", "cx-ml", 1), opts("ticket", "cx-ml", 0), opts("report", "cx-ml", 0)
	unassigned := opts("ticket", "unassigned", 0)
	cases := []struct {
		name string
		o    dispatch.RouteOpts
		at   time.Time
		want bool
	}{
		{"page on Saturday", page, saturday, true}, {"ticket on Monday", ticket, monday, true},
		{"ticket on Saturday", ticket, saturday, false}, {"unassigned ticket on Saturday", unassigned, saturday, false},
		{"page's team copy on Saturday", pageTeam, saturday, false}, {"report on Monday 10:00", report, monday, true},
		{"report on Monday 21:30", report, mondayNight, false}, {"report on Tuesday", report, tuesday, false},
	}
	for _, c := range cases {
		if got := delivered(c.o, c.at); got != c.want {
			t.Errorf("%s: delivered %v, want %v", c.name, got, c.want)
		}
	}
	if report.GroupInterval != 12*time.Hour || report.RepeatInterval != 156*time.Hour {
		t.Errorf("digest timers %v / %v", report.GroupInterval, report.RepeatInterval)
	}
	// A digest sent at Monday 10:00 is due again 156 h later, on Sunday 22:00 (outside the window); the flushes
	// every 12 h from there reach Monday 10:00 again, inside it: one digest a week.
	due := monday.Add(report.RepeatInterval)
	if delivered(report, due) || !delivered(report, due.Add(report.GroupInterval)) {
		t.Errorf("repeat due %v delivered %v; next flush %v delivered %v", due, delivered(report, due),
			due.Add(report.GroupInterval), delivered(report, due.Add(report.GroupInterval)))
	}
	if page.GroupWait != 30*time.Second || ticket.GroupInterval != time.Hour || ticket.RepeatInterval != 24*time.Hour {
		t.Errorf("page wait %v, ticket interval %v repeat %v", page.GroupWait, ticket.GroupInterval, ticket.RepeatInterval)
	}
	if got := fmt.Sprint(page.GroupBy); !strings.Contains(got, "model") {
		t.Errorf("pages grouped by %s, want per model", got)
	}
}
