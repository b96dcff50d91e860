package query

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// grafanaKeys are the keys Grafana itself puts in every query's JSON (its DataQuery and the query service's
// common properties): they are not ours to use, and not unknown either.
var grafanaKeys = []string{"refId", "datasource", "datasourceId", "hide", "key", "intervalMs", "maxDataPoints",
	"queryType", "resultAssertions", "timeRange"}

// unknownKeys lists, sorted, the top-level keys of a query's JSON that neither the query model nor Grafana
// defines: a field this data source would otherwise ignore silently (a misspelling, or a data source setting
// written into a query by an older editor). raw must be a JSON object.
func unknownKeys(raw json.RawMessage) []string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	known := map[string]bool{}
	for _, k := range grafanaKeys {
		known[k] = true
	}
	t := reflect.TypeOf(Model{})
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			known[name] = true
		}
	}
	var out []string
	for k := range obj {
		if !known[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
