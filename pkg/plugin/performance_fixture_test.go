package plugin

import (
	"database/sql"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// perfFixturePath is the committed output of test/fixtures/performance/gen_performance_fixture.py.
const perfFixturePath = "../../test/fixtures/performance/performance_fixture.json"

type perfRow struct {
	Model      string   `json:"model"`
	ID         string   `json:"id"`
	Day        int      `json:"day"`
	Second     int      `json:"second"`
	Score      *float64 `json:"score"`
	Label      float64  `json:"label"`
	Prediction float64  `json:"prediction"`
	Status     string   `json:"status"` // on_time (label_ts = ts + 2h), late (2026-01-10), none
}

type perfFixture struct {
	Model    string                         `json:"model"`
	Rows     []perfRow                      `json:"rows"`
	Expected map[string]map[string]*float64 `json:"expected"`
}

func loadPerfFixture(t *testing.T) perfFixture {
	t.Helper()
	raw, err := os.ReadFile(perfFixturePath)
	if err != nil {
		t.Fatal(err)
	}
	var f perfFixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// performanceFixtureStore is fixtureStore plus the models of performance_fixture.json (feature x = 1; registry
// task binary for p1, multiclass for p2, regression for p3) and their labels in inference_label(prediction_id,
// label, label_ts). It also writes p1_log: the same p1 rows with the on-time labels in a `label` column (for
// labelColumn).
func performanceFixtureStore(t *testing.T) (settings.Settings, perfFixture) {
	t.Helper()
	cfg := fixtureStore(t)
	fx := loadPerfFixture(t)
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.Exec(q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`CREATE TABLE inference_label (prediction_id VARCHAR, label DOUBLE, label_ts TIMESTAMP)`)
	exec(`INSERT INTO model_registry VALUES ('p1', 'binary', 'x', 'numeric', 1.0, 'team-p', 'standard'),
		('p2', 'multiclass', 'x', 'numeric', 1.0, 'team-p', 'standard'), ('p3', 'regression', 'x', 'numeric', 1.0, 'team-p', 'standard')`)
	late := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, r := range fx.Rows {
		ts := day1.AddDate(0, 0, r.Day-1).Add(time.Duration(r.Second) * time.Second)
		exec(`INSERT INTO inference_log (ts, model_id, model_version, prediction_id, region, channel, x, prediction, score)
			VALUES (?::TIMESTAMP, ?, 'v1', ?, 'NA', 'web', 1, ?, ?)`, ts.Format("2006-01-02 15:04:05"), r.Model, r.ID, r.Prediction, r.Score)
		switch r.Status {
		case "on_time":
			exec(`INSERT INTO inference_label VALUES (?, ?, ?::TIMESTAMP)`, r.ID, r.Label, ts.Add(2*time.Hour).Format("2006-01-02 15:04:05"))
		case "late":
			exec(`INSERT INTO inference_label VALUES (?, ?, ?::TIMESTAMP)`, r.ID, r.Label, late.Format("2006-01-02 15:04:05"))
		}
	}
	exec(`CREATE TABLE p1_log AS SELECT g.*, CASE WHEN l.label_ts < TIMESTAMP '2026-01-05' THEN l.label END AS label
		FROM inference_log g LEFT JOIN inference_label l USING (prediction_id) WHERE g.model_id = 'p1'`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return cfg, fx
}
