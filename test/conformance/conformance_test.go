// Package conformance runs one table of queries through the data source on every store engine, loaded with the
// same inference logs, and asserts the same frames: the same names, fields, labels, notices and metadata, and
// every number within a relative tolerance of 1e-9 (the engines sum floating-point values in different orders;
// nothing else may differ). The executed SQL in the metadata is the one thing that differs by design.
//
// The data is the demo fleet (pkg/demo) at a small size, written to DuckDB, plus two derived tables: map_log
// (the features in one MAP column; JSONB in PostgreSQL) and labelled_log (the latest label of each prediction in
// a label column). Each engine entry loads that DuckDB file into its engine and returns the data source
// settings; adding an engine is adding one entry to engines. An engine whose server is absent (Spark without
// MODELMON_SPARK_URL) is skipped unless its tests are required (MODELMON_REQUIRE_SPARK=1, as npm test sets).
package conformance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// engine is one store engine under test: setup loads the DuckDB file at path into the engine (once) and returns
// the settings of a data source reading it; nil settings skip the engine with the reason in err.
type engine struct {
	name  string
	setup func(path string) (settings.Settings, error)
}

// tolerance is the relative difference allowed between engines for every number of a frame.
const tolerance = 1e-9

// configs are the settings of each engine's data source, after setup.
var configs = map[string]settings.Settings{}

// TestMain writes the store, loads it into every engine on the package's throw-away PostgreSQL server, runs the
// cases and removes everything.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "modelmon-conformance-")
	if err != nil {
		panic(err)
	}
	code := pgtest.Main(m, func(srv *pgtest.Server) error {
		server = srv
		path := filepath.Join(dir, "demo.duckdb")
		if err := writeStore(path); err != nil {
			return err
		}
		for _, e := range engines {
			cfg, err := e.setup(path)
			if errors.Is(err, errEngineUnavailable) {
				fmt.Fprintf(os.Stderr, "conformance: %s skipped: %v\n", e.name, err)
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
			configs[e.name] = cfg
		}
		return nil
	})
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// writeStore generates the demo fleet and adds the derived tables.
func writeStore(path string) error {
	ctx := context.Background()
	if _, err := demo.Generate(ctx, path, demo.Options{Predictions: 40_000, TrainingRows: 3_000}); err != nil {
		return err
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer db.Close()
	var entries []string
	for _, f := range demo.FeatureColumns {
		entries = append(entries, fmt.Sprintf("{'key': '%s', 'value': CAST(%s AS VARCHAR)}", f.Name, f.Name))
	}
	for _, q := range []string{
		// The features as one MAP(VARCHAR, VARCHAR); a NULL value is an absent key.
		`CREATE TABLE map_log AS SELECT ts, model_id, model_version, prediction_id, region, channel,
			map_from_entries(list_filter([` + strings.Join(entries, ", ") + `], e -> e.value IS NOT NULL)) AS features,
			prediction, score FROM inference_log`,
		// The latest label of each prediction in the log row itself.
		`CREATE TABLE labelled_log AS SELECT l.*, b.label FROM inference_log l LEFT JOIN
			(SELECT prediction_id, arg_max(label, label_ts) AS label FROM inference_label GROUP BY 1) b USING (prediction_id)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
	}
	return nil
}
