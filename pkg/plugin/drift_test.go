package plugin

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// Expected values were computed with NumPy/SciPy on the fixture's counts (hand-derivable: see fixtureStore):
//
//	x, PSI, day 2: ref 100 per decile bin + 0 null; cur 1000 in bin 0 + 50 null; ε-smoothed → 8.422654063041326
//	c, JS distance (base 2), day 2: ref [600,300,100,0], cur [250,200,100,500] → 0.5525350995798473
//	c, PSI, day 2: 4.415271674110439
//	c, chi2_contingency p, day 2: 1.9110079698084155e-143
//	flag, two-proportion z-test p, day 2: ref "no" 500/1000, cur 500/1050 → 0.2810239203682334
func TestDriftPSIMatchesHandComputedValues(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"m1","metric":"psi","window":"1d",`+refDay1+`}`, day1, day4))
	if len(frames) != 3 {
		t.Fatalf("want one frame per feature (x, c, flag), got %d", len(frames))
	}
	x := frameByName(t, frames, "m1 · x")
	if x.Meta.Type != data.FrameTypeTimeSeriesMulti || x.Meta.TypeVersion != (data.FrameTypeVersion{0, 1}) {
		t.Fatalf("frame type %q %v, want timeseries-multi 0.1", x.Meta.Type, x.Meta.TypeVersion)
	}
	if got := x.Fields[1].Labels; got["model"] != "m1" || got["feature"] != "x" || got["metric"] != "psi" {
		t.Fatalf("labels %v", got)
	}
	v := values(x.Fields[1])
	if len(v) != 3 || v[0] == nil || *v[0] != 0 || v[1] == nil || !near(*v[1], 8.422654063041326, 1e-12) || v[2] != nil {
		t.Fatalf("x PSI per day = %v, want [0, 8.4226…, null]", storetest.Deref(v))
	}
	if len(x.Meta.Notices) == 0 || !strings.Contains(x.Meta.Notices[len(x.Meta.Notices)-1].Text, "1 of 3 windows have no score (window below the minimum sample size of 100") {
		t.Fatalf("missing min-sample notice: %+v", x.Meta.Notices)
	}
	c := values(frameByName(t, frames, "m1 · c").Fields[1])
	if c[1] == nil || !near(*c[1], 4.415271674110439, 1e-12) {
		t.Fatalf("c PSI day 2 = %v", storetest.Deref(c))
	}
	if !strings.Contains(x.Meta.ExecutedQueryString, "GROUP BY ALL") {
		t.Fatalf("executed SQL missing from meta")
	}
	if cm := custom(x); cm["threshold"] != 0.2 || cm["thresholdDirection"] != "above" || cm["referenceRows"] != int64(1000) {
		t.Fatalf("meta custom %v", cm)
	}
}

func TestDriftJSDistanceAndHealthyModel(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"","features":["c","x"],"metric":"js","window":"1d",`+refDay1+`}`, day1, day2.Add(24*3600e9)))
	c := values(frameByName(t, frames, "m1 · c").Fields[1])
	if c[1] == nil || !near(*c[1], 0.5525350995798473, 1e-12) {
		t.Fatalf("c JS day 2 = %v", storetest.Deref(c))
	}
	healthy := values(frameByName(t, frames, "m2 · x").Fields[1])
	if healthy[1] == nil || *healthy[1] != 0 {
		t.Fatalf("m2 is an exact copy of its reference: JS must be 0, got %v", storetest.Deref(healthy))
	}
}

func TestAutoChoosesTestsOnSmallReferences(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"m1","metric":"auto","window":"1d",`+refDay1+`}`, day1, day2.Add(24*3600e9)))
	want := map[string]string{"m1 · x": "ks", "m1 · c": "chi2", "m1 · flag": "ztest"}
	for name, metric := range want {
		f := frameByName(t, frames, name)
		if got := custom(f)["metric"]; got != metric {
			t.Errorf("%s: auto chose %v, want %s (reference has 1000 rows)", name, got, metric)
		}
		if !strings.HasPrefix(custom(f)["metricChosenBy"].(string), "auto:") {
			t.Errorf("%s: choice not explained: %v", name, custom(f)["metricChosenBy"])
		}
	}
	if v := values(frameByName(t, frames, "m1 · flag").Fields[1]); v[0] == nil || *v[0] != 1 || v[1] == nil || !near(*v[1], 0.2810239203682334, 1e-9) {
		t.Fatalf("flag z-test p = %v, want [1, 0.28102…]", storetest.Deref(v))
	}
	if v := values(frameByName(t, frames, "m1 · c").Fields[1]); v[1] == nil || !near(*v[1], 1.9110079698084155e-143, 1e-6) {
		t.Fatalf("c chi2 p = %v", storetest.Deref(v))
	}
	// x day 2: all 1000 current values fall in the reference's lowest percentile bins → KS p ≈ 0 and drift.
	if v := values(frameByName(t, frames, "m1 · x").Fields[1]); v[1] == nil || *v[1] >= 0.05 || *v[0] != 1 {
		t.Fatalf("x KS p = %v, want [1, <0.05]", storetest.Deref(v))
	}
}

func TestReferenceTableAndTrailingAgreeWithRange(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	for _, ref := range []string{
		`"reference":{"type":"table","table":"training_set"}`,
		`"reference":{"type":"trailing","windows":1}`,
	} {
		frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"metric":"psi","window":"1d",`+ref+`}`, day2, day2.Add(24*3600e9)))
		v := values(frames[0].Fields[1])
		if len(v) != 1 || v[0] == nil || !near(*v[0], 8.422654063041326, 1e-12) {
			t.Fatalf("%s: x PSI day 2 = %v, want 8.4226…", ref, storetest.Deref(v))
		}
	}
}

func TestSegmentFilter(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	// In the EU segment the reference is the 500 even x values; day 2 is all EU.
	frames := mustOK(t, run(t, ds, `{"queryType":"distribution","model":"m1","features":["flag"],"metric":"psi",`+refDay1+`,"segment":{"column":"region","value":"EU"}}`, day2, day2.Add(24*3600e9)))
	f := frames[0]
	if got := custom(f)["referenceRows"]; got != int64(500) {
		t.Fatalf("EU reference rows = %v, want 500", got)
	}
	// EU reference rows are the even i: flag is "yes" for all of them.
	if f.Fields[0].At(0) != "yes" || f.Fields[3].At(0) != 1.0 {
		t.Fatalf("EU reference distribution of flag: %v %v", f.Fields[0].At(0), f.Fields[3].At(0))
	}
}

func TestBadDataGivesNoticesNotNaN(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"m3","metric":"wasserstein","window":"1d",`+refDay1+`}`, day1, day2.Add(24*3600e9)))
	x := values(frameByName(t, frames, "m3 · x").Fields[1])
	if x[1] == nil {
		t.Fatalf("x with NaN/Inf rows must still score on its finite values: %v", storetest.Deref(x))
	}
	k := frameByName(t, frames, "m3 · k")
	if v := values(k.Fields[1]); v[0] == nil || *v[0] != 0 || v[1] == nil || *v[1] != 0 {
		t.Fatalf("constant feature unchanged: Wasserstein must be 0, got %v", storetest.Deref(v))
	}
	z := frameByName(t, frames, "m3 · z")
	if z.Fields[1].Len() != 0 || len(z.Meta.Notices) == 0 || !strings.Contains(z.Meta.Notices[0].Text, "no non-null values of z") {
		t.Fatalf("all-null feature must give an empty series with a notice, got len %d notices %+v", z.Fields[1].Len(), z.Meta.Notices)
	}
	for _, f := range frames {
		for _, v := range values(f.Fields[1]) {
			if v != nil && *v != *v {
				t.Fatalf("NaN in %s", f.Name)
			}
		}
	}
}
