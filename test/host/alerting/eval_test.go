package alerting

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// tsMulti is a dataplane timeseries-multi frame, the shape the plugin's drift series have: a time field and a
// labelled float64 value field.
func tsMulti(labels data.Labels, values ...*float64) *data.Frame {
	times := make([]time.Time, len(values))
	for i := range values {
		times[i] = t0.AddDate(0, 0, i)
	}
	fr := data.NewFrame("", data.NewField("time", nil, times), data.NewField("value", labels, values))
	fr.SetMeta(&data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}})
	return fr
}

func TestFromResponse(t *testing.T) {
	// Time series frames: one series per value field, labels kept, nulls kept.
	v, err := FromResponse(backend.DataResponse{Frames: data.Frames{
		tsMulti(data.Labels{"feature": "a"}, f(1), nil), tsMulti(data.Labels{"feature": "b"}, f(3)),
	}})
	if err != nil || len(v.Series) != 2 || v.Series[0].Labels["feature"] != "a" || len(v.Series[0].Points) != 2 ||
		v.Series[0].Points[1].Value != nil || *v.Series[1].Points[0].Value != 3 {
		t.Errorf("timeseries-multi: %+v %v", v, err)
	}
	// No frames, or one frame without fields: no data.
	for _, r := range []backend.DataResponse{{}, {Frames: data.Frames{data.NewFrame("empty")}}} {
		if v, err := FromResponse(r); err != nil || !v.NoData {
			t.Errorf("no data: %+v %v", v, err)
		}
	}
	// A long frame (time, string label column, number) is not a wide series.
	long := data.NewFrame("", data.NewField("time", nil, []time.Time{t0, t0}),
		data.NewField("feature", nil, []string{"a", "b"}), data.NewField("value", nil, []float64{1, 2}))
	if _, err := FromResponse(backend.DataResponse{Frames: data.Frames{long}}); !errors.Is(err, ErrSeriesMustBeWide) || !strings.Contains(err.Error(), "long") {
		t.Errorf("long frame: %v, want %q … long", err, ErrSeriesMustBeWide)
	}
	// A numeric table: one number column, string columns become labels.
	table := data.NewFrame("", data.NewField("model", nil, []string{"churn", "fraud"}), data.NewField("score", nil, []*float64{f(0.3), nil}))
	v, err = FromResponse(backend.DataResponse{Frames: data.Frames{table}})
	if err != nil || len(v.Numbers) != 2 || v.Numbers[0].Labels["model"] != "churn" || *v.Numbers[0].Value != 0.3 || v.Numbers[1].Value != nil {
		t.Errorf("numeric table: %+v %v", v, err)
	}
	// numeric-multi frames: one number per number field.
	num := data.NewFrame("", data.NewField("value", data.Labels{"model": "churn"}, []float64{2}))
	num.SetMeta(&data.FrameMeta{Type: data.FrameTypeNumericMulti, TypeVersion: data.FrameTypeVersion{0, 1}})
	if v, err := FromResponse(backend.DataResponse{Frames: data.Frames{num}}); err != nil || len(v.Numbers) != 1 || *v.Numbers[0].Value != 2 || v.Numbers[0].Labels["model"] != "churn" {
		t.Errorf("numeric-multi: %+v %v", v, err)
	}
	// An error response is that error.
	if _, err := FromResponse(backend.ErrDataResponse(backend.StatusBadRequest, "unknown model")); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Errorf("error response: %v", err)
	}
}

// rule is the shape of the provisioned rules: A (data source), B = reduce last dropNN, C = threshold gt 0.1.
func rule() Rule {
	r := Rule{UID: "r", Condition: "C", NoDataState: "NoData", ExecErrState: "Error", Interval: time.Hour, Data: []Query{
		{RefID: "A", DatasourceUID: "ds", Model: map[string]any{"queryType": "drift"}},
		{RefID: "B", DatasourceUID: ExpressionUID, Model: map[string]any{"type": "reduce", "expression": "A", "reducer": "last",
			"settings": map[string]any{"mode": "dropNN"}}},
		{RefID: "C", DatasourceUID: ExpressionUID, Model: map[string]any{"type": "threshold", "expression": "B",
			"conditions": []any{map[string]any{"evaluator": map[string]any{"type": "gt", "params": []any{0.1}}}}}},
	}}
	return r
}

func states(results []Result) string {
	var s []string
	for _, r := range results {
		s = append(s, r.Labels.String()+"="+r.State)
	}
	return strings.Join(s, " ")
}

// The condition becomes one result per instance; the expected states follow from last-non-null > 0.1.
func TestEvaluate(t *testing.T) {
	frames := data.Frames{
		tsMulti(data.Labels{"f": "up"}, f(0.05), f(0.2)),   // last 0.2 → Alerting
		tsMulti(data.Labels{"f": "down"}, f(0.3), f(0.05)), // last 0.05 → Normal
		tsMulti(data.Labels{"f": "lateNull"}, f(0.2), nil), // dropNN: last 0.2 → Alerting
		tsMulti(data.Labels{"f": "allNull"}, nil, nil),     // dropNN: null → NoData
		tsMulti(data.Labels{"f": "equal"}, f(0.1)),         // 0.1 is not > 0.1 → Normal
	}
	got := states(rule().Evaluate(map[string]backend.DataResponse{"A": {Frames: frames}}))
	want := "f=up=Alerting f=down=Normal f=lateNull=Alerting f=allNull=NoData f=equal=Normal"
	if got != want {
		t.Errorf("states %s, want %s", got, want)
	}

	// Error response → one Error result carrying the plugin's message.
	res := rule().Evaluate(map[string]backend.DataResponse{"A": backend.ErrDataResponse(backend.StatusBadRequest, "unknown model x")})
	if len(res) != 1 || res[0].State != Error || !strings.Contains(res[0].Err.Error(), "unknown model x") {
		t.Errorf("error response: %+v", res)
	}
	// No frames → NoData labelled with the data source and query.
	if got := states(rule().Evaluate(map[string]backend.DataResponse{"A": {}})); got != "datasource_uid=ds, ref_id=A=NoData" {
		t.Errorf("no data: %s", got)
	}
	// Two series with the same labels → one Error.
	res = rule().Evaluate(map[string]backend.DataResponse{"A": {Frames: data.Frames{tsMulti(data.Labels{"f": "a"}, f(1)), tsMulti(data.Labels{"f": "a"}, f(0))}}})
	if len(res) != 1 || res[0].State != Error || !strings.Contains(res[0].Err.Error(), "duplicate results with labels {f=a}") {
		t.Errorf("duplicate labels: %+v", res)
	}
	// A long frame → Error naming the wide-series rule.
	long := data.NewFrame("", data.NewField("time", nil, []time.Time{t0}), data.NewField("f", nil, []string{"a"}), data.NewField("v", nil, []float64{1}))
	res = rule().Evaluate(map[string]backend.DataResponse{"A": {Frames: data.Frames{long}}})
	if len(res) != 1 || res[0].State != Error || !errors.Is(res[0].Err, ErrSeriesMustBeWide) {
		t.Errorf("long frame: %+v", res)
	}
	// A condition on the series itself (no reduce) → Error.
	r := rule()
	r.Condition = "A"
	if res := r.Evaluate(map[string]backend.DataResponse{"A": {Frames: frames}}); len(res) != 1 || res[0].State != Error || !strings.Contains(res[0].Err.Error(), "only reduced data") {
		t.Errorf("series condition: %+v", res)
	}
	// A missing response → Error.
	if res := rule().Evaluate(nil); len(res) != 1 || res[0].State != Error {
		t.Errorf("missing response: %+v", res)
	}
}

// The state manager over a sequence of hourly evaluations of one instance, for each noDataState /
// execErrState and a 2h pending period; expected sequences worked by hand from Grafana's state rules.
func TestManager(t *testing.T) {
	l := data.Labels{"f": "x"}
	seq := func(r Rule, results ...string) string {
		m := NewManager(r)
		var out []string
		for i, s := range results {
			res := []Result{{Labels: l, State: s}}
			if s == Error {
				res[0].Labels = nil // Grafana's error result has no instance labels
			}
			for _, inst := range m.Process(res, t0.Add(time.Duration(i)*time.Hour)) {
				if inst.Labels.String() == res[0].Labels.String() {
					out = append(out, inst.State)
				}
			}
		}
		return strings.Join(out, " ")
	}
	r := rule()
	r.For = 2 * time.Hour
	if got := seq(r, Alerting, Alerting, Alerting, Normal, Alerting); got != "Pending Pending Alerting Normal Pending" {
		t.Errorf("for 2h: %s", got)
	}
	r.For = 0
	if got := seq(r, Normal, Alerting, Normal); got != "Normal Alerting Normal" {
		t.Errorf("for 0: %s", got)
	}
	for setting, want := range map[string]string{"NoData": "Alerting NoData", "OK": "Alerting Normal", "Alerting": "Alerting Alerting", "KeepLast": "Alerting Alerting"} {
		r := rule()
		r.NoDataState = setting
		if got := seq(r, Alerting, NoData); got != want {
			t.Errorf("noDataState %s: %s, want %s", setting, got, want)
		}
	}
	r = rule()
	r.For = 2 * time.Hour
	if got := seq(r, Error, Error); got != "Error Error" {
		t.Errorf("execErrState Error with for 2h: %s, want Error at once", got)
	}
	r.ExecErrState = "Alerting"
	if got := seq(r, Error, Error, Error); got != "Pending Pending Alerting" {
		t.Errorf("execErrState Alerting with for 2h: %s", got)
	}

	// An instance no longer returned is resolved after two intervals, then forgotten.
	m := NewManager(rule())
	m.Process([]Result{{Labels: l, State: Alerting}}, t0)
	if got := m.Process(nil, t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("missing for one interval: %+v", got)
	}
	got := m.Process(nil, t0.Add(2*time.Hour))
	if len(got) != 1 || got[0].State != Normal || got[0].Reason != "MissingSeries" {
		t.Errorf("missing for two intervals: %+v", got)
	}
	if got := m.Process(nil, t0.Add(3*time.Hour)); len(got) != 0 {
		t.Errorf("resolved instance kept: %+v", got)
	}
}

// The provisioned rules load with their group interval and Grafana's defaults, and use only the expressions
// this package evaluates.
func TestLoadProvisionedRules(t *testing.T) {
	rules, err := LoadRules("../../../provisioning/alerting/drift-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("%d rules, want 2", len(rules))
	}
	for _, r := range rules {
		if r.Interval != time.Hour || r.For != 0 || r.NoDataState != "OK" || r.ExecErrState != "Error" || len(r.DataSourceQueries()) != 1 {
			t.Errorf("rule %s: interval %s, for %s, noData %s, execErr %s, %d queries", r.UID, r.Interval, r.For, r.NoDataState, r.ExecErrState, len(r.DataSourceQueries()))
		}
		if from, to := r.Data[0].TimeRange(t0); to != t0 || t0.Sub(from) != 28*24*time.Hour {
			t.Errorf("rule %s: range %s – %s, want the 28 days before %s", r.UID, from, to, t0)
		}
		for _, q := range r.Data[1:] {
			if typ := q.Model["type"]; typ != "reduce" && typ != "threshold" {
				t.Errorf("rule %s uses expression %v", r.UID, typ)
			}
		}
	}
}
