package duckdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiops/modelmonitor/pkg/settings"
)

func writeStore(t *testing.T) settings.Settings {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE AS ts,
		'm' AS model_id, 'v1' AS model_version, 'p' || i AS prediction_id, 'EU' AS region, 'web' AS channel,
		i::DOUBLE AS x, 0.0 AS prediction, 0.5 AS score FROM range(100) t(i)`); err != nil {
		t.Fatal(err)
	}
	cfg := settings.Defaults()
	cfg.Path = path
	return cfg
}

// writeParquet copies the store's log to part-0.parquet in a new directory, and returns the directory.
func writeParquet(t *testing.T, cfg settings.Settings) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`COPY inference_log TO '` + filepath.Join(dir, "part-0.parquet") + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The user's store is only read: the file is opened read-only, so DuckDB itself refuses any write.
func TestOpensReadOnly(t *testing.T) {
	db, err := openDB(writeStore(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE intruder (i INTEGER)`)
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write on the store: %v, want a read-only refusal", err)
	}
}

// Parquet files are read through a view in a private in-memory database, with the same results.
func TestParquetFiles(t *testing.T) {
	cfg := writeStore(t)
	dir := writeParquet(t, cfg)
	cfg.Path = filepath.Join(dir, "*.parquet")
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	fs, err := s.Features(context.Background(), "m")
	if err != nil || len(fs) != 1 || fs[0].Name != "x" || fs[0].Type != "numeric" || fs[0].Importance != nil {
		t.Fatalf("features inferred from a registry-less Parquet store: %+v %v", fs, err)
	}
	cfg.Path = filepath.Join(dir, "none-*.parquet")
	if _, err := Open(cfg); err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Fatalf("empty glob: %v", err)
	}
}

func TestBinSearchCountsEdgesAtOrBelow(t *testing.T) {
	// With edges e = [1, 2, 3] padded to 3, the tree must return 0 below 1, 1 on [1,2), 2 on [2,3), 3 from 3.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	expr := Dialect{}.BinIndex("v", "e", Dialect{}.EdgeSlots(3))
	for v, want := range map[float64]int{0.5: 0, 1: 1, 1.5: 1, 2: 2, 2.99: 2, 3: 3, 1e300: 3} {
		var got int
		if err := db.QueryRow(`SELECT `+expr+` FROM (SELECT ?::DOUBLE AS v, [1.0, 2.0, 3.0] AS e)`, v).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("bin of %g = %d, want %d", v, got, want)
		}
	}
}

// The configured memory limit reaches DuckDB, and a cancelled context stops a query with a clear error.
func TestMemoryLimitAndCancellation(t *testing.T) {
	cfg := writeStore(t)
	cfg.MemoryLimitMB = 512
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := openDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var limit string
	if err := db.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&limit); err != nil || !strings.HasPrefix(limit, "488.2 MiB") && !strings.HasPrefix(limit, "512") {
		t.Fatalf("memory_limit = %q (%v), want 512 MB", limit, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Models(ctx); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("cancelled query: %v", err)
	}
}

// Once the store is open, DuckDB's external access is off: no statement can read a file outside the store (here
// /etc/passwd through read_csv_auto) or attach another database, and the store itself still reads — a DuckDB file,
// and Parquet files through their view.
func TestExternalAccessDisabled(t *testing.T) {
	cfg := writeStore(t)
	dir := writeParquet(t, cfg)
	db, err := openDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`SELECT * FROM read_csv_auto('/etc/passwd')`, `ATTACH '` + filepath.Join(t.TempDir(), "other.duckdb") + `'`} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "disabled by configuration") {
			t.Errorf("%s: %v, want a refusal", q, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM inference_log`).Scan(&n); err != nil || n != 100 {
		t.Fatalf("the store after disabling external access: %d rows, %v", n, err)
	}
	if _, err := db.Exec(`SET enable_external_access = true`); err == nil {
		t.Error("external access could be turned back on")
	}
	// A second store over the same file shares DuckDB's instance, locked down by the first: it opens all the same.
	again, err := Open(cfg)
	if err != nil {
		t.Fatalf("second store over the same file: %v", err)
	}
	defer again.Close()
	if err := again.Health(context.Background()); err != nil {
		t.Fatal(err)
	}

	cfg.Path = filepath.Join(dir, "*.parquet")
	files, err := openDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	if err := files.QueryRow(`SELECT count(*) FROM inference_log`).Scan(&n); err != nil || n != 100 {
		t.Fatalf("Parquet files after disabling external access: %d rows, %v", n, err)
	}
	if _, err := files.Exec(`SELECT * FROM read_csv_auto('/etc/passwd')`); err == nil {
		t.Error("a file outside the store's directory was read")
	}
}
