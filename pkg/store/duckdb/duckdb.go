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
	if err := limitMemory(db, cfg.MemoryLimitMB); err != nil {
		_ = db.Close()
		return nil, err
	}
	if files {
		if err := createFileView(db, cfg.Table, path); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
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

// limitMemory sets DuckDB's memory_limit (a database-wide setting) and points its spill files at a private
// temp directory: the directory next to a read-only store may not be writable. The values are numbers and a
// path the backend chose, rendered as literals because SET takes no parameters.
func limitMemory(db *sql.DB, mb int) error {
	if mb <= 0 {
		return nil
	}
	tmp := filepath.Join(os.TempDir(), "modelmon-duckdb-spill")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return fmt.Errorf("DuckDB spill directory: %w", err)
	}
	if _, err := db.Exec(fmt.Sprintf("SET memory_limit = '%dMB'", mb)); err != nil {
		return fmt.Errorf("set DuckDB memory limit: %w", err)
	}
	if _, err := db.Exec("SET temp_directory = " + literal(tmp)); err != nil {
		return fmt.Errorf("set DuckDB temp directory: %w", err)
	}
	return nil
}
