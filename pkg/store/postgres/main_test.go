package postgres

import (
	"context"
	"os"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// The package's tests share one throw-away server with a database "fragments" for the dialect and runner tests.
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(srv *pgtest.Server) error {
		return srv.CreateDatabase(context.Background(), "fragments")
	}))
}

// testRunner is a Runner on database db, closed at the end of the test.
func testRunner(t *testing.T, db string) (*Runner, *pgtest.Server) {
	t.Helper()
	srv := pgtest.Need(t)
	r, err := NewRunner(srv.Settings(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r, srv
}
