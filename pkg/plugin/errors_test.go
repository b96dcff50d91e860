package plugin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// Bad input gets a clear per-query error naming the problem; the other queries of a request are unaffected.
func TestBadQueriesGiveClearErrors(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	cases := map[string]struct{ query, want string }{
		"malformed JSON":        {`{"queryType":"drift",`, "query is not valid JSON"},
		"unknown query type":    {`{"queryType":"sparkles"}`, `unknown queryType "sparkles"`},
		"unknown metric":        {`{"queryType":"drift","metric":"entropy"}`, `unknown metric "entropy"`},
		"unknown model":         {`{"queryType":"drift","model":"nope",` + refDay1 + `}`, `unknown model "nope"`},
		"unknown feature":       {`{"queryType":"drift","model":"m1","features":["tenure"],` + refDay1 + `}`, `unknown feature "tenure" for model "m1" (known: c, flag, x)`},
		"injection in feature":  {`{"queryType":"drift","model":"m1","features":["x\"; DROP TABLE inference_log; --"]}`, "is not a valid feature name"},
		"injection in segment":  {`{"queryType":"drift","model":"m1","segment":{"column":"region = 'EU' OR 1=1 --","value":"x"}}`, "is not a valid identifier"},
		"unconfigured segment":  {`{"queryType":"drift","model":"m1","segment":{"column":"prediction_id","value":"x"},` + refDay1 + `}`, `"prediction_id" is not a configured segment column`},
		"injection in table":    {`{"queryType":"drift","model":"m1","reference":{"type":"table","table":"t; DROP TABLE x"}}`, "is not a valid table name"},
		"missing ref table":     {`{"queryType":"drift","model":"m1","reference":{"type":"table","table":"nowhere"}}`, `reference table "nowhere" not found`},
		"reference has no data": {`{"queryType":"drift","model":"m1","reference":{"type":"range","from":"2020-01-01T00:00:00Z","to":"2020-01-02T00:00:00Z"}}`, "the reference has no data"},
		"reference reversed":    {`{"queryType":"drift","reference":{"type":"range","from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}}`, "reference range ends"},
		"trailing zero":         {`{"queryType":"drift","reference":{"type":"trailing","windows":-3}}`, "trailing reference needs between 1 and 365 windows"},
		"bad window":            {`{"queryType":"drift","window":"fortnight"}`, `window "fortnight" is not a duration`},
		"bins out of range":     {`{"queryType":"drift","bins":1000}`, "bins must be between 2 and 100"},
		"ks on categorical":     {`{"queryType":"drift","model":"m1","features":["c"],"metric":"ks",` + refDay1 + `}`, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := run(t, ds, c.query, day1, day4)
			if c.want == "" { // not an error: the series carries a notice instead
				if r.Error != nil || len(r.Frames) != 1 || r.Frames[0].Meta.Notices[0].Text != "c: metric ks needs a numeric feature; this feature is categorical" {
					t.Fatalf("want an empty series with a notice, got err=%v frames=%v", r.Error, r.Frames)
				}
				return
			}
			if r.Error == nil || !strings.Contains(r.Error.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", r.Error, c.want)
			}
			if r.Status != backend.StatusBadRequest {
				t.Fatalf("status %v, want 400", r.Status)
			}
		})
	}
}

func TestHealthNamesMissingColumns(t *testing.T) {
	cfg := fixtureStore(t)
	ok := New(cfg, nil)
	defer ok.Dispose()
	res, _ := ok.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusOk || res.Message != `OK: duckdb table "inference_log" with 3 models` {
		t.Fatalf("health %v %q", res.Status, res.Message)
	}
	cfg.ScoreColumn, cfg.SegmentColumns = "probability", []string{"region", "country"}
	bad := New(cfg, nil)
	defer bad.Dispose()
	res, _ = bad.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	want := `table "inference_log" is missing mapped columns: column "country", score column "probability"`
	if res.Status != backend.HealthStatusError || res.Message != want {
		t.Fatalf("health %v %q, want %q", res.Status, res.Message, want)
	}
	// A key no setting reads (a misspelt one) is named by a healthy check, not silently ignored.
	raw := fmt.Sprintf(`{"path":%q,"queryTimeoutSecond":5,"cacheMB":8}`, fixtureStore(t).Path)
	inst, _ := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{JSONData: []byte(raw)})
	typo := inst.(*Datasource)
	defer typo.Dispose()
	res, _ = typo.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	want = `OK: duckdb table "inference_log" with 3 models; settings this data source does not know were ignored: queryTimeoutSecond`
	if res.Status != backend.HealthStatusOk || res.Message != want {
		t.Fatalf("health %v %q, want %q", res.Status, res.Message, want)
	}
	cfg.Path = "/nonexistent/store.duckdb"
	missing := New(cfg, nil)
	res, _ = missing.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, `DuckDB file "/nonexistent/store.duckdb" cannot be opened`) {
		t.Fatalf("health %v %q", res.Status, res.Message)
	}
	if r := run(t, missing, `{"queryType":"drift"}`, day1, day4); r.Error == nil || !strings.Contains(r.Error.Error(), "cannot be opened") {
		t.Fatalf("query on a missing store: %v", r.Error)
	}
}

func TestSettingsValidation(t *testing.T) {
	for raw, want := range map[string]string{
		`{"engine":"oracle"}`:                    `unknown engine "oracle"`,
		`{"engine":"spark"}`:                     `the Spark connection needs: sparkUrl`,
		`{"engine":"postgres"}`:                  `the PostgreSQL connection needs: host, database, user`,
		`{"table":"logs; DROP TABLE x"}`:         `table "logs; DROP TABLE x" is not a valid identifier`,
		`{"segmentColumns":["region","1bad"]}`:   `segment column "1bad" is not a valid identifier`,
		`{"featureColumns":["ok","with space"]}`: `feature column "with space" is not a valid identifier`,
		`not json`:                               "not valid JSON",
	} {
		_, err := settings.Parse([]byte(raw), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", raw, err, want)
		}
	}
}

func TestResources(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	for path, want := range map[string]string{
		"models":                          `[{"id":"m1","versions":["v1"],"task":"binary","tier":"critical","owner":"team-a"},{"id":"m2","versions":["v7"],"task":"regression","tier":"standard","owner":"team-b"},{"id":"m3","versions":["v1"],"task":"binary","tier":"experimental","owner":"team-c"}]`,
		"features?model=m1":               `[{"model":"m1","name":"x","type":"numeric","importance":0.7},{"model":"m1","name":"c","type":"categorical","importance":0.2},{"model":"m1","name":"flag","type":"categorical","importance":0.1}]`,
		"segments":                        `["region","channel"]`,
		"segments?column=region":          `["NA","EU"]`,
		"segments?column=region&model=m2": `["NA"]`,
		"segments?model=m2":               `["region","channel"]`,
	} {
		status, body := callResource(t, ds, path)
		if status != http.StatusOK || strings.TrimSpace(body) != want {
			t.Errorf("%s: %d %s\nwant %s", path, status, body, want)
		}
	}
	want := `{"error":"\"prediction_id\" is not a configured segment column (configured: region, channel)"}`
	if status, body := callResource(t, ds, "segments?column=prediction_id"); status != http.StatusNotFound || strings.TrimSpace(body) != want {
		t.Errorf("unconfigured segment column: %d %s\nwant 404 %s", status, body, want)
	}
	// A configured segment column the table lacks fails the store's statement: the settings' mismatch, 400.
	cfg := fixtureStore(t)
	cfg.SegmentColumns = []string{"region", "country"}
	mismatched := New(cfg, nil)
	defer mismatched.Dispose()
	want = `{"error":"the data source's settings do not match the store: table \"inference_log\" is missing mapped columns: column \"country\""}`
	if status, body := callResource(t, mismatched, "segments?column=country"); status != http.StatusBadRequest || strings.TrimSpace(body) != want {
		t.Errorf("segment column the table lacks: %d %s\nwant 400 %s", status, body, want)
	}
	// An unknown model is 404, naming it, for the features and for the segment values of that model.
	for _, path := range []string{"features?model=ghost", "segments?model=ghost", "segments?column=region&model=ghost"} {
		want := `{"error":"unknown model \"ghost\" (the log has 3 models; see the models resource)"}`
		if status, body := callResource(t, ds, path); status != http.StatusNotFound || strings.TrimSpace(body) != want {
			t.Errorf("%s: %d %s\nwant 404 %s", path, status, body, want)
		}
	}
	// An unknown path is 404 listing the known ones, written as they read (no HTML escaping of < and &); a path
	// that only cleans to a path (../) is unknown too, not a redirect.
	for path, shown := range map[string]string{"modles": "/modles", "../etc/passwd": "/../etc/passwd", "features/../models": "/features/../models"} {
		want := `{"error":"unknown resource path \"` + shown + `\"; known paths: models, features?model=<model id, empty = every model>, segments (the segment columns), segments?column=<segment column>&model=<model id>"}`
		if status, body := callResource(t, ds, path); status != http.StatusNotFound || strings.TrimSpace(body) != want {
			t.Errorf("%s: %d %s\nwant 404 %s", path, status, body, want)
		}
	}
}

func callResource(t *testing.T, ds *Datasource, path string) (int, string) {
	t.Helper()
	p, _, _ := strings.Cut(path, "?")
	var status int
	var body []byte
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: p, Method: http.MethodGet, URL: "/" + path},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			status, body = r.Status, r.Body
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return status, string(body)
}

// A query whose SQL names a mapped column the table lacks (the settings no longer match the store) is the user's
// to fix: downstream 400 with the health check's message, not a plugin bug; with matching settings, the same query
// answers.
func TestQueryNamesColumnsTheTableLacks(t *testing.T) {
	cfg := fixtureStore(t)
	for _, c := range []struct{ query, col, want string }{
		{`{"queryType":"dataQuality","model":"m1","window":"1d"}`, "score", `score column "probability"`},
		{`{"queryType":"drift","window":"1d"}`, "time", `time column "served_at"`},
	} {
		bad := cfg
		if c.col == "score" {
			bad.ScoreColumn = "probability"
		} else {
			bad.TimeColumn = "served_at"
		}
		ds := New(bad, nil)
		r := run(t, ds, c.query, day1, day4)
		ds.Dispose()
		want := `the data source's settings do not match the store: table "inference_log" is missing mapped columns: ` + c.want
		if r.Error == nil || r.Error.Error() != want || r.Status != backend.StatusBadRequest || r.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s: %v %v %v, want 400 downstream %q", c.col, r.Status, r.ErrorSource, r.Error, want)
		}
	}
}
