package conformance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/pgload"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
	"github.com/aiops/modelmonitor/pkg/store/spark/sparktest"
)

// engines are the engines under test; the first is the reference the others are compared with.
var engines = []engine{
	{"duckdb", func(path string) (settings.Settings, error) {
		cfg := settings.Defaults()
		cfg.Path = path
		return cfg, nil
	}},
	{"postgres", setupPostgres},
	{"spark", setupSpark},
}

// server is the package's throw-away PostgreSQL server.
var server *pgtest.Server

// readerRole is the role the PostgreSQL data source logs in as: it may only SELECT.
const readerRole, readerPassword = "grafana_reader", "reader-pw"

// setupPostgres copies every table of the DuckDB file into a new database (the log in time order, with the
// recommended indexes) and returns the settings of a data source reading it as a role that may only SELECT.
func setupPostgres(path string) (settings.Settings, error) {
	ctx := context.Background()
	if err := server.CreateDatabase(ctx, "conformance"); err != nil {
		return settings.Settings{}, err
	}
	duck, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return settings.Settings{}, err
	}
	defer duck.Close()
	pg, err := pgx.Connect(ctx, server.URL(pgtest.Superuser, pgtest.SuperPassword, "conformance"))
	if err != nil {
		return settings.Settings{}, err
	}
	defer pg.Close(ctx)
	if _, err := pgload.Copy(ctx, duck, pg, conformanceTables, false); err != nil {
		return settings.Settings{}, err
	}
	if err := pgload.CreateIndexes(ctx, pg, pgload.Indexes(demo.TableLog, "model_id", "ts", demo.TableLabel, "prediction_id")); err != nil {
		return settings.Settings{}, err
	}
	for _, q := range []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", readerRole, readerPassword),
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + readerRole,
	} {
		if _, err := pg.Exec(ctx, q); err != nil {
			return settings.Settings{}, err
		}
	}
	cfg := settings.Defaults()
	cfg.Engine = settings.EnginePostgres
	cfg.Path = ""
	cfg.Postgres = settings.Postgres{Host: server.Host, Port: server.Port, Database: "conformance", User: readerRole,
		SSLMode: settings.SSLVerifyFull, MaxConnections: 4, TLSCACert: server.CACert}
	cfg.Password = readerPassword
	return cfg, cfg.Validate()
}

// errEngineUnavailable marks an engine whose server is not there and not required: its cases are skipped.
var errEngineUnavailable = errors.New("engine unavailable")

// conformanceTables are the tables every engine loads from the DuckDB file (the log ones in time order).
var conformanceTables = []pgload.Table{{Name: demo.TableLog, OrderBy: "ts"}, {Name: demo.TableLabel}, {Name: demo.TableRegistry},
	{Name: demo.TableTraining}, {Name: "map_log", OrderBy: "ts"}, {Name: "labelled_log", OrderBy: "ts"}}

// setupSpark writes every table of the DuckDB file as Parquet (DuckDB's COPY; the log in time order, so that
// Parquet's row-group statistics prune time ranges) into a directory beside it, registers each as a Parquet
// table of a new schema of the test Spark Connect server (scripts/spark.sh), and returns the settings of a data
// source reading that schema. Without a server the engine is skipped, unless MODELMON_REQUIRE_SPARK=1.
func setupSpark(path string) (settings.Settings, error) {
	url, why := sparktest.URL()
	if url == "" {
		if sparktest.Required() {
			return settings.Settings{}, errors.New(why)
		}
		return settings.Settings{}, fmt.Errorf("%w: %s", errEngineUnavailable, why)
	}
	ctx := context.Background()
	dir, schema := filepath.Join(filepath.Dir(path), "parquet"), sparktest.Schema("conformance")
	if err := sparktest.ExportParquet(ctx, path, dir, conformanceTables); err != nil {
		return settings.Settings{}, err
	}
	if err := sparktest.RegisterParquet(ctx, url, schema, dir, conformanceTables); err != nil {
		return settings.Settings{}, err
	}
	cfg := sparktest.Settings(url, schema)
	cfg.MaxConcurrentQueries = 4
	// A fleet query is tens of Spark jobs; on a local[2] JVM sharing two cores with the rest of the suite that
	// can take minutes, which the default time-out (60 s) would cut off.
	cfg.QueryTimeoutSecs = 900
	return cfg, cfg.Validate()
}
