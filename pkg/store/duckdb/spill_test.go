package duckdb

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Stores spill into the process's own fresh directory (mode 0700, owned by this process), which DuckDB uses: no
// fixed shared name another user could create first.
func TestSpillDirectoryIsPrivate(t *testing.T) {
	cfg := writeStore(t)
	db, err := openDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, err := spillDir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != filepath.Clean(os.TempDir()) || filepath.Base(dir) == "modelmon-duckdb-spill" {
		t.Fatalf("spill directory %q, want a fresh name in %s", dir, os.TempDir())
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 || fi.Sys().(*syscall.Stat_t).Uid != uint32(os.Getuid()) {
		t.Fatalf("spill directory mode %v uid %d", fi.Mode().Perm(), fi.Sys().(*syscall.Stat_t).Uid)
	}
	var used string
	if err := db.QueryRow("SELECT current_setting('temp_directory')").Scan(&used); err != nil || used != dir {
		t.Fatalf("DuckDB temp_directory %q (%v), want %q", used, err, dir)
	}
}
