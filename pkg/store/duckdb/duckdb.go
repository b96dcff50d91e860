// Package duckdb is the embedded store adapter: DuckDB inside the backend process, over a DuckDB file (opened
// read-only) or over Parquet/CSV files (read through a view in an in-memory database, so nothing is written).
// The statements are sqlstore's; this package holds DuckDB's dialect, its database/sql runner and Open.
package duckdb

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Open opens the store the settings point at. A path ending in .parquet or .csv, or holding a glob, is read as
// files; anything else must be an existing DuckDB database file.
func Open(cfg settings.Settings) (*sqlstore.Store, error) {
	db, err := openDB(cfg)
	if err != nil {
		return nil, err
	}
	return sqlstore.New(cfg, Dialect{}, runner{db: db}), nil
}

// openDB opens and configures the database of Open.
func openDB(cfg settings.Settings) (*sql.DB, error) {
	path := cfg.Path
	lower := strings.ToLower(path)
	files := strings.ContainsAny(path, "*?[") || strings.HasSuffix(lower, ".parquet") || strings.HasSuffix(lower, ".csv")
	if !files {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("DuckDB file %q cannot be opened: %w", path, err)
		}
	}
	dsn := path + "?access_mode=read_only"
	if files {
		dsn = ""
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("open DuckDB %q: %w", path, err)
	}
	// Bound the connections: each DuckDB query already uses every core, and concurrent dashboard queries must
	// queue rather than multiply memory.
	db.SetMaxOpenConns(4)
	// DuckDB shares one database instance between the opens of one file in a process: when an earlier store
	// (another data source instance over the same file) has already locked it down, its spill directory and
	// access settings stand, and DuckDB refuses to change them.
	var access bool
	if err := db.QueryRow("SELECT CAST(current_setting('enable_external_access') AS BOOLEAN)").Scan(&access); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open DuckDB %q: %w", path, err)
	}
	if err := limitMemory(db, cfg.MemoryLimitMB, access); err != nil {
		_ = db.Close()
		return nil, err
	}
	if !access {
		return db, nil
	}
	var allowed []string
	if cfg.MemoryLimitMB > 0 {
		dir, err := spillDir()
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("DuckDB spill directory: %w", err)
		}
		allowed = append(allowed, dir)
	}
	if files {
		if err := createFileView(db, cfg.Table, path); err != nil {
			_ = db.Close()
			return nil, err
		}
		allowed = append(allowed, fileRoot(path))
	}
	if err := disableExternalAccess(db, allowed); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// disableExternalAccess turns DuckDB's file system and extension access off for the rest of the database's life
// (DuckDB refuses to turn it back on), a second line of defence behind quoting and binding: no statement can
// then read or attach a file outside the allowed directories (the store's files and the spill directory), load an
// extension or reach the network. A DuckDB store file is already open and stays readable.
func disableExternalAccess(db *sql.DB, allowed []string) error {
	if len(allowed) > 0 {
		dirs := make([]string, len(allowed))
		for i, d := range allowed {
			dirs[i] = literal(strings.TrimSuffix(d, string(filepath.Separator)) + string(filepath.Separator))
		}
		if _, err := db.Exec("SET allowed_directories = [" + strings.Join(dirs, ", ") + "]"); err != nil {
			return fmt.Errorf("set DuckDB allowed directories: %w", err)
		}
	}
	if _, err := db.Exec("SET enable_external_access = false"); err != nil {
		return fmt.Errorf("disable DuckDB external access: %w", err)
	}
	return nil
}

// fileRoot is the directory a file path or glob reads from: its longest leading directory without a glob.
func fileRoot(path string) string {
	dir := filepath.Dir(path)
	for strings.ContainsAny(dir, "*?[") {
		dir = filepath.Dir(dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return abs
}

// createFileView exposes Parquet/CSV files as the configured table in the private in-memory database. The path
// is administrator configuration, not query input; it is still escaped as a string literal.
func createFileView(db *sql.DB, table, path string) error {
	reader := "read_parquet"
	if strings.HasSuffix(strings.ToLower(path), ".csv") {
		reader = "read_csv_auto"
	}
	if matches, _ := filepath.Glob(path); len(matches) == 0 {
		return fmt.Errorf("no files match %q", path)
	}
	_, err := db.Exec(fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s(%s)", Dialect{}.Quote(table), reader, literal(path)))
	if err != nil {
		return fmt.Errorf("read files %q: %w", path, err)
	}
	return nil
}

// limitMemory sets DuckDB's memory_limit (a database-wide setting) and, with spill, points its spill files at the
// process's private temp directory (spillDir): the directory next to a read-only store may not be writable. The
// values are numbers and a path the backend chose, rendered as literals because SET takes no parameters.
func limitMemory(db *sql.DB, mb int, spill bool) error {
	if mb <= 0 {
		return nil
	}
	tmp, err := spillDir()
	if err != nil {
		return fmt.Errorf("DuckDB spill directory: %w", err)
	}
	if _, err := db.Exec(fmt.Sprintf("SET memory_limit = '%dMB'", mb)); err != nil {
		return fmt.Errorf("set DuckDB memory limit: %w", err)
	}
	if !spill {
		return nil
	}
	if _, err := db.Exec("SET temp_directory = " + literal(tmp)); err != nil {
		return fmt.Errorf("set DuckDB temp directory: %w", err)
	}
	return nil
}

// spillDir is this process's spill directory, created once by os.MkdirTemp: a fresh name, mode 0700, owned by
// this process — not a fixed shared name another user could create (or link elsewhere) first. It is one per
// process, not per store, because DuckDB shares one database instance (and its temp_directory setting) between
// the stores of a process that open the same file.
var spillDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "modelmon-duckdb-spill-") })
