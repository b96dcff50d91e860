// Package plugin is the thin Grafana layer: it turns Grafana's requests into monitor requests and monitor
// results into data frames. Queries are routed by queryType (datasource.QueryTypeMux) and each type's queries
// run concurrently with a bound (experimental/concurrent), each under the configured time-out.
package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/concurrent"

	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/cache"
	storeopen "github.com/aiops/modelmonitor/pkg/store/open"
)

// PluginID is the data source's plugin id.
const PluginID = "aiops-modelmonitor-datasource"

// queryConcurrency bounds the queries of one request that are handled at once; admission (see admission.go)
// bounds the computations of the whole instance.
const queryConcurrency = 4

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source instance. Settings that do not parse are reported by CheckHealth and
// by every query; a store that cannot be opened (missing file, a writer holding DuckDB's lock) is reported the
// same way and opened again on the next request, so it recovers without a settings change.
type Datasource struct {
	cfg    settings.Settings
	cfgErr error
	// defaultRef is the reference of queries that name none (settings' defaultReference; nil = trailing windows).
	defaultRef *query.Reference
	admission  *admission
	mux        *datasource.QueryTypeMux
	resources  backend.CallResourceHandler

	// now is the clock that decides which windows are settled (cache.Options.Now).
	now func() time.Time

	mu  sync.Mutex
	svc *monitor.Service // set once the store opens, never changed after
}

// NewDatasource is the instance factory given to datasource.Manage.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	cfg, err := settings.Parse(s.JSONData, s.DecryptedSecureJSONData)
	cfg.UID = s.UID
	return New(cfg, err), nil
}

// New builds a data source over the store cfg describes (cfgErr: the settings did not parse). The store is opened
// now and, if that fails, again on each request until it opens. The aggregates of settled windows are kept across
// its queries (pkg/store/cache, bounded by cacheMB) until it is disposed: a settings change gives a new instance
// and so an empty cache.
func New(cfg settings.Settings, cfgErr error) *Datasource { return NewWithClock(cfg, cfgErr, time.Now) }

// NewWithClock is New with the clock that decides which windows are settled (cache.Options.Now): tests and
// benchmarks that simulate time (an alert rule evaluated minute after minute over a store whose rows are in the
// past) pass their own; now must be safe to call from concurrent queries.
func NewWithClock(cfg settings.Settings, cfgErr error, now func() time.Time) *Datasource {
	d := &Datasource{cfg: cfg, cfgErr: cfgErr, admission: newAdmission(sharedSlots, alertSlots), now: now}
	if d.cfgErr == nil {
		d.defaultRef, d.cfgErr = query.ParseReference(cfg.DefaultReference)
	}
	_, _ = d.open()
	d.mux = datasource.NewQueryTypeMux()
	d.mux.HandleFunc(query.TypeDrift, d.concurrently)
	d.mux.HandleFunc(query.TypeDriftHeatmap, d.concurrently)
	d.mux.HandleFunc(query.TypeDistribution, d.concurrently)
	d.mux.HandleFunc(query.TypeDataQuality, d.concurrently)
	d.mux.HandleFunc(query.TypePerformance, d.concurrently)
	d.mux.HandleFunc(query.TypeEstimatedPerformance, d.concurrently)
	d.mux.HandleFunc(query.TypeDiagnosis, d.concurrently)
	d.mux.HandleFunc(query.TypeFleetHealth, d.concurrently)
	d.mux.HandleFunc("", d.concurrently) // queryType only in the JSON body, or unknown: parsed and reported per query
	d.resources = httpadapter.New(d.resourceRoutes())
	return d
}

// open returns the service over the store, opening the store if it is not open yet. Errors: the settings'
// (as parsed), or errStoreUnavailable.
func (d *Datasource) open() (*monitor.Service, error) {
	if d.cfgErr != nil {
		return nil, d.cfgErr
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.svc == nil {
		st, err := storeopen.Store(d.cfg)
		if err != nil {
			return nil, errStoreUnavailable{err}
		}
		d.svc = monitor.New(cache.NewShared(st, cache.Options{MaxBytes: d.cfg.CacheBytes(), Settle: d.cfg.Settle(), Now: d.now,
			Persist: cache.Persist{Dir: d.cfg.CacheDir, Instance: d.cfg.UID, Fingerprint: d.cfg.Key(), Warn: log.DefaultLogger.Warn}}), d.cfg)
		addCacheMemory(d.cfg.CacheMB)
	}
	return d.svc, nil
}

// Dispose closes the store and drops the kept aggregates when Grafana replaces the instance (settings changed).
func (d *Datasource) Dispose() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.svc != nil {
		_ = d.svc.Store().Close()
		addCacheMemory(-d.cfg.CacheMB)
	}
}

// QueryData answers a request; every query gets its own response or error, never a panic. Queries of a request
// from Grafana Alerting (the FromAlert header) may use the slots reserved for alert rules.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	if req.Headers[backend.FromAlertHeaderName] != "" {
		ctx = context.WithValue(ctx, fromAlertKey{}, true)
	}
	return d.mux.QueryData(ctx, req)
}

// fromAlertKey marks the context of a request sent by Grafana Alerting.
type fromAlertKey struct{}

func (d *Datasource) concurrently(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	return concurrent.QueryData(ctx, req, d.query, queryConcurrency)
}

// query answers one query: parsed, its range clamped to query.MaxSpan, admitted (see admission), run under the
// configured time-out. A query waits for a slot at most half its time-out, so a query that starts has at least
// the other half to run.
func (d *Datasource) query(ctx context.Context, q concurrent.Query) (res backend.DataResponse) {
	defer func() {
		if r := recover(); r != nil {
			res = errorResponse(ctx, panicError(r), d.cfg.MemoryLimitMB)
		}
	}()
	if _, err := d.open(); err != nil {
		return errorResponse(ctx, err, d.cfg.MemoryLimitMB)
	}
	m, err := query.Parse(q.DataQuery.JSON, q.DataQuery.QueryType)
	if err == nil {
		m.UseDefaultReference(d.defaultRef)
		err = m.ResolveRelative(q.DataQuery.TimeRange.To)
	}
	if err != nil {
		return errorResponse(ctx, err, d.cfg.MemoryLimitMB)
	}
	timeout := time.Duration(d.cfg.QueryTimeoutSecs) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := monitor.Request{Query: m, From: q.DataQuery.TimeRange.From.UTC(), To: q.DataQuery.TimeRange.To.UTC(),
		Interval: q.DataQuery.Interval, MaxDataPoints: q.DataQuery.MaxDataPoints}
	var notices []string
	if earliest := req.To.Add(-query.MaxSpan); req.From.Before(earliest) {
		notices = append(notices, fmt.Sprintf("time range starts %s, more than %d days before its end: clamped to start %s",
			req.From.Format(time.RFC3339), query.MaxSpan/(24*time.Hour), earliest.Format(time.RFC3339)))
		req.From = earliest
	}
	if len(m.Ignored) > 0 {
		notices = append(notices, "query fields this data source does not know were ignored: "+strings.Join(m.Ignored, ", "))
	}
	req.Query.RefID = ""
	key, err := json.Marshal(req)
	if err != nil {
		return errorResponse(ctx, backend.PluginError(err), d.cfg.MemoryLimitMB)
	}
	alert, _ := ctx.Value(fromAlertKey{}).(bool)
	frames, err := d.admission.do(ctx, string(key), alert, timeout/2, func(ctx context.Context) ([]*data.Frame, error) {
		return d.splitBySegment(ctx, req)
	})
	if sg := req.Query.Segment; errors.Is(err, monitor.ErrNoReference) && sg != nil && sg.Value != "" {
		frames, err = withResult(nil, nil, []string{fmt.Sprintf("segment %s = %q has no rows in the reference: nothing to compare", sg.Column, sg.Value)}, req.Query.QueryType), nil
	}
	if err != nil {
		return d.settingsMismatch(errorResponse(ctx, err, d.cfg.MemoryLimitMB))
	}
	return backend.DataResponse{Frames: prependNotices(frames, notices)}
}

// healthCheckTimeout bounds the store check settingsMismatch runs after a failed query.
const healthCheckTimeout = 10 * time.Second

// settingsMismatch re-reads a query failure the classification blamed on the plugin's SQL: when the store's
// health check fails too (a mapped column the table lacks, a table that is gone: the settings no longer match the
// store, which the SQL could not know), the query's error is that check's message, downstream 400 — the user's
// settings or store to fix, not a plugin bug. Any other response is returned unchanged.
func (d *Datasource) settingsMismatch(res backend.DataResponse) backend.DataResponse {
	if res.ErrorSource != backend.ErrorSourcePlugin || d.svc == nil {
		return res
	}
	ctx, cancel := context.WithTimeout(context.Background(), healthCheckTimeout)
	defer cancel()
	if err := d.svc.Store().Health(ctx); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			"the data source's settings do not match the store: "+err.Error())
	}
	return res
}

// run answers one request with its query type's frames.
func (d *Datasource) run(ctx context.Context, req monitor.Request) ([]*dataFrame, error) {
	switch req.Query.QueryType {
	case query.TypeDistribution:
		res, err := d.svc.Distribution(ctx, req)
		return framesOf(res, err, distributionFrames)
	case query.TypeDataQuality:
		res, err := d.svc.Quality(ctx, req)
		return framesOf(res, err, qualityFrames)
	case query.TypePerformance:
		res, err := d.svc.Performance(ctx, req)
		if err == nil {
			res.Series, err = keepMetrics(res.Series, func(s monitor.PerformanceSeries) string { return s.Metric }, req.Query.Metrics)
		}
		return framesOf(res, err, performanceFrames)
	case query.TypeEstimatedPerformance:
		res, err := d.svc.EstimatedPerformance(ctx, req)
		if err == nil {
			res.Series, err = keepMetrics(res.Series, func(s monitor.EstimatedSeries) string { return s.Metric }, req.Query.Metrics)
		}
		return framesOf(res, err, estimatedFrames)
	case query.TypeDiagnosis:
		res, err := d.svc.Diagnosis(ctx, req)
		if req.Query.DiagnosisOutput == query.DiagnosisVerdicts {
			return framesOf(res, err, verdictFrames)
		}
		return framesOf(res, err, diagnosisFrames)
	case query.TypeFleetHealth:
		res, err := d.svc.FleetHealth(ctx, req)
		return framesOf(res, err, map[string]func(monitor.FleetResult) []*dataFrame{query.FleetTable: fleetFrames,
			query.FleetTrend: fleetTrendFrames, query.FleetAlert: fleetAlertFrames}[req.Query.Fleet.Output])
	case query.TypeDriftHeatmap:
		res, err := d.svc.Drift(ctx, req)
		return framesOf(res, err, func(r monitor.Result) []*dataFrame { return []*dataFrame{heatmapFrame(r)} })
	}
	res, err := d.svc.Drift(ctx, req)
	return framesOf(res, err, driftFrames)
}

// framesOf builds a result's frames, unless the analysis failed.
func framesOf[R any](res R, err error, build func(R) []*dataFrame) ([]*dataFrame, error) {
	if err != nil {
		return nil, err
	}
	return build(res), nil
}

// CheckHealth reports whether the store answers, the mapped columns exist and every feature the model registry
// names is in the log, naming what is missing. Its details carry what the window cache did and keeps
// (windowCache: cache.Stats); a cache file that cannot be written or read adds a line to the message (the status
// stays OK: the answers come from memory and the store).
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if _, err := d.open(); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.svc.Store().Health(ctx); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	models, err := d.svc.Store().Models(ctx)
	if err == nil { // the registry must not name a feature the log lacks: drift of that model would fail
		_, err = d.svc.Store().Features(ctx, "")
	}
	if err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	stats := d.svc.Store().(*cache.Shared).Stats()
	details, _ := json.Marshal(map[string]any{"models": len(models), "engine": d.cfg.Engine, "table": d.cfg.Table,
		"windowCache": stats})
	msg := fmt.Sprintf("OK: %s table %q with %d models", d.cfg.Engine, d.cfg.Table, len(models))
	if len(d.cfg.Ignored) > 0 {
		msg += "; settings this data source does not know were ignored: " + strings.Join(d.cfg.Ignored, ", ")
	}
	if stats.Warning != "" { // the answers are right; only the cache file is not used
		msg += "\nWindow cache: " + stats.Warning
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: msg, JSONDetails: details}, nil
}

// CallResource serves the catalogue (models, features, segments) to editors and template variables.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return d.resources.CallResource(ctx, req, sender)
}

// writeJSON answers with v as JSON, without HTML escaping (the body is JSON, not HTML: "<model id>" reads as
// written).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
