package conformance

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/pgload"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// engines are the engines under test; the first is the reference the others are compared with.
var engines = []engine{
	{"duckdb", func(path string) (settings.Settings, error) {
		cfg := settings.Defaults()
		cfg.Path = path
		return cfg, nil
	}},
	{"postgres", setupPostgres},
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
	tables := []pgload.Table{{Name: demo.TableLog, OrderBy: "ts"}, {Name: demo.TableLabel}, {Name: demo.TableRegistry},
		{Name: demo.TableTraining}, {Name: "map_log", OrderBy: "ts"}, {Name: "labelled_log", OrderBy: "ts"}}
	if _, err := pgload.Copy(ctx, duck, pg, tables, false); err != nil {
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
