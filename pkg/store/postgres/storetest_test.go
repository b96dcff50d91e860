package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// The engine-neutral store suite on PostgreSQL: each fixture in a database of its own, read through Open as a
// role that may only SELECT, over TLS checked against the test CA.
func TestStoreSuite(t *testing.T) {
	pgtest.Need(t)
	e := storetest.Engine{Name: "postgres", Open: openFixture}
	storetest.Run(t, e)
	storetest.RunNames(t, e)
}

// fixtureTypes maps the suite's neutral column types to PostgreSQL's.
var fixtureTypes = map[storetest.ColumnType]string{
	storetest.Timestamp: "timestamp",
	storetest.Text:      "text",
	storetest.Double:    "double precision",
	storetest.TextMap:   "jsonb",
}

var fixtureDBs atomic.Int64

// suiteReader is the role the suite's stores log in as.
const suiteReader, suiteReaderPassword = "suite_reader", "suite-pw"

// openFixture loads the fixture's tables into a new database with COPY and opens a store over it.
func openFixture(t *testing.T, f storetest.Fixture) store.Store {
	t.Helper()
	srv := pgtest.Need(t)
	ctx := context.Background()
	db := fmt.Sprintf("suite_%d", fixtureDBs.Add(1))
	if err := srv.CreateDatabase(ctx, db); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, srv.URL(pgtest.Superuser, pgtest.SuperPassword, db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tb := range f.Tables {
		cols := make([]string, len(tb.Columns))
		names := make([]string, len(tb.Columns))
		for i, c := range tb.Columns {
			cols[i], names[i] = quoteIdent(c.Name)+" "+fixtureTypes[c.Type], c.Name
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", quoteIdent(tb.Name), strings.Join(cols, ", "))); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{tb.Name}, names, pgx.CopyFromRows(tb.Rows)); err != nil {
			t.Fatalf("copy %s: %v", tb.Name, err)
		}
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN CREATE ROLE %s LOGIN PASSWORD '%s'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
		suiteReader, suiteReaderPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+suiteReader); err != nil {
		t.Fatal(err)
	}
	cfg := f.Settings
	base := srv.Settings(db)
	cfg.Engine, cfg.Path, cfg.Postgres = base.Engine, "", base.Postgres
	cfg.User, cfg.Password = suiteReader, suiteReaderPassword
	cfg.SSLMode, cfg.TLSCACert = "verify-full", srv.CACert
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
