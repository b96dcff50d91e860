package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// segmentValueLimit bounds the values offered for one segment column (most frequent first).
const segmentValueLimit = 500

func (d *Datasource) resourceRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/models", d.guard(func(ctx context.Context, r *http.Request) (any, error) {
		return d.svc.Store().Models(ctx)
	}))
	mux.HandleFunc("/features", d.guard(func(ctx context.Context, r *http.Request) (any, error) {
		fs, err := d.svc.Store().Features(ctx, r.URL.Query().Get("model"))
		if err != nil || r.URL.Query().Get("model") != "" {
			return fs, err
		}
		return uniqueFeatures(fs), nil
	}))
	mux.HandleFunc("/segments", d.guard(func(ctx context.Context, r *http.Request) (any, error) {
		col := r.URL.Query().Get("column")
		if col == "" {
			return append([]string{}, d.cfg.SegmentColumns...), nil
		}
		counts, err := d.svc.Store().SegmentValues(ctx, store.Scope{Model: r.URL.Query().Get("model")}, col, segmentValueLimit)
		values := make([]string, len(counts))
		for i, c := range counts {
			values[i] = c.Value
		}
		return values, err
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("unknown resource path %q; known paths: %s",
			r.URL.Path, strings.Join(resourcePaths, ", "))})
	})
	return mux
}

// resourcePaths are the resource paths the data source serves, with their query parameters, as an unknown path's
// error lists them.
var resourcePaths = []string{
	"models",
	"features?model=<model id, empty = every model>",
	"segments (the segment columns)",
	"segments?column=<segment column>&model=<model id>",
}

// guard runs a resource handler with the store's time-out and answers errors as JSON {"error": "..."}.
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
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
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
