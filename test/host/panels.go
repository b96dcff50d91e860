package host

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// LivePanel is one dashboard panel whose queries go to the plugin, with what a browser needs to render it as
// Grafana would: the panel's type and options, the dashboard's absolute time range and variables, and the
// plugin's answer to the panel's request in the body Grafana's /api/ds/query returns.
type LivePanel struct {
	Dashboard      string         `json:"dashboard"`
	DashboardTitle string         `json:"dashboardTitle"`
	Index          int            `json:"index"`
	Title          string         `json:"title"`
	Type           string         `json:"type"`
	Options        map[string]any `json:"options,omitempty"`
	// Width and Height are the panel's grid size (24 columns; rows of 30 px).
	Width     int               `json:"w"`
	Height    int               `json:"h"`
	From      int64             `json:"from"` // epoch ms
	To        int64             `json:"to"`   // epoch ms
	Variables map[string]string `json:"variables"`
	// QueryMs is the wall time of the panel's QueryData call through the host, in milliseconds.
	QueryMs int64 `json:"queryMs"`
	// Response is backend.QueryDataResponse's JSON: {"results": {"<refId>": {"status": …, "frames": […]}}},
	// the frames in the SDK's data frame JSON, which is what Grafana's /api/ds/query answers the browser.
	Response json.RawMessage `json:"-"`
}

// LivePanels sends the request of every panel of the dashboards whose data source is ds and that keep accepts
// (panels reading another panel's results through "-- Dashboard --" are left out) to the plugin, one request per
// panel as Grafana's front end sends it (Dashboard.Queries), and returns the panels with the responses re-encoded
// as /api/ds/query JSON. A failed call is an error; a query that answers with an error is kept in the response,
// as Grafana passes it on.
func (p *Plugin) LivePanels(ctx context.Context, ds DataSource, dashboards []Dashboard, keep func(Panel) bool) ([]LivePanel, error) {
	var out []LivePanel
	for _, d := range dashboards {
		vars := map[string]string{}
		for _, v := range d.Templating.List {
			vars[v.Name] = v.Current.Value
		}
		for i, panel := range d.Panels {
			if panel.Datasource.UID != ds.UID || len(panel.Targets) == 0 || !keep(panel) {
				continue
			}
			queries, err := d.Queries(panel)
			if err != nil {
				return nil, err
			}
			start := time.Now()
			responses, err := p.QueryData(ctx, ds, nil, queries...)
			if err != nil {
				return nil, fmt.Errorf("%s, panel %q: %w", d.File, panel.Title, err)
			}
			took := time.Since(start)
			body, err := json.Marshal(backend.QueryDataResponse{Responses: responses})
			if err != nil {
				return nil, fmt.Errorf("%s, panel %q: encode the frames as JSON: %w", d.File, panel.Title, err)
			}
			out = append(out, LivePanel{
				Dashboard: d.UID, DashboardTitle: d.Title, Index: i, Title: panel.Title, Type: panel.Type,
				Options: panel.Options, Width: panel.GridPos.W, Height: panel.GridPos.H, From: d.Time.From.UnixMilli(), To: d.Time.To.UnixMilli(), Variables: vars,
				QueryMs: took.Milliseconds(), Response: body,
			})
		}
	}
	return out, nil
}
