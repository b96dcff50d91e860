package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/settings"
)

// openDatasource reads a settings file ({"jsonData": {...}, "secureJsonData": {...}} or the bare jsonData) and
// builds the data source as Grafana's instance manager would.
func openDatasource(path string) (*plugin.Datasource, error) {
	var raw []byte
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	var wrapped struct {
		JSONData       json.RawMessage   `json:"jsonData"`
		SecureJSONData map[string]string `json:"secureJsonData"`
	}
	if len(raw) > 0 {
		var probe any
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, jsonError("settings file "+path, raw, err)
		}
	}
	jsonData := raw
	var secure map[string]string
	if len(raw) > 0 && json.Unmarshal(raw, &wrapped) == nil && len(wrapped.JSONData) > 0 {
		jsonData, secure = wrapped.JSONData, wrapped.SecureJSONData
	}
	cfg, err := settings.Parse(jsonData, secure)
	ds := plugin.New(cfg, err)
	return ds, nil
}

// parseTime reads the RFC 3339 value v of flag --name; an empty value is a missing flag.
func parseTime(name, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, fmt.Errorf("--%s is missing: give it as RFC 3339 (e.g. 2026-10-01T00:00:00Z)", name)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, fmt.Errorf("--%s must be RFC 3339 (e.g. 2026-10-01T00:00:00Z): %w", name, err)
	}
	return t, nil
}

// runQuery prints the body Grafana's /api/ds/query would return for the queries in the --query file (one query
// object or an array of them).
func runQuery(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ExitOnError)
	settingsPath := settingsFlag(fs)
	queryPath := fs.String("query", "", "query JSON file (object or array)")
	from := fs.String("from", "", "range start, RFC 3339")
	to := fs.String("to", "", "range end, RFC 3339")
	interval := fs.Duration("interval", time.Minute, "panel interval (for window: auto)")
	maxDP := fs.Int64("max-data-points", 1000, "panel max data points")
	asJSON := fs.Bool("json", false, "print the /api/ds/query JSON body even on a terminal (it is the default when piped)")
	_ = fs.Parse(args)
	f, err := parseTime("from", *from)
	if err != nil {
		return err
	}
	t, err := parseTime("to", *to)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(*queryPath)
	if err != nil {
		return err
	}
	queries, err := splitQueries(raw)
	if err != nil {
		return jsonError("query file "+*queryPath, raw, err)
	}
	ds, err := openDatasource(*settingsPath)
	if err != nil {
		return err
	}
	defer ds.Dispose()
	req := &backend.QueryDataRequest{PluginContext: backend.PluginContext{PluginID: plugin.PluginID}}
	for i, q := range queries {
		var head struct {
			RefID     string `json:"refId"`
			QueryType string `json:"queryType"`
		}
		_ = json.Unmarshal(q, &head)
		if head.RefID == "" {
			head.RefID = string(rune('A' + i))
		}
		req.Queries = append(req.Queries, backend.DataQuery{RefID: head.RefID, QueryType: head.QueryType, JSON: q,
			TimeRange: backend.TimeRange{From: f, To: t}, Interval: *interval, MaxDataPoints: *maxDP})
	}
	resp, err := ds.QueryData(ctx, req)
	if err != nil {
		return err
	}
	if humanOutput(out, *asJSON) {
		err = writeHuman(out, resp)
	} else {
		err = writeIndented(out, resp)
	}
	if err != nil {
		return err
	}
	return failedQueries(resp)
}

func splitQueries(raw []byte) ([]json.RawMessage, error) {
	trimmed := strings.TrimSpace(string(raw))
	if strings.HasPrefix(trimmed, "[") {
		var qs []json.RawMessage
		if err := json.Unmarshal(raw, &qs); err != nil {
			return nil, err
		}
		return qs, nil
	}
	var q map[string]json.RawMessage
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, err
	}
	return []json.RawMessage{raw}, nil
}

func writeIndented(out io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, string(b))
	return err
}

// runHealth runs the data source's health check (Grafana's "Save & test") and prints its status, message and, when
// the check gives them, its jsonDetails as "details"; an unhealthy data source is an error (exit 1).
func runHealth(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ExitOnError)
	settingsPath := settingsFlag(fs)
	_ = fs.Parse(args)
	ds, err := openDatasource(*settingsPath)
	if err != nil {
		return err
	}
	defer ds.Dispose()
	res, err := ds.CheckHealth(ctx, &backend.CheckHealthRequest{})
	if err != nil {
		return err
	}
	body := map[string]any{"status": res.Status.String(), "message": res.Message}
	if len(res.JSONDetails) > 0 {
		body["details"] = json.RawMessage(res.JSONDetails)
	}
	if err := writeIndented(out, body); err != nil {
		return err
	}
	if res.Status != backend.HealthStatusOk {
		return fmt.Errorf("unhealthy")
	}
	return nil
}

// runResource calls a resource path (e.g. "models", "features?model=churn") and prints its JSON.
func runResource(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("resource", flag.ExitOnError)
	settingsPath := settingsFlag(fs)
	path := fs.String("path", "models", "resource path with query string")
	_ = fs.Parse(args)
	ds, err := openDatasource(*settingsPath)
	if err != nil {
		return err
	}
	defer ds.Dispose()
	p, _, _ := strings.Cut(*path, "?")
	req := &backend.CallResourceRequest{Path: p, Method: http.MethodGet, URL: "/" + strings.TrimPrefix(*path, "/")}
	var status int
	var body []byte
	err = ds.CallResource(ctx, req, backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
		status, body = r.Status, r.Body
		return nil
	}))
	if err != nil {
		return err
	}
	if err := writePretty(out, body); err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("resource %s answered %d", *path, status)
	}
	return nil
}

// settingsFlag defines the -settings flag every command takes: the path of the settings file (not the JSON).
func settingsFlag(fs *flag.FlagSet) *string {
	return fs.String("settings", "", `path of a JSON file with the data source settings (jsonData, or {"jsonData": …, "secureJsonData": …})`)
}
