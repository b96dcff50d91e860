package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

type settingsT = settings.Settings

// mustFail runs q and wants an error whose text holds every part of want.
func mustFail(t *testing.T, r *Runner, ctx context.Context, q string, want ...string) error {
	t.Helper()
	rows, err := r.Query(ctx, q)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Close()
	}
	if err == nil {
		t.Fatalf("%s: no error, want %q", q, want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("%s: error %q, want %q", q, err, w)
		}
	}
	return err
}

// The store is only read: every statement runs in a READ ONLY transaction, so even the superuser cannot write
// through the runner.
func TestRunnerReadOnly(t *testing.T) {
	r, srv := testRunner(t, "fragments")
	ctx := context.Background()
	if err := srv.Exec(ctx, "fragments", "CREATE TABLE IF NOT EXISTS ro (i integer)"); err != nil {
		t.Fatal(err)
	}
	err := mustFail(t, r, ctx, "INSERT INTO ro VALUES (1) RETURNING i", "the store is only read", "read-only transaction")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Fatalf("error %v does not carry SQLSTATE 25006", err)
	}
	mustFail(t, r, ctx, "CREATE TABLE intruder (i integer)", "the store is only read")
}

// The query timeout becomes the statement_timeout of each statement, and a cancelled context stops the
// statement at once.
func TestRunnerTimeoutAndCancel(t *testing.T) {
	srv := pgtest.Need(t)
	cfg := srv.Settings("fragments")
	cfg.QueryTimeoutSecs = 1
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	began := time.Now()
	mustFail(t, r, context.Background(), "SELECT pg_sleep(30)", "statement timeout (1 s, queryTimeoutSeconds)", "57014")
	if d := time.Since(began); d > 10*time.Second {
		t.Fatalf("the statement timeout took %s", d)
	}
	rows, err := r.Query(context.Background(), "SELECT current_setting('statement_timeout'), current_setting('transaction_read_only')")
	if err != nil {
		t.Fatal(err)
	}
	var timeout, ro string
	for rows.Next() {
		if err := rows.Scan(&timeout, &ro); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Close(); err != nil || timeout != "1s" || ro != "on" {
		t.Fatalf("statement_timeout %q, read only %q, %v", timeout, ro, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	cfg.QueryTimeoutSecs = 60
	r2, _ := NewRunner(cfg)
	defer r2.Close()
	began = time.Now()
	mustFail(t, r2, ctx, "SELECT pg_sleep(30)", "query cancelled or timed out", "context deadline exceeded")
	if d := time.Since(began); d > 10*time.Second {
		t.Fatalf("cancellation took %s", d)
	}
	// The cancelled statement left nothing behind on the server.
	var active int
	deadline := time.Now().Add(5 * time.Second)
	for {
		rows, err := r2.Query(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			_ = rows.Scan(&active)
		}
		rows.Close()
		if active == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if active != 0 {
		t.Fatalf("%d cancelled statements still running", active)
	}
}

// Connection faults are named: a wrong password, an unknown database, nothing listening.
func TestRunnerConnectionErrors(t *testing.T) {
	srv := pgtest.Need(t)
	ctx := context.Background()
	cases := []struct {
		change func(c *settingsT)
		want   []string
	}{
		{func(c *settingsT) { c.Password = "wrong" }, []string{`PostgreSQL authentication failed for user "postgres"`, "28P01"}},
		{func(c *settingsT) { c.Database = "nosuchdb" }, []string{`PostgreSQL database "nosuchdb" does not exist`, "3D000"}},
		{func(c *settingsT) { c.Port = pgtest.ClosedPort(t) }, []string{"cannot connect to PostgreSQL at 127.0.0.1:", "connection refused"}},
	}
	for _, c := range cases {
		cfg := srv.Settings("fragments")
		c.change(&cfg)
		r, err := NewRunner(cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = r.Ping(ctx)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("ping: %v, want %q", err, w)
			}
		}
		mustFail(t, r, ctx, "SELECT 1", c.want...)
		r.Close()
	}
}

// Columns reads the catalogue: types as format_type renders them, nil for a missing table, and a role that may
// not read the table is told so.
func TestRunnerColumns(t *testing.T) {
	r, srv := testRunner(t, "fragments")
	ctx := context.Background()
	if err := srv.Exec(ctx, "fragments",
		`CREATE TABLE IF NOT EXISTS typed (ts timestamp, tz timestamptz(3), "Model" text, x double precision, n numeric(10, 2),
			i integer, b boolean, v varchar(20), fm jsonb, e double precision[])`,
		`DO $$ BEGIN CREATE ROLE noselect LOGIN PASSWORD 'noselect'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`); err != nil {
		t.Fatal(err)
	}
	cols, err := r.Columns(ctx, "typed")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ts": "TIMESTAMP WITHOUT TIME ZONE", "tz": "TIMESTAMP(3) WITH TIME ZONE", "model": "TEXT",
		"x": "DOUBLE PRECISION", "n": "NUMERIC(10,2)", "i": "INTEGER", "b": "BOOLEAN", "v": "CHARACTER VARYING(20)",
		"fm": "JSONB", "e": "DOUBLE PRECISION[]"}
	if len(cols) != len(want) {
		t.Fatalf("columns %v", cols)
	}
	for k, v := range want {
		if cols[k] != v {
			t.Errorf("column %s: %q, want %q", k, cols[k], v)
		}
	}
	if cols, err := r.Columns(ctx, "nosuchtable"); cols != nil || err != nil {
		t.Fatalf("missing table: %v, %v", cols, err)
	}
	if cols, err := r.Columns(ctx, "Typed"); cols != nil || err != nil {
		t.Fatalf("names are case-sensitive as in PostgreSQL: %v, %v", cols, err)
	}

	cfg := srv.Settings("fragments")
	cfg.User, cfg.Password = "noselect", "noselect"
	nr, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer nr.Close()
	if _, err := nr.Columns(ctx, "typed"); err == nil || err.Error() != `no SELECT permission for user "noselect" on table "typed"` {
		t.Fatalf("Columns without SELECT: %v", err)
	}
	mustFail(t, nr, ctx, "SELECT x FROM typed", `no SELECT permission for user "noselect"`, "42501")
	mustFail(t, r, ctx, "SELECT nosuch FROM typed", "column missing", "42703")
	mustFail(t, r, ctx, "SELECT 1 FROM nosuchtable", "table missing", "42P01")
	mustFail(t, r, ctx, "SELECT CAST(v AS double precision) FROM (VALUES ('abc')) AS t(v)", "wrong type", "22P02")
}
