package alerting

import (
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Instance is the state of one alert instance (a label set of one rule) after an evaluation.
type Instance struct {
	Labels data.Labels
	State  string // Normal, Pending, Alerting, NoData or Error
	// Reason says why the state differs from the result: "NoData", "Error" (mapped by noDataState /
	// execErrState), "MissingSeries" (resolved because the instance is no longer returned).
	Reason string
	// StartsAt is when the current state began (for Pending: when the pending period started).
	StartsAt, LastEvaluated time.Time
	Value                   *float64
	Err                     error
}

// Manager keeps the instances of one rule across evaluations, as Grafana's state manager does.
type Manager struct {
	rule      Rule
	instances map[string]*Instance
}

// NewManager starts a rule with no instances.
func NewManager(r Rule) *Manager { return &Manager{rule: r, instances: map[string]*Instance{}} }

// Process applies one evaluation's results at time at and returns every instance that changed or was
// evaluated, sorted by labels. Per result:
//   - Normal: Normal.
//   - Alerting: Alerting at once without a pending period; otherwise Pending first, and Alerting once the
//     instance has been Pending for at least `for` (measured from the first Pending evaluation).
//   - NoData: by noDataState: NoData, Alerting (as above, reason NoData), OK (Normal) or KeepLast (the
//     previous state, Normal for a new instance).
//   - Error: by execErrState: Error at once, Alerting (as above, reason Error), OK (Normal) or KeepLast.
//
// An instance that is not in the results and was last evaluated two or more intervals ago is resolved
// (Normal, reason MissingSeries) and forgotten, as Grafana resolves stale series.
func (m *Manager) Process(results []Result, at time.Time) []Instance {
	seen := map[string]bool{}
	var out []Instance
	for _, res := range results {
		key := res.Labels.String()
		seen[key] = true
		inst, ok := m.instances[key]
		if !ok {
			inst = &Instance{Labels: res.Labels, State: Normal, StartsAt: at}
			m.instances[key] = inst
		}
		inst.Value, inst.Err, inst.LastEvaluated = res.Value, res.Err, at
		m.apply(inst, res.State, at)
		out = append(out, *inst)
	}
	for key, inst := range m.instances {
		if !seen[key] && at.Sub(inst.LastEvaluated) >= 2*m.rule.Interval {
			inst.set(Normal, "MissingSeries", at)
			out = append(out, *inst)
			delete(m.instances, key)
		}
	}
	slices.SortFunc(out, func(a, b Instance) int { return strings.Compare(a.Labels.String(), b.Labels.String()) })
	return out
}

// apply moves an instance by one result state.
func (m *Manager) apply(inst *Instance, result string, at time.Time) {
	switch result {
	case Normal:
		inst.set(Normal, "", at)
	case Alerting:
		m.alerting(inst, "", at)
	case NoData:
		m.mapped(inst, m.rule.NoDataState, NoData, at)
	case Error:
		m.mapped(inst, m.rule.ExecErrState, Error, at)
	}
}

// mapped applies noDataState or execErrState (setting) to a NoData or Error result (kind).
func (m *Manager) mapped(inst *Instance, setting, kind string, at time.Time) {
	switch setting {
	case Alerting:
		m.alerting(inst, kind, at)
	case "OK":
		inst.set(Normal, kind, at)
	case "KeepLast":
		inst.Reason = kind
	default: // NoData / Error: the state of the same name
		inst.set(kind, "", at)
	}
}

// alerting is Grafana's resultAlerting: stay Alerting; leave Pending once `for` has passed; else start
// Pending (for > 0) or alert at once.
func (m *Manager) alerting(inst *Instance, reason string, at time.Time) {
	switch inst.State {
	case Alerting:
		inst.Reason = reason
	case Pending:
		if at.Sub(inst.StartsAt) >= m.rule.For {
			inst.set(Alerting, reason, at)
		}
	default:
		if m.rule.For > 0 {
			inst.set(Pending, reason, at)
		} else {
			inst.set(Alerting, reason, at)
		}
	}
}

// set changes the state; StartsAt moves only when the state changes.
func (i *Instance) set(state, reason string, at time.Time) {
	if i.State != state {
		i.StartsAt = at
	}
	i.State, i.Reason = state, reason
}
