package plugin

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// Errors of a real PostgreSQL server, and of connections to it, get the status and error source of what they
// mean: the server or its configuration (502), its resources (503), its statement timeout (504), the user's data
// (400), or SQL the plugin generated wrongly (500 plugin).
func TestPostgresErrorsAreClassified(t *testing.T) {
	srv := pgtest.StartFor(t)
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, "classify"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(ctx, "classify",
		`CREATE TABLE inference_log (ts timestamp, model_id text, model_version text, prediction_id text,
			x double precision, prediction double precision, score double precision)`,
		`CREATE ROLE nosel LOGIN PASSWORD 'nosel'`,
		`CREATE ROLE nolimit LOGIN PASSWORD 'nolimit' CONNECTION LIMIT 0`); err != nil {
		t.Fatal(err)
	}
	base := srv.Settings("classify")
	const plugin, downstream = backend.ErrorSourcePlugin, backend.ErrorSourceDownstream
	cases := []struct {
		name   string
		change func(*settings.Settings)
		sql    string
		status backend.Status
		source backend.ErrorSource
		want   string
	}{
		{"wrong password", func(c *settings.Settings) { c.Password = "nope" }, "SELECT 1",
			backend.StatusBadGateway, downstream, `PostgreSQL authentication failed for user "postgres"`},
		{"database missing", func(c *settings.Settings) { c.Database = "nosuch" }, "SELECT 1",
			backend.StatusBadGateway, downstream, `PostgreSQL database "nosuch" does not exist`},
		{"server down", func(c *settings.Settings) { c.Port = pgtest.ClosedPort(t) }, "SELECT 1",
			backend.StatusBadGateway, downstream, "cannot connect to PostgreSQL at 127.0.0.1:"},
		{"table missing", nil, "SELECT * FROM nosuch_log",
			backend.StatusBadGateway, downstream, `table missing: ERROR: relation "nosuch_log" does not exist (SQLSTATE 42P01)`},
		{"column missing", nil, "SELECT nosuch FROM inference_log",
			backend.StatusBadGateway, downstream, `column missing: ERROR: column "nosuch" does not exist (SQLSTATE 42703)`},
		{"no SELECT permission", func(c *settings.Settings) { c.User, c.Password = "nosel", "nosel" }, "SELECT * FROM inference_log",
			backend.StatusBadGateway, downstream, `no SELECT permission for user "nosel"`},
		{"no free connection", func(c *settings.Settings) { c.User, c.Password = "nolimit", "nolimit" }, "SELECT 1",
			statusServiceUnavailable, downstream, "PostgreSQL has no free connection"},
		{"statement timeout", func(c *settings.Settings) { c.QueryTimeoutSecs = 1 }, "SELECT pg_sleep(5)",
			backend.StatusTimeout, downstream, "query stopped by the PostgreSQL statement timeout (1 s, queryTimeoutSeconds)"},
		{"text where a number is expected", nil, "SELECT 'abc'::double precision",
			backend.StatusBadRequest, downstream, "a column holds values of the wrong type"},
		{"division by zero", nil, "SELECT 1/0",
			backend.StatusBadRequest, downstream, "division by zero (SQLSTATE 22012)"},
		{"syntax error", nil, "SELEC 1",
			backend.StatusInternal, plugin, `internal error in the plugin's SQL (a bug, please report it): ERROR: syntax error at or near "SELEC" (SQLSTATE 42601)`},
		{"undefined function", nil, "SELECT nosuch_fn(1)",
			backend.StatusInternal, plugin, "(SQLSTATE 42883)"},
		{"a write", nil, "CREATE TABLE w (i int)",
			backend.StatusInternal, plugin, "the store is only read, and the statement tried to write"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			if c.change != nil {
				c.change(&cfg)
			}
			err := queryPostgres(ctx, t, cfg, c.sql)
			if err == nil {
				t.Fatalf("%s: no error", c.sql)
			}
			r := errorResponse(ctx, err, 0)
			if r.Status != c.status || r.ErrorSource != c.source || !strings.Contains(r.Error.Error(), c.want) {
				t.Errorf("%v %s %q\nwant %v %s containing %q", r.Status, r.ErrorSource, r.Error, c.status, c.source, c.want)
			}
		})
	}
	if _, ok := postgresErrorResponse(errors.New("unknown model")); ok {
		t.Error("an error that is not PostgreSQL's was classified as PostgreSQL's")
	}

	// Through the data source: a query of a data source with a wrong password fails with 502, naming the cause.
	cfg := base
	cfg.Password = "nope"
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"drift","model":"m1"}`, day1, day4)
	if r.Status != backend.StatusBadGateway || r.ErrorSource != downstream ||
		!strings.Contains(r.Error.Error(), `PostgreSQL authentication failed for user "postgres" (check user and password)`) {
		t.Errorf("query with a wrong password: %v %s %v", r.Status, r.ErrorSource, r.Error)
	}
}

// queryPostgres runs one statement through the PostgreSQL store's runner, reading all its rows, and returns its
// error.
func queryPostgres(ctx context.Context, t *testing.T, cfg settings.Settings, sql string) error {
	r, err := postgres.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, err := r.Query(ctx, sql)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return rows.Close()
}
