package plugin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// A query that names no reference uses the data source's defaultReference — absolute or relative to the end of
// the query's range — and gets the same hand-computed PSI as with the reference written in the query
// (x, day 2: 8.422654063041326, see TestDriftPSIMatchesHandComputedValues).
func TestDefaultReferenceFromSettings(t *testing.T) {
	for name, ref := range map[string]string{
		"absolute": `{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`,
		"relative": `{"type":"range","from":"now-2d/d","to":"now-1d/d"}`, // anchored at the range end, 2026-01-03
	} {
		t.Run(name, func(t *testing.T) {
			cfg := fixtureStore(t)
			cfg.DefaultReference = json.RawMessage(ref)
			ds := New(cfg, nil)
			defer ds.Dispose()
			frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"metric":"psi","window":"1d"}`, day2, day2.Add(24*time.Hour)))
			v := values(frameByName(t, frames, "m1 · x").Fields[1])
			if len(v) != 1 || v[0] == nil || !near(*v[0], 8.422654063041326, 1e-12) {
				t.Fatalf("x PSI day 2 = %v, want 8.4226…", storetest.Deref(v))
			}
		})
	}
}

// A malformed defaultReference is reported by health and by every query, naming the setting.
func TestDefaultReferenceInvalid(t *testing.T) {
	cfg := fixtureStore(t)
	cfg.DefaultReference = json.RawMessage(`{"type":"range","from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}`)
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"drift","model":"m1","window":"1d"}`, day2, day4)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "default reference: reference range ends (2026-01-01T00:00:00Z) before it starts") {
		t.Fatalf("error %v", r.Error)
	}
}

// A defaultReference range missing a bound is caught when the data source starts: CheckHealth names it, whether
// the other bound is absolute or relative (which alone is resolved per query).
func TestDefaultReferenceMissingBoundFailsHealth(t *testing.T) {
	for _, ref := range []string{`{"type":"range","from":"now-7d/d"}`, `{"type":"range","to":"2026-01-02T00:00:00Z"}`, `{"type":"range"}`} {
		cfg := fixtureStore(t)
		cfg.DefaultReference = json.RawMessage(ref)
		ds := New(cfg, nil)
		res, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
		want := "default reference: reference range needs both from and to (RFC 3339, or relative like now-7d/d)"
		if res.Status != backend.HealthStatusError || res.Message != want {
			t.Errorf("%s: health %v %q, want %q", ref, res.Status, res.Message, want)
		}
		ds.Dispose()
	}
}
