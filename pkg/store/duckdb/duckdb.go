// Package duckdb is the embedded store adapter: DuckDB inside the backend process, over a DuckDB file (opened
// read-only) or over Parquet/CSV files (read through a view in an in-memory database, so nothing is written).
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Store reads inference logs with DuckDB.
type Store struct {
	db  *sql.DB
	cfg settings.Settings

	mu     sync.Mutex
	tables map[string]map[string]string // lower-case table → lower-case column → DuckDB type
	keys   *mapKeyList                  // keys of the MAP feature column, when one is mapped
}

var _ store.Store = (*Store)(nil)

// Open opens the store the settings point at. A path ending in .parquet or .csv, or holding a glob, is read as
// files; anything else must be an existing DuckDB database file.
func Open(cfg settings.Settings) (*Store, error) {
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
	return &Store{db: db, cfg: cfg, tables: map[string]map[string]string{}}, nil
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
	lit := "'" + strings.ReplaceAll(path, "'", "''") + "'"
	_, err := db.Exec(fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s(%s)", quote(table), reader, lit))
	if err != nil {
		return fmt.Errorf("read files %q: %w", path, err)
	}
	return nil
}

// limitMemory sets DuckDB's memory_limit (a database-wide setting) and points its spill files at the process's
// private temp directory (spillDir): the directory next to a read-only store may not be writable. The values are
// numbers and a path the backend chose, rendered as literals because SET takes no parameters.
func limitMemory(db *sql.DB, mb int) error {
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
	if _, err := db.Exec("SET temp_directory = '" + strings.ReplaceAll(tmp, "'", "''") + "'"); err != nil {
		return fmt.Errorf("set DuckDB temp directory: %w", err)
	}
	return nil
}

// spillDir is this process's spill directory, created once by os.MkdirTemp: a fresh name, mode 0700, owned by
// this process — not a fixed shared name another user could create (or link elsewhere) first. It is one per
// process, not per store, because DuckDB shares one database instance (and its temp_directory setting) between
// the stores of a process that open the same file.
var spillDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "modelmon-duckdb-spill-") })

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// quote renders a validated identifier as a quoted SQL identifier.
func quote(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }

func (s *Store) queryRows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("query cancelled or timed out: %w", ctx.Err())
		}
		return nil, fmt.Errorf("DuckDB query failed: %w", err)
	}
	return rows, nil
}
