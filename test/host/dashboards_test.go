package host_test

import (
	"context"
	"fmt"
	"github.com/aiops/modelmonitor/pkg/demo"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/test/host"
)

// Every panel of every provisioned dashboard, its variables at the dashboard's current values, is sent to the
// plugin as one request per panel, as Grafana's front end sends it (all the panel's targets, the dashboard's
// range, maxDataPoints the panel width and intervalMs range / width): each target answers without error, with
// at least one value, and every frame of an alertable query type (all but driftHeatmap and distribution) is
// typed as a dataplane time series (Meta.Type timeseries-*), which is what alerting keys on.
func TestProvisionedDashboardsThroughTheHost(t *testing.T) {
	p := startPlugin(t)
	dashboards, err := host.LoadDashboards("../../provisioning/dashboards/json/*.json", demo.DefaultStart.AddDate(0, 0, demo.DefaultDays))
	if err != nil {
		t.Fatal(err)
	}
	for _, dash := range dashboards {
		for _, panel := range dash.Panels {
			queries, err := dash.Queries(panel)
			if err != nil {
				t.Fatal(err)
			}
			where := fmt.Sprintf("%s, panel %q", dash.File, panel.Title)
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
