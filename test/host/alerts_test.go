package host_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/test/host"
	"github.com/aiops/modelmonitor/test/host/alerting"
)

// evaluationTimeout is Grafana's default [unified_alerting] evaluation_timeout: every evaluation must finish
// within it. What the tests check against it is a lower bound of the evaluation's wall time, not the wall time:
// the plugin process's CPU time (user + system, /proc) during the evaluation divided by the machine's cores. No
// machine with that many cores can finish C seconds of CPU work in less than C / cores, whatever else runs on it,
// so a failure proves that the evaluation cannot meet the timeout here even when idle. A pass does not prove that
// it meets it: the wall time also holds the waits the CPU time leaves out (reading the store from a cold disk,
// the serial parts of DuckDB's plan that keep other cores idle), Grafana's own share (expressions, gRPC) and, on a
// real server, other work and perhaps fewer cores. The wall time of the slowest evaluation is logged; it is the
// figure that matters on an idle machine. The calls themselves get a long bound (callTimeout) so that on a loaded
// machine the states are still checked.
const (
	evaluationTimeout = 30 * time.Second
	callTimeout       = 10 * time.Minute
)

var (
	firstEval = demo.DefaultStart.AddDate(0, 0, 7)                // 2026-10-08, the day after the validation week
	lastEval  = demo.DefaultStart.AddDate(0, 0, demo.DefaultDays) // 2026-11-05, the end of the demo logs
)

// provisionedRule loads one rule of provisioning/alerting by uid.
func provisionedRule(t *testing.T, uid string) alerting.Rule {
	t.Helper()
	rules, err := alerting.LoadRules("../../provisioning/alerting/drift-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.UID == uid {
			for _, q := range r.DataSourceQueries() {
				if q.DatasourceUID != demoDataSource().UID {
					t.Fatalf("rule %s queries %s, not the provisioned demo data source", uid, q.DatasourceUID)
				}
			}
			return r
		}
	}
	t.Fatalf("no provisioned rule %s", uid)
	return alerting.Rule{}
}

// cost is what one evaluation took: wall time and the plugin's CPU time.
type cost struct{ wall, cpu time.Duration }

// evaluate runs one evaluation of a rule through the plugin at time at and says what it cost.
func evaluate(t *testing.T, p *host.Plugin, r alerting.Rule, at time.Time) ([]alerting.Result, cost) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	cpu0, err := p.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	responses, err := p.AlertQueryData(ctx, demoDataSource(), at, r.DataSourceQueries())
	c := cost{wall: time.Since(start)}
	if err != nil {
		t.Fatalf("rule %s at %s: %v", r.UID, at.Format(time.RFC3339), err)
	}
	cpu1, err := p.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	c.cpu = cpu1 - cpu0
	return r.Evaluate(responses), c
}

// daily evaluates a rule every day at midnight from firstEval to lastEval and returns each evaluation's results;
// it logs the slowest evaluation and fails when one used more CPU time than Grafana's evaluation timeout.
func daily(t *testing.T, p *host.Plugin, r alerting.Rule) [][]alerting.Result {
	t.Helper()
	var out [][]alerting.Result
	var slowest cost
	for at := firstEval; !at.After(lastEval); at = at.AddDate(0, 0, 1) {
		results, c := evaluate(t, p, r, at)
		slowest = cost{wall: max(slowest.wall, c.wall), cpu: max(slowest.cpu, c.cpu)}
		out = append(out, results)
	}
	t.Logf("rule %s: %d daily evaluations, slowest %s wall, %s CPU", r.UID, len(out), slowest.wall.Round(time.Millisecond), slowest.cpu)
	// CPU / cores is a lower bound of the wall time (see evaluationTimeout): beyond the timeout, no run can meet it.
	if slowest.cpu/time.Duration(runtime.NumCPU()) >= evaluationTimeout {
		t.Errorf("rule %s: an evaluation used %s of CPU, beyond Grafana's %s evaluation timeout", r.UID, slowest.cpu, evaluationTimeout)
	}
	return out
}

// timeline runs daily results through a state manager for r and returns, per instance ("label=value, …"), its
// state at every evaluation (Normal before its first appearance).
func timeline(t *testing.T, r alerting.Rule, evaluations [][]alerting.Result) map[string][]string {
	t.Helper()
	m := alerting.NewManager(r)
	out := map[string][]string{}
	for n, results := range evaluations {
		at := firstEval.AddDate(0, 0, n)
		for _, inst := range m.Process(results, at) {
			if inst.State == alerting.Error {
				t.Errorf("rule %s at %s: instance %s errored: %v", r.UID, at.Format("01-02"), inst.Labels, inst.Err)
			}
			key := inst.Labels.String()
			for len(out[key]) < n {
				out[key] = append(out[key], alerting.Normal)
			}
			out[key] = append(out[key], inst.State)
		}
	}
	return out
}

// alertingDays lists the evaluation days (MM-DD) on which an instance was Alerting.
func alertingDays(states []string) []string {
	var out []string
	for i, s := range states {
		if s == alerting.Alerting {
			out = append(out, firstEval.AddDate(0, 0, i).Format("01-02"))
		}
	}
	return out
}

// evalDays lists the midnight evaluation days (MM-DD) in [from, to] (to zero: through lastEval).
func evalDays(from, to time.Time) []string {
	if to.IsZero() || to.After(lastEval) {
		to = lastEval
	}
	if from.Before(firstEval) {
		from = firstEval
	}
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("01-02"))
	}
	return out
}

// The churn drift rule, evaluated every day at midnight: the evaluation at day D reads the last complete
// window, D−1 (last non-null value, threshold 0.1). monthly_charges (the price rise from its first day) is
// Normal through the evaluation of the incident's first day and Alerting from the next evaluation on, every
// day; total_charges is computed from it and may follow, but never before; every other churn feature stays
// Normal throughout.
func TestDriftRuleOverTheDemoTimeline(t *testing.T) {
	p := startPlugin(t)
	r := provisionedRule(t, "mm-churn-feature-drift")
	evaluations := daily(t, p, r)
	states := timeline(t, r, evaluations)
	var inc demo.Incident
	for _, i := range demo.Incidents {
		if i.Model == "churn" && i.Kind == demo.KindCovariateDrift {
			inc = i
		}
	}
	if len(states) < 20 {
		t.Fatalf("%d instances, want one per churn feature", len(states))
	}
	want := evalDays(inc.From.AddDate(0, 0, 1), time.Time{})
	for key, s := range states {
		got := alertingDays(s)
		switch {
		case strings.Contains(key, "feature=monthly_charges"):
			if !slices.Equal(got, want) {
				t.Errorf("%s Alerting on %v, want %v", key, got, want)
			}
		case strings.Contains(key, "feature=total_charges"):
			if len(got) > 0 && got[0] < want[0] {
				t.Errorf("%s Alerting on %v, before the price rise", key, got)
			}
		case len(got) > 0:
			t.Errorf("%s (unchanged feature) Alerting on %v", key, got)
		}
	}

	// The same evaluations under a 48 h pending period: monthly_charges is Pending at the evaluations of the
	// first two drifting days and Alerting from the third, when 48 h have passed since it became Pending.
	r.For = 48 * time.Hour
	for key, s := range timeline(t, r, evaluations) {
		if !strings.Contains(key, "feature=monthly_charges") {
			continue
		}
		first := slices.Index(evalDays(firstEval, time.Time{}), want[0])
		if got := strings.Join(s[first:first+3], " "); got != "Pending Pending Alerting" || !slices.Equal(alertingDays(s), want[2:]) {
			t.Errorf("for 48h: %s from %s, Alerting on %v; want Pending Pending Alerting, then Alerting on %v", got, want[0], alertingDays(s), want[2:])
		}
	}
}

// The fleet diagnosis rule evaluated every day at midnight. Its query returns each verdict's breach signal with
// hysteresis 2 (on after two consecutive days, off after two clear days), so a cause whose verdict holds on days
// S…E is Alerting at the evaluations of S+2 … E+2 (the evaluation of day D reads window D−1). Causes read from
// inputs (covariate shift, pipeline breaks) follow that exactly; causes read from labels (concept drift, prior
// shift) can only be seen once the labels have arrived, so they start Alerting between S+2 and S+2 plus the
// model's longest label delay, and then hold to the end. Every other (model, cause) stays Normal throughout.
func TestDiagnosisRuleOverTheDemoTimeline(t *testing.T) {
	p := startPlugin(t)
	r := provisionedRule(t, "mm-fleet-diagnosis")
	states := timeline(t, r, daily(t, p, r))
	specs := map[string]demo.ModelSpec{}
	for _, m := range demo.Models() {
		specs[m.ID] = m
	}
	exact := map[string][]string{}
	lagged := map[string]struct {
		from time.Time
		lag  time.Duration
	}{}
	for _, i := range demo.Incidents {
		from, to, _ := i.Window(demo.DefaultStart, demo.DefaultDays)
		start := from.AddDate(0, 0, 2)
		switch i.Kind {
		case demo.KindCovariateDrift:
			exact[i.Model+"/covariate_shift"] = append(exact[i.Model+"/covariate_shift"], evalDays(start, endOf(to))...)
		case demo.KindNullFlood, demo.KindUnitChange:
			exact[i.Model+"/pipeline_break"] = append(exact[i.Model+"/pipeline_break"], evalDays(start, endOf(to))...)
		case demo.KindConceptDrift:
			lagged[i.Model+"/concept_drift"] = struct {
				from time.Time
				lag  time.Duration
			}{start, specs[i.Model].LabelDelay.Max}
		case demo.KindPriorShift:
			lagged[i.Model+"/prior_shift"] = struct {
				from time.Time
				lag  time.Duration
			}{start, specs[i.Model].LabelDelay.Max}
		}
	}
	seen := map[string]bool{}
	for key, s := range states {
		id := instanceID(key)
		seen[id] = true
		got := alertingDays(s)
		if len(got) > 0 {
			t.Logf("%s Alerting on %v", id, got)
		}
		if want, ok := exact[id]; ok {
			if !slices.Equal(got, want) {
				t.Errorf("%s Alerting on %v, want %v", id, got, want)
			}
			continue
		}
		if l, ok := lagged[id]; ok {
			latest := l.from.Add(l.lag).Truncate(24*time.Hour).AddDate(0, 0, 1)
			if len(got) == 0 || got[0] < l.from.Format("01-02") || got[0] > latest.Format("01-02") || !slices.Equal(got, evalDays(parseDay(got[0]), time.Time{})) {
				t.Errorf("%s Alerting on %v, want every day from a day in %s … %s on", id, got, l.from.Format("01-02"), latest.Format("01-02"))
			}
			continue
		}
		if len(got) > 0 {
			t.Errorf("%s (no incident) Alerting on %v", id, got)
		}
	}
	for id := range exact {
		if !seen[id] {
			t.Errorf("no instance for %s", id)
		}
	}
	for id := range lagged {
		if !seen[id] {
			t.Errorf("no instance for %s", id)
		}
	}
}

// endOf is the last evaluation day an incident ending at to (exclusive) is still Alerting under hysteresis 2:
// its last day E = to−1 clears at E+2, so the evaluation of E+2 = to+1 still reads window E+1 as on.
func endOf(to time.Time) time.Time {
	if !to.Before(lastEval) {
		return time.Time{}
	}
	return to.AddDate(0, 0, 1)
}

// instanceID is "model/cause" of a diagnosis instance's labels string.
func instanceID(labels string) string {
	var model, cause string
	for _, kv := range strings.Split(labels, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "model":
			model = v
		case "cause":
			cause = v
		}
	}
	return fmt.Sprintf("%s/%s", model, cause)
}

func parseDay(mmdd string) time.Time {
	d, _ := time.Parse("2006-01-02", firstEval.Format("2006-")+mmdd)
	return d
}

// An evaluation in the middle of a day reads a partial last window (half a day of logs). It must decide as the
// midnight evaluation of the same day did: a partial window is neither a drift nor a pipeline break, nor a drop in
// volume (it expects the reference windows' rows in the same elapsed span), and a window whose labels have not arrived
// reads null (undecided) for concept drift and prior shift rather than clearing them, so the rule's reduce (last,
// dropNN) reads the latest window that decided, as at midnight. The days are chosen away from every
// incident's first and last day, where the partial window could legitimately already show the change.
func TestMidDayEvaluationDoesNotFireOnThePartialWindow(t *testing.T) {
	p := startPlugin(t)
	for _, uid := range []string{"mm-churn-feature-drift", "mm-fleet-diagnosis"} {
		t.Run(uid, func(t *testing.T) {
			r := provisionedRule(t, uid)
			for _, day := range []time.Time{firstEval.AddDate(0, 0, 2), firstEval.AddDate(0, 0, 22), firstEval.AddDate(0, 0, 25)} {
				midnight, _ := evaluate(t, p, r, day)
				midday, _ := evaluate(t, p, r, day.Add(12*time.Hour))
				want := map[string]string{}
				for _, res := range midnight {
					want[res.Labels.String()] = res.State
				}
				for _, res := range midday {
					if key := res.Labels.String(); res.State != want[key] {
						t.Errorf("%s 12:00: %s is %s (value %s), at 00:00 it was %s", day.Format("01-02"), key, res.State,
							fmtValue(res.Value), want[key])
					}
				}
			}
		})
	}
}

func fmtValue(x *float64) string {
	if x == nil {
		return "null"
	}
	return fmt.Sprint(*x)
}
