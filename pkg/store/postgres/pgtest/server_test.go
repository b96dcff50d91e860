package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m, nil)) }

// The throw-away server answers on its loopback port with password authentication, refuses a wrong password,
// and runs as a non-root user.
func TestServerAnswers(t *testing.T) {
	srv := Need(t)
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, "probe"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, srv.URL(Superuser, SuperPassword, "probe"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var one int
	var version string
	if err := conn.QueryRow(ctx, "SELECT 1, current_setting('server_version_num')").Scan(&one, &version); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	t.Logf("server_version_num %s on port %d", version, srv.Port)
	if _, err := pgx.Connect(ctx, srv.URL(Superuser, "wrong", "probe")); err == nil {
		t.Fatal("a wrong password connected")
	}
}
