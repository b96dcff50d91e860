package postgres

import (
	"context"
	"os"
	"testing"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// The package's tests share one throw-away server with a database "fragments" for the dialect and runner tests.
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(srv *pgtest.Server) error {
		return srv.CreateDatabase(context.Background(), "fragments")
	}))
}

// testSettings are the settings of a data source on the test server's database db, as the superuser.
func testSettings(srv *pgtest.Server, db string) settings.Settings {
	cfg := settings.Defaults()
	cfg.Engine, cfg.Path = settings.EnginePostgres, ""
	cfg.Postgres = settings.Postgres{Host: srv.Host, Port: srv.Port, Database: db, User: pgtest.Superuser,
		SSLMode: settings.SSLDisable, MaxConnections: 2}
	cfg.Password = pgtest.SuperPassword
	return cfg
}

// testRunner is a Runner on database db, closed at the end of the test.
func testRunner(t *testing.T, db string) (*Runner, *pgtest.Server) {
	t.Helper()
	srv := pgtest.Need(t)
	r, err := NewRunner(testSettings(srv, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r, srv
}
