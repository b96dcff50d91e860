package plugin

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Issue 9 item 11: a query field the data source does not know is not silently ignored: the query runs and
// its first frame says which fields were ignored.
func TestUnknownQueryFieldsAreNamedInANotice(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"minSample":5,"binz":3,`+refDay1+`}`, day1, day4)
	if r.Error != nil || len(r.Frames) == 0 {
		t.Fatalf("err %v, %d frames", r.Error, len(r.Frames))
	}
	if got := r.Frames[0].Meta.Notices[0].Text; got != "query fields this data source does not know were ignored: binz, minSample" {
		t.Fatalf("first notice %q", got)
	}
}

// Issue 9 item 12: a query without a reference is told which reference it got.
func TestDefaultReferenceIsNamed(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"window":"1d"}`, day1.Add(24*time.Hour), day4)
	if r.Error != nil || len(r.Frames) == 0 {
		t.Fatalf("err %v, %d frames", r.Error, len(r.Frames))
	}
	if got := r.Frames[0].Meta.Notices[0].Text; got != "the query names no reference: each window is compared with the 7 windows before it (a trailing reference)" {
		t.Fatalf("first notice %q", got)
	}
}

// Issue 9 item 11: a query's minSamples is honoured: m1's 35-row third day has no score under the data source's
// 100 and gets one with minSamples 20 (x is 5000 on every row there, above the reference's 1..1000: all mass in
// the top bin, PSI far above 0.2).
func TestQueryMinSamplesIsHonoured(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	valueOnDay3 := func(extra string) *float64 {
		q := `{"queryType":"drift","model":"m1","features":["x"],"metric":"psi","window":"1d",` + extra + refDay1 + `}`
		frames := mustOK(t, run(t, ds, q, day1.Add(48*time.Hour), day4))
		v, ok := frames[0].Fields[1].ConcreteAt(0)
		if !ok {
			return nil
		}
		f := v.(float64)
		return &f
	}
	if v := valueOnDay3(""); v != nil {
		t.Fatalf("35 rows under minSamples 100 scored %v", *v)
	}
	if v := valueOnDay3(`"minSamples":20,`); v == nil || *v <= 0.2 {
		t.Fatalf("35 rows under minSamples 20: %v, want a drifted PSI", v)
	}
}

// Issue 9 item 9: a log without a version column (versionColumn "") is healthy and queryable.
func TestLogWithoutVersionColumn(t *testing.T) {
	ds := New(edgeStore(t), nil)
	defer ds.Dispose()
	res, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusOk || res.Message != `OK: duckdb table "inference_log" with 1 models` {
		t.Fatalf("health %v: %s", res.Status, res.Message)
	}
}
