package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/useragent"
	"github.com/grafana/grafana-plugin-sdk-go/config"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/aiops/modelmonitor/test/host/alerting"
)

// DataSource is one provisioned data source as Grafana holds it: jsonData as stored (raw, possibly malformed)
// and secureJsonData already decrypted, which is how Grafana puts them into DataSourceInstanceSettings.
type DataSource struct {
	ID             int64
	UID, Name      string
	JSONData       json.RawMessage
	SecureJSONData map[string]string
	// Updated is the settings' version: the SDK's instance manager builds a new instance when it changes.
	Updated time.Time
}

// Query is one panel query as Grafana's query service receives it from /api/ds/query: the query's JSON model
// and the dashboard's absolute time range. intervalMs, maxDataPoints and queryType are read from the model as
// Grafana reads them (defaults 1000 ms and 100 points; pkg/services/query parseMetricRequest).
type Query struct {
	RefID    string
	Model    map[string]any
	From, To time.Time
}

// User is the signed-in user Grafana puts in the plugin context (the provisioned admin).
var User = &backend.User{Login: "admin", Name: "admin", Email: "admin@localhost", Role: "Admin"}

// pluginContext is the PluginContext Grafana sends with every call for a data source instance.
func (p *Plugin) pluginContext(ds DataSource) backend.PluginContext {
	return backend.PluginContext{
		OrgID:         1,
		PluginID:      p.Manifest.ID,
		PluginVersion: p.Manifest.Info.Version,
		User:          User,
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			ID: ds.ID, UID: ds.UID, Name: ds.Name, Type: p.Manifest.ID,
			JSONData: ds.JSONData, DecryptedSecureJSONData: ds.SecureJSONData, Updated: ds.Updated,
		},
		GrafanaConfig: config.NewGrafanaCfg(maps.Clone(p.grafanaCfg)),
		UserAgent:     userAgent(),
	}
}

func userAgent() *useragent.UserAgent {
	ua, _ := useragent.New(GrafanaVersion, "linux", "amd64")
	return ua
}

// dataQuery turns a query model into the DataQuery Grafana sends: refId, queryType, intervalMs, maxDataPoints
// and the time range, the model itself as the JSON.
func dataQuery(refID string, model map[string]any, from, to time.Time, defaultInterval, defaultMaxPoints int64) (backend.DataQuery, error) {
	m := maps.Clone(model)
	m["refId"] = refID
	raw, err := json.Marshal(m)
	if err != nil {
		return backend.DataQuery{}, fmt.Errorf("query %s: %w", refID, err)
	}
	queryType, _ := m["queryType"].(string)
	return backend.DataQuery{
		RefID:         refID,
		QueryType:     queryType,
		MaxDataPoints: numberOr(m["maxDataPoints"], defaultMaxPoints),
		Interval:      time.Duration(numberOr(m["intervalMs"], defaultInterval)) * time.Millisecond,
		TimeRange:     backend.TimeRange{From: from, To: to},
		JSON:          raw,
	}, nil
}

// numberOr reads a JSON number (float64 from encoding/json, int from YAML) or returns def.
func numberOr(v any, def int64) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int:
		return int64(x)
	case int64:
		return x
	}
	return def
}

// QueryData sends the queries of one panel (a dashboard request) to the plugin and returns the decoded
// responses by refId.
func (p *Plugin) QueryData(ctx context.Context, ds DataSource, headers map[string]string, queries ...Query) (map[string]backend.DataResponse, error) {
	req := &backend.QueryDataRequest{PluginContext: p.pluginContext(ds), Headers: headers}
	for _, q := range queries {
		dq, err := dataQuery(q.RefID, q.Model, q.From, q.To, 1000, 100)
		if err != nil {
			return nil, err
		}
		req.Queries = append(req.Queries, dq)
	}
	return p.send(ctx, req)
}

// send runs one QueryData call and decodes the Arrow frames with the SDK.
func (p *Plugin) send(ctx context.Context, req *backend.QueryDataRequest) (map[string]backend.DataResponse, error) {
	res, err := p.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		return nil, p.callErr("QueryData", err)
	}
	out, err := backend.FromProto().QueryDataResponse(res)
	if err != nil {
		return nil, fmt.Errorf("QueryData: decode the plugin's Arrow frames: %w", err)
	}
	return out.Responses, nil
}

// CheckHealth is Grafana's "Save & test" of a data source.
func (p *Plugin) CheckHealth(ctx context.Context, ds DataSource) (*backend.CheckHealthResult, error) {
	res, err := p.diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{
		PluginContext: backend.ToProto().PluginContext(p.pluginContext(ds)),
	})
	if err != nil {
		return nil, p.callErr("CheckHealth", err)
	}
	return backend.FromProto().CheckHealthResponse(res), nil
}

// Resource is the answer to a resource call: HTTP status, headers and the body reassembled from its chunks.
type Resource struct {
	Status  int
	Headers map[string][]string
	Body    []byte
}

// CallResource is a GET of /api/datasources/uid/<uid>/resources/<path>?<query>, as the query editor and
// template variables call it; Grafana streams the plugin's answer back in chunks.
func (p *Plugin) CallResource(ctx context.Context, ds DataSource, path string, query url.Values) (Resource, error) {
	u := path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req := &backend.CallResourceRequest{
		PluginContext: p.pluginContext(ds), Path: path, Method: http.MethodGet, URL: u,
		Headers: map[string][]string{"Accept": {"application/json"}},
	}
	stream, err := p.resource.CallResource(ctx, backend.ToProto().CallResourceRequest(req))
	if err != nil {
		return Resource{}, p.callErr("CallResource", err)
	}
	var out Resource
	for first := true; ; first = false {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if first {
				return out, fmt.Errorf("CallResource %s: the plugin sent no response", path)
			}
			return out, nil
		}
		if err != nil {
			return out, p.callErr("CallResource "+path, err)
		}
		if first {
			r := backend.FromProto().CallResourceResponse(chunk)
			out.Status, out.Headers = r.Status, r.Headers
		}
		out.Body = append(out.Body, chunk.Body...)
	}
}

// Alert query defaults Grafana puts into a rule query's model when it has none (ngalert models.AlertQuery
// setIntervalMS / setMaxDatapoints).
const (
	AlertIntervalMs    = 1000
	AlertMaxDataPoints = 43200
	alertEvaluationOrg = "1"
)

// AlertQueryData sends an alert rule's data source queries as Grafana's alerting engine does when it evaluates
// the rule at time at: each query's relative range made absolute at at, intervalMs and maxDataPoints written
// into the model when absent (1000 ms, 43200), queryType from the rule's data entry (not from the model), and
// the headers of ngalert's buildDatasourceHeaders: FromAlert: true, X-Cache-Skip: true, X-Grafana-Org-Id.
func (p *Plugin) AlertQueryData(ctx context.Context, ds DataSource, at time.Time, queries []alerting.Query) (map[string]backend.DataResponse, error) {
	req := &backend.QueryDataRequest{PluginContext: p.pluginContext(ds), Headers: map[string]string{
		backend.FromAlertHeaderName: "true", "X-Cache-Skip": "true", "X-Grafana-Org-Id": alertEvaluationOrg,
	}}
	for _, q := range queries {
		model := maps.Clone(q.Model)
		if _, ok := model["intervalMs"]; !ok {
			model["intervalMs"] = AlertIntervalMs
		}
		if _, ok := model["maxDataPoints"]; !ok {
			model["maxDataPoints"] = AlertMaxDataPoints
		}
		from, to := q.TimeRange(at)
		dq, err := dataQuery(q.RefID, model, from, to, AlertIntervalMs, AlertMaxDataPoints)
		if err != nil {
			return nil, err
		}
		dq.QueryType = q.QueryType
		req.Queries = append(req.Queries, dq)
	}
	return p.send(ctx, req)
}
