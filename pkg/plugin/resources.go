package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// segmentValueLimit bounds the values offered for one segment column (most frequent first).
const segmentValueLimit = 500

// resourceRoutes serves the resource paths by exact match: any other path (also one that only cleans to a known
// path, such as /../models) is 404 with the known paths, never a redirect.
func (d *Datasource) resourceRoutes() http.Handler {
	routes := map[string]http.HandlerFunc{
		"/models": d.guard(func(ctx context.Context, r *http.Request) (any, error) {
			return d.svc.Store().Models(ctx)
		}),
		"/features": d.guard(func(ctx context.Context, r *http.Request) (any, error) {
			model := r.URL.Query().Get("model")
			if err := d.knownModel(ctx, model); err != nil {
				return nil, err
			}
			fs, err := d.svc.Store().Features(ctx, model)
			if err != nil || model != "" {
				return fs, err
			}
			return uniqueFeatures(fs), nil
		}),
		"/segments": d.guard(func(ctx context.Context, r *http.Request) (any, error) {
			col, model := r.URL.Query().Get("column"), r.URL.Query().Get("model")
			if err := d.knownModel(ctx, model); err != nil {
				return nil, err
			}
			if col == "" {
				return append([]string{}, d.cfg.SegmentColumns...), nil
			}
			if !slices.ContainsFunc(d.cfg.SegmentColumns, func(c string) bool { return strings.EqualFold(c, col) }) {
				return nil, errNotFound{fmt.Sprintf("%q is not a configured segment column (configured: %s)",
					col, strings.Join(d.cfg.SegmentColumns, ", "))}
			}
			counts, err := d.svc.Store().SegmentValues(ctx, store.Scope{Model: model}, col, segmentValueLimit)
			values := make([]string, len(counts))
			for i, c := range counts {
				values[i] = c.Value
			}
			return values, err
		}),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("unknown resource path %q; known paths: %s",
			r.URL.Path, strings.Join(resourcePaths, ", "))})
	})
}

// errNotFound is a resource request naming something the store does not have (an unknown model): 404.
type errNotFound struct{ msg string }

func (e errNotFound) Error() string { return e.msg }

// knownModel returns errNotFound unless model is "" (every model) or one of the store's models.
func (d *Datasource) knownModel(ctx context.Context, model string) error {
	if model == "" {
		return nil
	}
	models, err := d.svc.Store().Models(ctx)
	if err != nil {
		return err
	}
	for _, m := range models {
		if m.ID == model {
			return nil
		}
	}
	return errNotFound{fmt.Sprintf("unknown model %q (the log has %d models; see the models resource)", model, len(models))}
}

// resourcePaths are the resource paths the data source serves, with their query parameters, as an unknown path's
// error lists them.
var resourcePaths = []string{
	"models",
	"features?model=<model id, empty = every model>",
	"segments (the segment columns)",
	"segments?column=<segment column>&model=<model id>",
}

// guard runs a resource handler with the store's time-out and answers errors as JSON {"error": "..."}: 404 for
// errNotFound, 502 for a store that cannot be opened, 400 for settings that do not parse, and a store's failure
// with the status a query's would have (errorResponse and settingsMismatch: 504 time-out, 502 store unreachable,
// 400 bad input or settings that name columns the table lacks, …).
func (d *Datasource) guard(fn func(ctx context.Context, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := d.open(); err != nil {
			status := http.StatusBadRequest // settings that do not parse
			if errors.As(err, new(errStoreUnavailable)) {
				status = http.StatusBadGateway
			}
			writeJSON(w, status, map[string]string{"error": err.Error()})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), time.Duration(d.cfg.QueryTimeoutSecs)*time.Second)
		defer cancel()
		v, err := fn(ctx, r)
		if errors.As(err, new(errNotFound)) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		if err != nil {
			res := d.settingsMismatch(errorResponse(ctx, err, d.cfg.MemoryLimitMB))
			writeJSON(w, int(res.Status), map[string]string{"error": res.Error.Error()})
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// uniqueFeatures collapses the per-model feature list of "all models" into one entry per feature name (for the
// feature pick-list and $feature variables), keeping the highest importance any model gives it.
func uniqueFeatures(fs []store.Feature) []store.Feature {
	index := map[string]int{}
	var out []store.Feature
	for _, f := range fs {
		i, ok := index[f.Name]
		if !ok {
			index[f.Name] = len(out)
			f.Model = ""
			out = append(out, f)
			continue
		}
		if f.Importance != nil && (out[i].Importance == nil || *f.Importance > *out[i].Importance) {
			out[i].Importance = f.Importance
		}
	}
	return out
}
