package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }

// gendemo --postgres writes the DuckDB store and copies every demo table into PostgreSQL with the same row
// counts; a second run without --force leaves the tables alone and says how to replace them.
func TestGendemoPostgres(t *testing.T) {
	srv := pgtest.Need(t)
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, "gendemo"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gendemo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	url := srv.URL(pgtest.Superuser, pgtest.SuperPassword, "gendemo")
	store := filepath.Join(dir, "demo.duckdb")
	out, err := exec.Command(bin, "--out", store, "--predictions", "5000", "--days", "7", "--postgres", url).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"Copied into PostgreSQL gendemo: inference_log 5000 rows",
		`CREATE INDEX "inference_log_model_id_ts_btree" ON "inference_log" USING btree ("model_id", "ts")`,
		`CREATE INDEX "inference_log_ts_brin" ON "inference_log" USING brin ("ts")`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, models int
	if err := conn.QueryRow(ctx, "SELECT count(*), count(DISTINCT model_id) FROM inference_log").Scan(&n, &models); err != nil || n != 5000 || models != 52 {
		t.Fatalf("inference_log: %d rows of %d models, %v", n, models, err)
	}
	out, err = exec.Command(bin, "--out", store, "--postgres", url).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "use --force to replace the demo tables") {
		t.Fatalf("second run without --force: %v\n%s", err, out)
	}
}
