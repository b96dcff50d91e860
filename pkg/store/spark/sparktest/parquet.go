package sparktest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver, for ExportParquet

	"github.com/aiops/modelmonitor/pkg/pgload"
)

// ExportParquet writes each table of the DuckDB file at path as dir/<table>/part-0.parquet (DuckDB's COPY; a
// table with OrderBy in that order, so that Parquet's row-group statistics prune time ranges).
func ExportParquet(ctx context.Context, path, dir string, tables []pgload.Table) error {
	duck, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return err
	}
	defer duck.Close()
	for _, tb := range tables {
		tdir := filepath.Join(dir, tb.Name)
		if err := os.MkdirAll(tdir, 0o755); err != nil {
			return err
		}
		order := ""
		if tb.OrderBy != "" {
			order = " ORDER BY " + tb.OrderBy
		}
		file := filepath.Join(tdir, "part-0.parquet")
		if _, err := duck.ExecContext(ctx, fmt.Sprintf("COPY (SELECT * FROM %s%s) TO '%s' (FORMAT parquet)", tb.Name, order, file)); err != nil {
			return err
		}
	}
	return nil
}

// RegisterParquet creates schema on the server at url with one Parquet table per table, reading the files
// ExportParquet wrote into dir/<table>.
func RegisterParquet(ctx context.Context, url, schema, dir string, tables []pgload.Table) error {
	stmts := []string{"CREATE SCHEMA " + schema}
	for _, tb := range tables {
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s.%s USING parquet LOCATION '%s'", schema, tb.Name, filepath.Join(dir, tb.Name)))
	}
	return Exec(ctx, url, stmts...)
}
