package plugin

import (
	"context"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// Features in one MAP column give exactly the values the same features give as wide columns.
func TestMapFeatureColumnMatchesWideColumns(t *testing.T) {
	cfg := fixtureStore(t)
	cfg.Table, cfg.FeatureMapColumn = "map_log", "features"
	ds := New(cfg, nil)
	defer ds.Dispose()
	if res, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{}); res.Status != backend.HealthStatusOk {
		t.Fatalf("health: %s", res.Message)
	}
	frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"m1","metric":"psi","window":"1d",`+refDay1+`}`, day1, day4))
	x := values(frameByName(t, frames, "m1 · x").Fields[1])
	if x[0] == nil || *x[0] != 0 || x[1] == nil || !near(*x[1], 8.422654063041326, 1e-12) || x[2] != nil {
		t.Fatalf("x PSI from the map = %v, want [0, 8.4226…, null] as with wide columns", storetest.Deref(x))
	}
	c := values(frameByName(t, frames, "m1 · c").Fields[1])
	if c[1] == nil || !near(*c[1], 4.415271674110439, 1e-12) {
		t.Fatalf("c PSI from the map = %v", storetest.Deref(c))
	}
	// m3's x has NaN and Inf in the map's text values: read back as non-finite, scored on finite values.
	frames = mustOK(t, run(t, ds, `{"queryType":"drift","model":"m3","features":["x"],"metric":"wasserstein","window":"1d",`+refDay1+`}`, day1, day4))
	if v := values(frames[0].Fields[1]); v[1] == nil {
		t.Fatalf("m3 x from the map: %v", storetest.Deref(v))
	}
	cfg.FeatureMapColumn = "region"
	bad := New(cfg, nil)
	defer bad.Dispose()
	if res, _ := bad.CheckHealth(context.Background(), &backend.CheckHealthRequest{}); res.Status != backend.HealthStatusError ||
		res.Message != `feature map column "region" has type VARCHAR, expected MAP(VARCHAR, a number or text type) (cast a JSON column to a MAP in a view)` {
		t.Fatalf("health with a non-MAP feature column: %q", res.Message)
	}
}
