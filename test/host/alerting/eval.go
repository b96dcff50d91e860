package alerting

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Evaluation states (Grafana's eval.State and state.State names).
const (
	Normal   = "Normal"
	Alerting = "Alerting"
	Pending  = "Pending"
	NoData   = "NoData"
	Error    = "Error"
)

// Result is the condition's outcome for one alert instance at one evaluation.
type Result struct {
	Labels data.Labels
	State  string // Normal, Alerting, NoData or Error
	Value  *float64
	Err    error
}

// Evaluate runs a rule's expressions over its data source responses (by refId) and maps the condition to one
// result per instance, as Grafana's evaluateExecutionResult does:
//   - an error in the condition or anything it depends on: one Error result;
//   - a data source query with no data (IsNoData): one NoData result per data source, labelled datasource_uid
//     and ref_id;
//   - a condition without numbers: one NoData result without labels;
//   - a condition still holding series: an Error ("only reduced data can be alerted on");
//   - per number: null → NoData, 0 → Normal, anything else (NaN included) → Alerting;
//   - two numbers with the same labels: one Error result, since an instance must be identified by its labels.
func (r Rule) Evaluate(responses map[string]backend.DataResponse) []Result {
	values := map[string]Value{}
	errs := map[string]error{}
	noData := map[string][]string{} // datasource uid → refIds with no data
	for _, q := range r.Data {
		if q.DatasourceUID != ExpressionUID {
			resp, ok := responses[q.RefID]
			if !ok {
				errs[q.RefID] = fmt.Errorf("no response for query %s", q.RefID)
				continue
			}
			if resp.Error == nil && IsNoData(resp) {
				noData[q.DatasourceUID] = append(noData[q.DatasourceUID], q.RefID)
			}
			v, err := FromResponse(resp)
			if err != nil {
				errs[q.RefID] = fmt.Errorf("[%s] %w", q.RefID, err)
				continue
			}
			values[q.RefID] = v
			continue
		}
		if dep := q.dependencyError(errs); dep != nil {
			errs[q.RefID] = dep
			continue
		}
		v, err := q.run(values)
		if err != nil {
			errs[q.RefID] = err
			continue
		}
		values[q.RefID] = v
	}
	if err, failed := errs[r.Condition]; failed {
		return []Result{{State: Error, Err: err}}
	}
	if len(noData) > 0 {
		var out []Result
		for _, uid := range slices.Sorted(maps.Keys(noData)) {
			out = append(out, Result{State: NoData, Labels: data.Labels{"datasource_uid": uid, "ref_id": strings.Join(noData[uid], ",")}})
		}
		return out
	}
	cond, ok := values[r.Condition]
	if !ok {
		return []Result{{State: Error, Err: fmt.Errorf("condition %s is not a query or expression of the rule", r.Condition)}}
	}
	if len(cond.Series) > 0 {
		return []Result{{State: Error, Err: fmt.Errorf("invalid format of evaluation results for the alert definition %s: looks like time series data, only reduced data can be alerted on", r.Condition)}}
	}
	if len(cond.Numbers) == 0 {
		return []Result{{State: NoData}}
	}
	seen := map[string]bool{}
	var out []Result
	for _, n := range cond.Numbers {
		key := n.Labels.String()
		if seen[key] {
			return []Result{{State: Error, Labels: n.Labels, Err: fmt.Errorf("frame cannot uniquely be identified by its labels: has duplicate results with labels {%s}", key)}}
		}
		seen[key] = true
		res := Result{Labels: n.Labels, Value: n.Value}
		switch {
		case n.Value == nil:
			res.State = NoData
		case *n.Value == 0:
			res.State = Normal
		default:
			res.State = Alerting
		}
		out = append(out, res)
	}
	return out
}

// dependencyError is the error of the query or expression an expression reads, when that one failed; Grafana
// reports the root cause, not the chain.
func (q Query) dependencyError(errs map[string]error) error {
	input, _ := q.Model["expression"].(string)
	return errs[input]
}
