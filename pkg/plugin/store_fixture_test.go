package plugin

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// fixtureStore writes a small DuckDB store whose drift is known by hand:
//   - model "m1", reference day 2026-01-01: x = 1..1000 (so the deciles put exactly 100 rows in each bin),
//     c = 600×"a", 300×"b", 100×"c", flag = 500×"yes", 500×"no".
//   - day 2026-01-02: x = 1..100 repeated 5 times (every row in the first decile bin), c = 200×"a", 200×"b",
//     100×"c", 500×"d" (unseen), flag 500×"yes", 500×"no"; plus 50 rows with x NULL, c "a", flag "yes".
//   - day 2026-01-03: only 35 rows (below the 100-row minimum).
//   - model "m2": same reference day as m1 and an identical copy of it on 2026-01-02 (no drift).
//   - model "m3": bad data: x has 50 NaN and 50 +Inf values on day 2, k is constant (42), z is always NULL.
//
// The registry gives m1 the features x (importance 0.7), c (0.2), flag (0.1) and m2 only x.
func fixtureStore(t *testing.T) settings.Settings {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		`CREATE TABLE inference_log (ts TIMESTAMP, model_id VARCHAR, model_version VARCHAR, prediction_id VARCHAR,
			region VARCHAR, channel VARCHAR, x DOUBLE, c VARCHAR, flag VARCHAR, k DOUBLE, z DOUBLE, prediction DOUBLE, score DOUBLE)`,
		// m1 reference day
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND, 'm1', 'v1', 'm1-r-' || i,
			CASE WHEN i % 2 = 0 THEN 'EU' ELSE 'NA' END, 'web', i::DOUBLE,
			CASE WHEN i <= 600 THEN 'a' WHEN i <= 900 THEN 'b' ELSE 'c' END,
			CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END, NULL, NULL, 0, 0.5 FROM range(1, 1001) t(i)`,
		// m1 drifted day
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-02' + INTERVAL (i) SECOND, 'm1', 'v1', 'm1-d-' || i,
			'EU', 'web', ((i - 1) % 100 + 1)::DOUBLE,
			CASE WHEN i <= 200 THEN 'a' WHEN i <= 400 THEN 'b' WHEN i <= 500 THEN 'c' ELSE 'd' END,
			CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END, NULL, NULL, 0, 0.5 FROM range(1, 1001) t(i)`,
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-02 12:00:00' + INTERVAL (i) SECOND, 'm1', 'v1', 'm1-n-' || i,
			'EU', 'web', NULL, 'a', 'yes', NULL, NULL, 0, 0.5 FROM range(1, 51) t(i)`,
		// m1 small day
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-03' + INTERVAL (i) SECOND, 'm1', 'v1', 'm1-s-' || i,
			'EU', 'web', 5000, 'a', 'yes', NULL, NULL, 0, 0.5 FROM range(1, 36) t(i)`,
		// m2: reference and an identical day
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND, 'm2', 'v7', 'm2-r-' || i,
			'NA', 'store', i::DOUBLE, NULL, NULL, NULL, NULL, 1, 0.9 FROM range(1, 1001) t(i)`,
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-02' + INTERVAL (i) SECOND, 'm2', 'v7', 'm2-d-' || i,
			'NA', 'store', i::DOUBLE, NULL, NULL, NULL, NULL, 1, 0.9 FROM range(1, 1001) t(i)`,
		// m3: bad data — x has NaN and ±Inf on day 2, k is constant, z is always NULL
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND, 'm3', 'v1', 'm3-r-' || i,
			'NA', 'web', i::DOUBLE, NULL, NULL, 42, NULL, 0, 0.1 FROM range(1, 1001) t(i)`,
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-02' + INTERVAL (i) SECOND, 'm3', 'v1', 'm3-d-' || i,
			'NA', 'web', CASE WHEN i <= 50 THEN 'NaN'::DOUBLE WHEN i <= 100 THEN 'Infinity'::DOUBLE ELSE i::DOUBLE END,
			NULL, NULL, 42, NULL, 0, 0.1 FROM range(1, 1001) t(i)`,
		`CREATE TABLE model_registry (model_id VARCHAR, task VARCHAR, feature VARCHAR, feature_type VARCHAR,
			importance DOUBLE, owner VARCHAR, tier VARCHAR)`,
		`INSERT INTO model_registry VALUES ('m1', 'binary', 'x', 'numeric', 0.7, 'team-a', 'critical'),
			('m1', 'binary', 'c', 'categorical', 0.2, 'team-a', 'critical'),
			('m1', 'binary', 'flag', 'categorical', 0.1, 'team-a', 'critical'),
			('m2', 'regression', 'x', 'numeric', 1.0, 'team-b', 'standard'),
			('m3', 'binary', 'x', 'numeric', 0.5, 'team-c', 'experimental'),
			('m3', 'binary', 'k', 'numeric', 0.3, 'team-c', 'experimental'),
			('m3', 'binary', 'z', 'numeric', 0.2, 'team-c', 'experimental')`,
		`CREATE TABLE training_set AS SELECT * FROM inference_log WHERE ts < TIMESTAMP '2026-01-02'`,
		// The same log with its features in one MAP(VARCHAR, VARCHAR) column; NULL values are absent keys.
		`CREATE TABLE map_log AS SELECT ts, model_id, model_version, prediction_id, region, channel,
			map_from_entries(list_filter([{'key': 'x', 'value': CAST(x AS VARCHAR)}, {'key': 'c', 'value': c},
				{'key': 'flag', 'value': flag}, {'key': 'k', 'value': CAST(k AS VARCHAR)}, {'key': 'z', 'value': CAST(z AS VARCHAR)}],
				e -> e.value IS NOT NULL)) AS features, prediction, score FROM inference_log`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	cfg := settings.Defaults()
	cfg.Path = path
	return cfg
}
