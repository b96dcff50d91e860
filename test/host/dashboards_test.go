package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/test/host"
)

// panelWidth stands for the maxDataPoints Grafana's front end sends: the panel's width in pixels.
const panelWidth = 1000

// Every panel of every provisioned dashboard, its variables at the dashboard's current values, is sent to the
// plugin as one request per panel, as Grafana's front end sends it (all the panel's targets, the dashboard's
// range, maxDataPoints the panel width and intervalMs range / width): each target answers without error, with
// at least one value, and every frame of an alertable query type (all but driftHeatmap and distribution) is
// typed as a dataplane time series (Meta.Type timeseries-*), which is what alerting keys on.
func TestProvisionedDashboardsThroughTheHost(t *testing.T) {
	p := startPlugin(t)
	files, err := filepath.Glob("../../provisioning/dashboards/json/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no provisioned dashboards: %v", err)
	}
	for _, file := range files {
		var dash struct {
			Time       struct{ From, To time.Time } `json:"time"`
			Templating struct {
				List []struct {
					Name    string `json:"name"`
					Current struct {
						Value string `json:"value"`
					} `json:"current"`
				} `json:"list"`
			} `json:"templating"`
			Panels []struct {
				Title   string            `json:"title"`
				Targets []json.RawMessage `json:"targets"`
			} `json:"panels"`
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &dash); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var vars []string
		for _, v := range dash.Templating.List {
			vars = append(vars, "$"+v.Name, v.Current.Value)
		}
		interval := dash.Time.To.Sub(dash.Time.From) / panelWidth
		for _, panel := range dash.Panels {
			var queries []host.Query
			for i, target := range panel.Targets {
				var model map[string]any
				if err := json.Unmarshal([]byte(strings.NewReplacer(vars...).Replace(string(target))), &model); err != nil {
					t.Fatalf("%s, panel %q: %v", filepath.Base(file), panel.Title, err)
				}
				model["maxDataPoints"], model["intervalMs"] = panelWidth, interval.Milliseconds()
				ref, _ := model["refId"].(string)
				if ref == "" {
					ref = string(rune('A' + i)) // Grafana's front end names targets A, B, …
				}
				queries = append(queries, host.Query{RefID: ref, Model: model, From: dash.Time.From, To: dash.Time.To})
			}
			where := fmt.Sprintf("%s, panel %q", filepath.Base(file), panel.Title)
			responses, err := p.QueryData(context.Background(), demoDataSource(), nil, queries...)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			for _, q := range queries {
				r, ok := responses[q.RefID]
				if !ok || r.Error != nil {
					t.Errorf("%s, %s: response %v, error %v", where, q.RefID, ok, r.Error)
					continue
				}
				if values(r.Frames) == 0 {
					t.Errorf("%s, %s: no values", where, q.RefID)
				}
				alertable := q.Model["queryType"] != "driftHeatmap" && q.Model["queryType"] != "distribution"
				for _, f := range r.Frames {
					typed := f.Meta != nil && f.Meta.Type != ""
					switch {
					case alertable && (!typed || !strings.HasPrefix(string(f.Meta.Type), "timeseries-")):
						t.Errorf("%s, %s: frame %q of an alertable query is not typed timeseries-*", where, q.RefID, f.Name)
					case !typed:
						t.Logf("%s, %s: frame %q has no Meta.Type (its panel reads it by field names)", where, q.RefID, f.Name)
					}
				}
			}
		}
	}
}

// values counts the non-null values of the frames' non-time fields.
func values(frames data.Frames) int {
	n := 0
	for _, f := range frames {
		for _, field := range f.Fields {
			if field.Type().Time() {
				continue
			}
			for i := 0; i < field.Len(); i++ {
				if _, ok := field.ConcreteAt(i); ok {
					n++
				}
			}
		}
	}
	return n
}
