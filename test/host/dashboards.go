package host

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
)

// PanelWidth stands for the maxDataPoints Grafana's front end sends with a panel's queries: its width in pixels.
const PanelWidth = 1000

// Dashboard is a provisioned dashboard as the host reads it: its time range, its variables' current values
// and its panels' targets.
type Dashboard struct {
	File       string                       `json:"-"`
	UID        string                       `json:"uid"`
	Title      string                       `json:"title"`
	Time       struct{ From, To time.Time } `json:"-"`
	Templating struct {
		List []struct {
			Name    string `json:"name"`
			Current struct {
				Value string `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
	Panels []Panel `json:"panels"`
}

// Panel is one dashboard panel: its targets (query models as saved) and options.
type Panel struct {
	Title      string `json:"title"`
	Type       string `json:"type"`
	Datasource struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []json.RawMessage `json:"targets"`
	// GridPos is the panel's place on the dashboard's 24-column grid (w columns, h rows of 30 px).
	GridPos struct {
		W int `json:"w"`
		H int `json:"h"`
	} `json:"gridPos"`
	// Options are the panel plugin's options as saved.
	Options map[string]any `json:"options"`
}

// LoadDashboards reads every dashboard JSON file matching pattern; a time range relative to now ("now-28d/d")
// is resolved as Grafana's front end does, at now.
func LoadDashboards(pattern string, now time.Time) ([]Dashboard, error) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no dashboards match %s (%v)", pattern, err)
	}
	out := make([]Dashboard, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		d := Dashboard{File: filepath.Base(f)}
		var times struct {
			Time struct{ From, To string } `json:"time"`
		}
		if err := json.Unmarshal(raw, &d); err != nil || json.Unmarshal(raw, &times) != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if d.Time.From, err = query.ResolveTime(times.Time.From, now); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if d.Time.To, err = query.ResolveTime(times.Time.To, now); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Queries are a panel's targets as Grafana's front end sends them in one request: variables replaced by their
// current values, refIds A, B, … where a target has none, the dashboard's range, maxDataPoints the panel width
// and intervalMs the range divided by it.
func (d Dashboard) Queries(p Panel) ([]Query, error) {
	var vars []string
	for _, v := range d.Templating.List {
		vars = append(vars, "$"+v.Name, v.Current.Value)
	}
	interval := d.Time.To.Sub(d.Time.From) / PanelWidth
	out := make([]Query, 0, len(p.Targets))
	for i, target := range p.Targets {
		var model map[string]any
		if err := json.Unmarshal([]byte(strings.NewReplacer(vars...).Replace(string(target))), &model); err != nil {
			return nil, fmt.Errorf("%s, panel %q: %w", d.File, p.Title, err)
		}
		model["maxDataPoints"], model["intervalMs"] = PanelWidth, interval.Milliseconds()
		ref, _ := model["refId"].(string)
		if ref == "" {
			ref = string(rune('A' + i))
		}
		out = append(out, Query{RefID: ref, Model: model, From: d.Time.From, To: d.Time.To})
	}
	return out, nil
}
