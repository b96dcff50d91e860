package plugin

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// typeErrorStore writes a log whose features are a MAP(VARCHAR, VARCHAR) column, the registry calling x numeric:
// model "t", 200 rows on 2026-01-01 with x = '1' … '200'; 200 rows on 2026-01-02 of which 20 hold x = 'n/a'
// (text, not a number), 10 lack the key, 10 have a NULL value and 160 hold '1' … '160'.
func typeErrorStore(t *testing.T) settings.Settings {
	t.Helper()
	path := filepath.Join(t.TempDir(), "typeerr.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE log (ts TIMESTAMP, model_id VARCHAR, prediction_id VARCHAR, region VARCHAR, channel VARCHAR,
			features MAP(VARCHAR, VARCHAR), prediction DOUBLE, score DOUBLE)`,
		`INSERT INTO log SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE, 't', 'r' || i, 'EU', 'web',
			MAP {'x': CAST(i AS VARCHAR)}, 0, 0.5 FROM range(1, 201) t(i)`,
		`INSERT INTO log SELECT TIMESTAMP '2026-01-02' + INTERVAL (i) MINUTE, 't', 'c' || i, 'EU', 'web',
			CASE WHEN i <= 20 THEN MAP {'x': 'n/a'} WHEN i <= 30 THEN MAP {'y': 'a'} WHEN i <= 40 THEN MAP {'x': NULL}
			     ELSE MAP {'x': CAST(i - 40 AS VARCHAR)} END, 0, 0.5 FROM range(1, 201) t(i)`,
		`CREATE TABLE model_registry (model_id VARCHAR, task VARCHAR, feature VARCHAR, feature_type VARCHAR,
			importance DOUBLE, owner VARCHAR, tier VARCHAR)`,
		`INSERT INTO model_registry VALUES ('t', 'binary', 'x', 'numeric', 1.0, 'team', 'standard')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	db.Close()
	cfg := settings.Defaults()
	cfg.Path, cfg.Table, cfg.FeatureMapColumn, cfg.VersionColumn = path, "log", "features", ""
	return cfg
}

// Text in a numeric feature is a type error, not a null: day 2 has 20/200 type errors and (10 absent + 10 NULL)/200
// nulls; the drift analyses, which cannot bin text as a number, put all 40 in the (null) bin.
func TestTypeErrorsInATextFeatureMap(t *testing.T) {
	ds := New(typeErrorStore(t), nil)
	defer ds.Dispose()
	q := `{"queryType":"dataQuality","model":"t","window":"1d",` + refDay1 + `}`
	frames := mustOK(t, run(t, ds, q, day1, day1.AddDate(0, 0, 2)))
	checkSeries(t, frames, "t · x · type_error_share", 0.0, 0.1)
	checkSeries(t, frames, "t · x · null_share", 0.0, 0.1)

	d := mustOK(t, run(t, ds, `{"queryType":"distribution","model":"t","features":["x"],`+refDay1+`}`, day2, day2.AddDate(0, 0, 1)))
	f := d[0]
	for i := 0; i < f.Rows(); i++ {
		if f.Fields[0].At(i).(string) == "(null)" {
			if n := f.Fields[6].At(i).(int64); n != 40 {
				t.Errorf("(null) bin has %d current rows, want 40", n)
			}
			return
		}
	}
	t.Error("no (null) bin")
}
