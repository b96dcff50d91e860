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
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/concurrent"

	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
	storeopen "github.com/aiops/modelmonitor/pkg/store/open"
)

// PluginID is the data source's plugin id.
const PluginID = "aiops-modelmonitor-datasource"

// queryConcurrency bounds the queries of one request that run at once; the store bounds its connections too.
const queryConcurrency = 4

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source instance. A store that cannot be opened is not fatal: the error is
// kept and reported by CheckHealth and by every query, so Grafana shows why.
type Datasource struct {
	cfg       settings.Settings
	svc       *monitor.Service
	openErr   error
	mux       *datasource.QueryTypeMux
	resources backend.CallResourceHandler
}

// NewDatasource is the instance factory given to datasource.Manage.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	cfg, err := settings.Parse(s.JSONData, s.DecryptedSecureJSONData)
	return New(cfg, err), nil
}

// New builds a data source over the store cfg describes (cfgErr: the settings did not parse).
func New(cfg settings.Settings, cfgErr error) *Datasource {
	d := &Datasource{cfg: cfg, openErr: cfgErr}
	if d.openErr == nil {
		st, err := storeopen.Store(cfg)
		if err != nil {
			d.openErr = err
		} else {
			d.svc = monitor.New(st, cfg)
		}
	}
	d.mux = datasource.NewQueryTypeMux()
	d.mux.HandleFunc(query.TypeDrift, d.concurrently)
	d.mux.HandleFunc(query.TypeDriftHeatmap, d.concurrently)
	d.mux.HandleFunc(query.TypeDistribution, d.concurrently)
	d.mux.HandleFunc(query.TypeDataQuality, d.concurrently)
	d.mux.HandleFunc(query.TypePerformance, d.concurrently)
	d.mux.HandleFunc(query.TypeEstimatedPerformance, d.concurrently)
	d.mux.HandleFunc(query.TypeDiagnosis, d.concurrently)
	d.mux.HandleFunc("", d.concurrently) // queryType only in the JSON body, or unknown: parsed and reported per query
	d.resources = httpadapter.New(d.resourceRoutes())
	return d
}

// Dispose closes the store when Grafana replaces the instance (settings changed).
func (d *Datasource) Dispose() {
	if d.svc != nil {
		_ = d.svc.Store().Close()
	}
}

// QueryData answers a request; every query gets its own response or error, never a panic.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	return d.mux.QueryData(ctx, req)
}

func (d *Datasource) concurrently(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	return concurrent.QueryData(ctx, req, d.query, queryConcurrency)
}

func (d *Datasource) query(ctx context.Context, q concurrent.Query) backend.DataResponse {
	if d.openErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, d.openErr.Error())
	}
	m, err := query.Parse(q.DataQuery.JSON, q.DataQuery.QueryType)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(d.cfg.QueryTimeoutSecs)*time.Second)
	defer cancel()
	req := monitor.Request{Query: m, From: q.DataQuery.TimeRange.From.UTC(), To: q.DataQuery.TimeRange.To.UTC(),
		Interval: q.DataQuery.Interval, MaxDataPoints: q.DataQuery.MaxDataPoints}
	frames, err := d.splitBySegment(ctx, req)
	if err != nil {
		return errorResponse(ctx, err)
	}
	if len(m.Ignored) > 0 {
		frames = prependNotices(frames, []string{"query fields this data source does not know were ignored: " + strings.Join(m.Ignored, ", ")})
	}
	return backend.DataResponse{Frames: frames}
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

func errorResponse(ctx context.Context, err error) backend.DataResponse {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourceDownstream, "query timed out: "+err.Error())
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "query cancelled")
	}
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
}

// CheckHealth reports whether the store answers and the mapped columns exist, naming what is missing.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.openErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.openErr.Error()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.svc.Store().Health(ctx); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	models, err := d.svc.Store().Models(ctx)
	if err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	details, _ := json.Marshal(map[string]any{"models": len(models), "engine": d.cfg.Engine, "table": d.cfg.Table})
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk,
		Message: fmt.Sprintf("OK: %s table %q with %d models", d.cfg.Engine, d.cfg.Table, len(models)), JSONDetails: details}, nil
}

// CallResource serves the catalogue (models, features, segments) to editors and template variables.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return d.resources.CallResource(ctx, req, sender)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
