package plugin

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"

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
		`CREATE ROLE nolimit LOGIN PASSWORD 'nolimit' CONNECTION LIMIT 0`,
		// The server raises the error a fault would: a real ErrorResponse with that SQLSTATE, for the faults a
		// test cannot cause (a standby's recovery conflict, a pooler's timeout, a server's internal error).
		`CREATE FUNCTION raise_sqlstate(code text, msg text) RETURNS int LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg; END $$`); err != nil {
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
		{"too many columns", nil, "SELECT " + strings.Repeat("1, ", 1664) + "1",
			backend.StatusInternal, plugin, "internal error in the plugin's SQL (a bug, please report it): the statement exceeds a PostgreSQL limit " +
				"(columns, arguments, nesting or array size): ERROR: target lists can have at most 1664 entries (SQLSTATE 54011)"},
		{"too many arguments", nil, "SELECT concat(" + strings.Repeat("1, ", 100) + "1)",
			backend.StatusInternal, plugin, "the statement exceeds a PostgreSQL limit (columns, arguments, nesting or array size): " +
				"ERROR: cannot pass more than 100 arguments to a function (SQLSTATE 54023)"},
		{"serialization failure", nil, "SELECT raise_sqlstate('40001', 'canceling statement due to conflict with recovery')",
			statusServiceUnavailable, downstream, "PostgreSQL cancelled the statement in a conflict with another session " +
				"(a deadlock, or on a standby a conflict with recovery): retry the query: ERROR: canceling statement due to conflict with recovery (SQLSTATE 40001)"},
		{"internal error", nil, "SELECT raise_sqlstate('XX000', 'could not find block containing chunk')",
			backend.StatusBadGateway, downstream, "PostgreSQL at 127.0.0.1:"},
		{"data corrupted", nil, "SELECT raise_sqlstate('XX001', 'invalid page in block 7 of relation base/1/2')",
			backend.StatusBadGateway, downstream, "/classify failed internally (its log says more; XX001/XX002: data or index corrupted, " +
				"for its administrator): ERROR: invalid page in block 7 of relation base/1/2 (SQLSTATE XX001)"},
		{"index corrupted", nil, "SELECT raise_sqlstate('XX002', 'index \"i\" contains unexpected zero page')",
			backend.StatusBadGateway, downstream, "(SQLSTATE XX002)"},
		{"PgBouncer's error", nil, "SELECT raise_sqlstate('08P01', 'query_wait_timeout')",
			backend.StatusBadGateway, downstream, "PostgreSQL or a connection pooler in front of it (PgBouncer reports its own errors as 08P01) " +
				"broke off the statement: check the pooler's limits and timeouts (max_client_conn, query_wait_timeout, query_timeout): " +
				"ERROR: query_wait_timeout (SQLSTATE 08P01)"},
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
	t.Run("deadlock", func(t *testing.T) { checkDeadlockIsRetryable(t, srv) })
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

// A real deadlock: the plugin's statement takes advisory lock 1 and waits for lock 2, which another session
// holds while it waits for lock 1. PostgreSQL's deadlock check (deadlock_timeout, 1 s by default; the other
// session's set to a minute, so that the plugin's statement is the one cancelled) ends the plugin's statement
// with 40P01: 503, retry.
func checkDeadlockIsRetryable(t *testing.T, srv *pgtest.Server) {
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, "deadlock"); err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(ctx, srv.URL(pgtest.Superuser, pgtest.SuperPassword, "deadlock"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, "SET deadlock_timeout = '60s'; SELECT pg_advisory_lock(2)"); err != nil {
		t.Fatal(err)
	}
	r, err := postgres.NewRunner(srv.Settings("deadlock"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() {
		rows, err := r.Query(ctx, "SELECT pg_advisory_xact_lock(1), pg_advisory_xact_lock(2)")
		if err == nil {
			for rows.Next() {
			}
			err = rows.Close()
		}
		done <- err
	}()
	for waiting := 0; waiting == 0; time.Sleep(20 * time.Millisecond) { // the plugin's statement holds 1 and waits for 2
		if err := other.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 2 AND NOT granted").Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.Exec(ctx, "SELECT pg_advisory_lock(1)"); err != nil { // granted once the deadlock check cancels the other
		t.Fatal(err)
	}
	err = <-done
	if err == nil {
		t.Fatal("no deadlock")
	}
	res := errorResponse(ctx, err, 0)
	want := "PostgreSQL cancelled the statement in a conflict with another session (a deadlock, or on a standby a conflict " +
		"with recovery): retry the query: ERROR: deadlock detected (SQLSTATE 40P01)"
	if res.Status != statusServiceUnavailable || res.ErrorSource != backend.ErrorSourceDownstream || res.Error.Error() != want {
		t.Errorf("%v %s %q\nwant 503 downstream %q", res.Status, res.ErrorSource, res.Error, want)
	}
}
