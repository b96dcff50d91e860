package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// Layouts of the same data: the settings change applied to each engine's data source.
var layouts = map[string]func(*settings.Settings){
	"wide": func(*settings.Settings) {},
	// features in one MAP (DuckDB) / JSONB (PostgreSQL) column
	"map": func(c *settings.Settings) { c.Table, c.FeatureMapColumn = "map_log", "features" },
	// labels in the log row instead of the labels table
	"labelColumn": func(c *settings.Settings) { c.Table, c.LabelColumn, c.LabelsTable = "labelled_log", "label", "" },
}

var (
	start   = demo.DefaultStart
	week1   = map[string]any{"type": "range", "from": start, "to": start.AddDate(0, 0, 7)}
	curFrom = start.AddDate(0, 0, 7)
	curTo   = start.AddDate(0, 0, demo.DefaultDays)
)

// conformanceCase is one query run on every engine.
type conformanceCase struct {
	name, layout string
	query        map[string]any
	from, to     time.Time // zero: curFrom, curTo
}

// cases cover every query type with representative options; a reference week (range) unless they say otherwise.
var cases = []conformanceCase{
	{name: "drift auto, churn, daily", query: map[string]any{"queryType": "drift", "model": "churn", "metric": "auto", "window": "1d"}},
	{name: "drift psi, trailing reference", query: map[string]any{"queryType": "drift", "model": "churn", "metric": "psi", "window": "1d",
		"reference": map[string]any{"type": "trailing", "windows": 3}}},
	{name: "drift ks, training-set table reference", query: map[string]any{"queryType": "drift", "model": "churn", "metric": "ks", "window": "1w",
		"reference": map[string]any{"type": "table", "table": "training_set"}}},
	{name: "drift wasserstein and chi-square, segment filter", query: map[string]any{"queryType": "drift", "model": "churn", "metric": "wasserstein",
		"window": "1w", "segment": map[string]any{"column": "region", "value": "EU"}}},
	{name: "drift js, segment split", query: map[string]any{"queryType": "drift", "model": "churn", "metric": "js", "window": "1w",
		"features": []string{"monthly_charges", "contract_type"}, "segment": map[string]any{"column": "channel", "split": true}}},
	{name: "drift of the fleet, weekly", query: map[string]any{"queryType": "drift", "model": "", "metric": "auto", "window": "1w"}},
	{name: "drift, dynamic threshold", query: map[string]any{"queryType": "drift", "model": "upsell_eu", "metric": "psi", "window": "1d",
		"thresholds": map[string]any{"mode": "trailing", "k": 3, "history": 5, "hysteresis": 2}}},
	{name: "drift heatmap", query: map[string]any{"queryType": "driftHeatmap", "model": "churn", "window": "1d"}},
	{name: "distribution numeric", query: map[string]any{"queryType": "distribution", "model": "churn", "features": []string{"monthly_charges"}, "metric": "psi"}},
	{name: "distribution categorical", query: map[string]any{"queryType": "distribution", "model": "churn", "features": []string{"contract_type"}, "metric": "psi"}},
	{name: "data quality, one model", query: map[string]any{"queryType": "dataQuality", "model": "upsell_eu", "window": "1d"}},
	{name: "data quality, fleet", query: map[string]any{"queryType": "dataQuality", "model": "", "window": "1w"}},
	{name: "performance binary, threshold 0.3", query: map[string]any{"queryType": "performance", "model": "churn", "window": "1w", "decisionThreshold": 0.3}},
	{name: "performance multiclass", query: map[string]any{"queryType": "performance", "model": "support_ticket_router", "window": "1w"}},
	{name: "performance regression", query: map[string]any{"queryType": "performance", "model": "ltv_forecast", "window": "1w"}},
	{name: "performance of the fleet", query: map[string]any{"queryType": "performance", "model": "", "window": "1w"}},
	{name: "estimated performance (CBPE)", query: map[string]any{"queryType": "estimatedPerformance", "model": "churn", "window": "1w"}},
	{name: "estimated performance multiclass", query: map[string]any{"queryType": "estimatedPerformance", "model": "support_ticket_router", "window": "1w"}},
	{name: "diagnosis of the fleet", query: map[string]any{"queryType": "diagnosis", "model": "", "window": "1w"}},
	{name: "map features: drift", layout: "map", query: map[string]any{"queryType": "drift", "model": "churn", "metric": "auto", "window": "1d"}},
	{name: "map features: data quality", layout: "map", query: map[string]any{"queryType": "dataQuality", "model": "upsell_eu", "window": "1d"}},
	{name: "map features: distribution", layout: "map", query: map[string]any{"queryType": "distribution", "model": "churn", "features": []string{"contract_type"}, "metric": "psi"}},
	{name: "label column: performance", layout: "labelColumn", query: map[string]any{"queryType": "performance", "model": "churn", "window": "1w"}},
	{name: "label column: diagnosis", layout: "labelColumn", query: map[string]any{"queryType": "diagnosis", "model": "credit_risk_na", "window": "1w"}},
	{name: "bad input: unknown model", query: map[string]any{"queryType": "drift", "model": "nosuchmodel", "window": "1d"}},
	{name: "bad input: unknown feature", query: map[string]any{"queryType": "drift", "model": "churn", "features": []string{"nosuch"}, "window": "1d"}},
	{name: "bad input: missing reference table", query: map[string]any{"queryType": "drift", "model": "churn", "window": "1d",
		"reference": map[string]any{"type": "table", "table": "nosuch_table"}}},
	{name: "empty range", query: map[string]any{"queryType": "drift", "model": "churn", "window": "1d"}, from: start.AddDate(1, 0, 0), to: start.AddDate(1, 0, 7)},
}

// The same query gives the same frames on every engine.
func TestConformance(t *testing.T) {
	pgtest.Need(t)
	ref := engines[0].name
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			results := map[string]backend.DataResponse{}
			var took []string
			for _, e := range engines {
				cfg, ok := configs[e.name]
				if !ok {
					continue // skipped: no server (TestMain said why)
				}
				layouts[c.layout](&cfg)
				began := time.Now()
				results[e.name] = runQuery(t, cfg, c)
				took = append(took, fmt.Sprintf("%s %s", e.name, time.Since(began).Round(time.Millisecond)))
			}
			t.Log(strings.Join(took, ", "))
			want := results[ref]
			for _, e := range engines[1:] {
				got, ok := results[e.name]
				if !ok {
					continue
				}
				if (got.Error == nil) != (want.Error == nil) {
					t.Fatalf("%s error %v, %s error %v", ref, want.Error, e.name, got.Error)
				}
				if want.Error != nil {
					if got.Error.Error() != want.Error.Error() {
						t.Errorf("errors differ:\n%s: %v\n%s: %v", ref, want.Error, e.name, got.Error)
					}
					continue
				}
				if diffs := compareFrames(want.Frames, got.Frames); len(diffs) > 0 {
					t.Errorf("%s vs %s: %d differences, first ones:\n%s", ref, e.name, len(diffs), strings.Join(diffs[:min(len(diffs), 15)], "\n"))
				}
			}
		})
	}
}

func init() {
	for i := range cases {
		if cases[i].layout == "" {
			cases[i].layout = "wide"
		}
		if cases[i].from.IsZero() {
			cases[i].from, cases[i].to = curFrom, curTo
		}
		if _, ok := cases[i].query["reference"]; !ok {
			cases[i].query["reference"] = week1
		}
	}
}

// runQuery sends the case's query through a new data source's QueryData, as Grafana would.
func runQuery(t *testing.T, cfg settings.Settings, c conformanceCase) backend.DataResponse {
	t.Helper()
	ds := plugin.New(cfg, nil)
	defer ds.Dispose()
	q := map[string]any{"refId": "A"}
	for k, v := range c.query {
		q[k] = v
	}
	raw, _ := json.Marshal(q)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: c.query["queryType"].(string), JSON: raw, TimeRange: backend.TimeRange{From: c.from, To: c.to},
		Interval: time.Minute, MaxDataPoints: 1000}}})
	if err != nil {
		t.Fatalf("QueryData: %v", err)
	}
	return resp.Responses["A"]
}

// compareFrames lists the differences between two frame lists, read as their JSON (schema, labels, meta and
// values): numbers within tolerance, everything else equal, the executed SQL ignored.
func compareFrames(want, got data.Frames) []string {
	var diffs []string
	if len(want) != len(got) {
		return []string{fmt.Sprintf("%d frames, want %d: %v vs %v", len(got), len(want), frameNames(got), frameNames(want))}
	}
	for i := range want {
		w, g := frameJSON(want[i]), frameJSON(got[i])
		diffs = append(diffs, compareJSON(fmt.Sprintf("frame %d %q", i, want[i].Name), w, g)...)
	}
	return diffs
}

func frameNames(fs data.Frames) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// frameJSON is a frame as generic JSON, without the executed SQL.
func frameJSON(f *data.Frame) any {
	b, err := json.Marshal(f)
	if err != nil {
		return err.Error()
	}
	var v any
	_ = json.Unmarshal(b, &v)
	if m, ok := v.(map[string]any); ok {
		if s, ok := m["schema"].(map[string]any); ok {
			if meta, ok := s["meta"].(map[string]any); ok {
				delete(meta, "executedQueryString")
			}
		}
	}
	return v
}

func compareJSON(path string, want, got any) []string {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		if !ok || !closeEnough(w, g) {
			return []string{fmt.Sprintf("%s: %v, want %v", path, got, want)}
		}
		return nil
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", path, got)}
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, compareJSON(path+"."+k, w[k], g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %s, want %d elements", path, short(got), len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			return []string{fmt.Sprintf("%s: %s, want %s", path, short(got), short(want))}
		}
		return nil
	}
}

func closeEnough(a, b float64) bool {
	return a == b || math.Abs(a-b) <= tolerance*math.Max(math.Abs(a), math.Abs(b))
}

func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
