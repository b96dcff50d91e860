package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// injection is a payload that breaks out of a quoted identifier or string literal, in either SQL quoting style.
const injection = `x"; DROP TABLE inference_log; --' OR '1'='1`

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// checkAnswer fails on a plugin-side error (a bug: a panic or SQL the plugin got wrong), an error without a
// message, or a non-finite number in any frame.
func checkAnswer(t *testing.T, name string, r backend.DataResponse) {
	t.Helper()
	if r.Error != nil {
		if r.ErrorSource == backend.ErrorSourcePlugin || strings.TrimSpace(r.Error.Error()) == "" {
			t.Errorf("%s: %v error %q", name, r.ErrorSource, r.Error)
		}
		return
	}
	for _, f := range r.Frames {
		for _, fld := range f.Fields {
			for i := range fld.Len() {
				if v, ok := fld.ConcreteAt(i); ok {
					if x, isFloat := v.(float64); isFloat && (math.IsNaN(x) || math.IsInf(x, 0)) {
						t.Errorf("%s: frame %q field %q row %d is %v", name, f.Name, fld.Name, i, x)
					}
				}
			}
		}
	}
}

// Hostile values through every query field — injection payloads, extreme numbers and ranges — get a clear error
// or an answer with notices; never a plugin error, a panic or a non-finite number; the store file is unchanged.
func TestHostileQueries(t *testing.T) {
	cfg, _ := performanceFixtureStore(t)
	before := fileHash(t, cfg.Path)
	ds := New(cfg, nil)
	inj, _ := json.Marshal(injection)
	p := string(inj)
	queries := map[string]string{
		"queryType":          `{"queryType":` + p + `}`,
		"model":              `{"model":` + p + `}`,
		"features":           `{"model":"m1","features":[` + p + `]}`,
		"metric":             `{"metric":` + p + `}`,
		"window":             `{"window":` + p + `}`,
		"reference table":    `{"reference":{"type":"table","table":` + p + `}}`,
		"reference type":     `{"reference":{"type":` + p + `}}`,
		"segment column":     `{"segment":{"column":` + p + `,"value":"EU"}}`,
		"segment value":      `{"model":"m1","segment":{"column":"region","value":` + p + `},` + refDay1 + `}`,
		"metrics":            `{"queryType":"performance","metrics":[` + p + `]}`,
		"diagnosisOutput":    `{"queryType":"diagnosis","diagnosisOutput":` + p + `}`,
		"thresholds mode":    `{"thresholds":{"mode":` + p + `}}`,
		"huge bins":          `{"bins":1e18}`,
		"huge threshold":     `{"model":"m1","threshold":1e308,` + refDay1 + `}`,
		"huge k":             `{"model":"m1","thresholds":{"mode":"trailing","k":1e308}}`,
		"huge history":       `{"model":"m1","thresholds":{"mode":"trailing","history":2147483647}}`,
		"huge top":           `{"model":"m1","segment":{"column":"region","split":true,"top":9223372036854775807}}`,
		"huge trailing":      `{"model":"m1","reference":{"type":"trailing","windows":9223372036854775807}}`,
		"reference far away": `{"model":"m1","reference":{"type":"range","from":"0001-01-01T00:00:00Z","to":"9999-12-31T23:59:59Z"}}`,
		"window overflow":    `{"model":"m1","window":"275189593262967d",` + refDay1 + `}`,
		"deep JSON":          strings.Repeat(`{"a":`, 10000) + `1` + strings.Repeat(`}`, 10000),
		"not an object":      `[1,2,3]`,
		"null":               `null`,
		"decision threshold": `{"queryType":"performance","decisionThreshold":-1e308}`,
		"negative bins":      `{"bins":-5}`,
		"unicode model":      `{"model":"\u0000\ud83d\ude00"}`,
	}
	for name, q := range queries {
		for _, qt := range []string{"", "drift", "diagnosis", "performance", "dataQuality"} {
			resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
				RefID: "A", QueryType: qt, JSON: json.RawMessage(q), TimeRange: backend.TimeRange{From: day1, To: day4},
				MaxDataPoints: 1000}}})
			if err != nil {
				t.Fatalf("%s: QueryData: %v", name, err)
			}
			checkAnswer(t, name+" as "+qt, resp.Responses["A"])
		}
	}
	ds.Dispose()
	if fileHash(t, cfg.Path) != before {
		t.Fatal("the store file changed")
	}
}

// Hostile values through every settings field are refused by the settings parser with the field named.
func TestHostileSettings(t *testing.T) {
	inj, _ := json.Marshal(injection)
	for _, field := range []string{"table", "timeColumn", "modelColumn", "versionColumn", "predictionIdColumn",
		"featureMapColumn", "predictionColumn", "scoreColumn", "labelColumn", "labelsTable", "registryTable"} {
		if _, err := settings.Parse([]byte(`{"`+field+`":`+string(inj)+`}`), nil); err == nil || !strings.Contains(err.Error(), "is not a valid identifier") {
			t.Errorf("%s: %v", field, err)
		}
	}
	for _, field := range []string{"featureColumns", "segmentColumns"} {
		if _, err := settings.Parse([]byte(`{"`+field+`":[`+string(inj)+`]}`), nil); err == nil || !strings.Contains(err.Error(), "is not a valid identifier") {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// Bad store files — empty, garbage, a truncated DuckDB file, garbage Parquet and CSV, a CSV with only a header —
// give a clear error from health and from queries, never a panic, and are left unchanged.
func TestBadStoreFiles(t *testing.T) {
	good := fixtureStore(t)
	whole, err := os.ReadFile(good.Path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"empty.duckdb":     nil,
		"garbage.duckdb":   []byte(strings.Repeat("not a database ", 1000)),
		"truncated.duckdb": whole[:len(whole)/3],
		"garbage.parquet":  []byte("PAR1 this is not parquet PAR1"),
		"empty.parquet":    nil,
		"garbage.csv":      []byte("\x00\x01\x02\xff\xfe"),
		"header.csv":       []byte("ts,model_id,model_version,prediction_id,region,channel,x,prediction,score\n"),
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		before := fileHash(t, path)
		cfg := settings.Defaults()
		cfg.Path = path
		ds := New(cfg, nil)
		res, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
		if res.Status != backend.HealthStatusError || res.Message == "" {
			t.Errorf("%s: health %v %q", name, res.Status, res.Message)
		}
		r := run(t, ds, `{"queryType":"drift"}`, day1, day4)
		if r.Error == nil {
			if len(r.Frames) == 0 || r.Frames[0].Meta == nil || len(r.Frames[0].Meta.Notices) == 0 {
				t.Errorf("%s: a query answered without an error or a notice: %v", name, r.Frames)
			}
		}
		checkAnswer(t, name, r)
		ds.Dispose()
		if fileHash(t, path) != before {
			t.Errorf("%s: the file changed", name)
		}
	}
}
