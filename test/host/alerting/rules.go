package alerting

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// ExpressionUID is the datasourceUid of server-side expressions in a rule's data.
const ExpressionUID = "__expr__"

// Query is one entry of a rule's data: a data source query or an expression.
type Query struct {
	RefID     string `yaml:"refId"`
	QueryType string `yaml:"queryType"`
	// RelativeTimeRange is in seconds before the evaluation time (Grafana's RelativeTimeRange).
	RelativeTimeRange struct {
		From int64 `yaml:"from"`
		To   int64 `yaml:"to"`
	} `yaml:"relativeTimeRange"`
	DatasourceUID string         `yaml:"datasourceUid"`
	Model         map[string]any `yaml:"model"`
}

// TimeRange is the absolute range of a data source query evaluated at at.
func (q Query) TimeRange(at time.Time) (from, to time.Time) {
	return at.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second), at.Add(-time.Duration(q.RelativeTimeRange.To) * time.Second)
}

// Rule is one provisioned Grafana-managed alert rule (file provisioning, apiVersion 1).
type Rule struct {
	UID       string            `yaml:"uid"`
	Title     string            `yaml:"title"`
	Condition string            `yaml:"condition"`
	Data      []Query           `yaml:"data"`
	Labels    map[string]string `yaml:"labels"`
	// NoDataState: NoData (Grafana's default), Alerting, OK or KeepLast.
	NoDataState string `yaml:"noDataState"`
	// ExecErrState: Error (Grafana's default), Alerting, OK or KeepLast.
	ExecErrState string `yaml:"execErrState"`
	ForText      string `yaml:"for"`
	// For is the pending period; Interval the rule group's evaluation interval.
	For, Interval time.Duration `yaml:"-"`
}

// LoadRules reads every rule of a provisioning file, with its group's interval and Grafana's defaults filled.
func LoadRules(path string) ([]Rule, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Groups []struct {
			Name     string `yaml:"name"`
			Interval string `yaml:"interval"`
			Rules    []Rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Rule
	for _, g := range file.Groups {
		interval, err := time.ParseDuration(g.Interval)
		if err != nil {
			return nil, fmt.Errorf("%s: group %s: interval %q: %w", path, g.Name, g.Interval, err)
		}
		for _, r := range g.Rules {
			r.Interval = interval
			if r.ForText != "" {
				if r.For, err = time.ParseDuration(r.ForText); err != nil {
					return nil, fmt.Errorf("%s: rule %s: for %q: %w", path, r.UID, r.ForText, err)
				}
			}
			if r.NoDataState == "" {
				r.NoDataState = "NoData"
			}
			if r.ExecErrState == "" {
				r.ExecErrState = "Error"
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// DataSourceQueries are the rule's queries sent to data sources (everything but expressions).
func (r Rule) DataSourceQueries() []Query {
	var out []Query
	for _, q := range r.Data {
		if q.DatasourceUID != ExpressionUID {
			out = append(out, q)
		}
	}
	return out
}

// expression is the part of an expression's model this package evaluates.
type expression struct {
	Type       string `json:"type"`
	Expression string `json:"expression"`
	Reducer    string `json:"reducer"`
	Settings   struct {
		Mode             string  `json:"mode"`
		ReplaceWithValue float64 `json:"replaceWithValue"`
	} `json:"settings"`
	Conditions []struct {
		Evaluator Evaluator `json:"evaluator"`
	} `json:"conditions"`
}

// run evaluates one expression over the values computed so far.
func (q Query) run(values map[string]Value) (Value, error) {
	raw, err := json.Marshal(q.Model)
	if err != nil {
		return Value{}, err
	}
	var e expression
	if err := json.Unmarshal(raw, &e); err != nil {
		return Value{}, fmt.Errorf("expression %s: %w", q.RefID, err)
	}
	in, ok := values[e.Expression]
	if !ok {
		return Value{}, fmt.Errorf("expression %s reads %q, which is not an earlier query or expression", q.RefID, e.Expression)
	}
	switch e.Type {
	case "reduce":
		return Reduce(in, e.Reducer, Mode{Kind: e.Settings.Mode, ReplaceWith: e.Settings.ReplaceWithValue})
	case "threshold":
		if len(e.Conditions) != 1 {
			return Value{}, fmt.Errorf("threshold %s: %d conditions, want 1", q.RefID, len(e.Conditions))
		}
		return Threshold(in, e.Conditions[0].Evaluator)
	}
	return Value{}, fmt.Errorf("expression %s: type %q is not evaluated by this host (reduce and threshold are)", q.RefID, e.Type)
}
