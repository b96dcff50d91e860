package duckdb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// runner runs sqlstore's statements on a DuckDB database through database/sql.
type runner struct{ db *sql.DB }

var _ sqlstore.Runner = runner{}

// Query runs one statement; its rows scan DuckDB lists into *[]float64.
func (r runner) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return listRows{rows}, nil
}

// Columns reads information_schema.columns: lower-case name → upper-case DuckDB type (e.g. `MAP(VARCHAR,
// DOUBLE)`, `TIMESTAMP WITH TIME ZONE`); nil when the table does not exist.
func (r runner) Columns(ctx context.Context, table string) (map[string]string, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE lower(table_name) = ? ORDER BY ordinal_position`, strings.ToLower(table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols map[string]string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		if cols == nil {
			cols = map[string]string{}
		}
		cols[strings.ToLower(name)] = strings.ToUpper(typ)
	}
	return cols, rows.Err()
}

// Ping checks the database answers.
func (r runner) Ping(ctx context.Context) error { return r.db.PingContext(ctx) }

// Close closes the database.
func (r runner) Close() error { return r.db.Close() }

// listRows is *sql.Rows whose Scan also fills a *[]float64 from a DuckDB LIST (which the driver returns as
// []any): NULL gives nil, NULL elements are left out.
type listRows struct{ *sql.Rows }

func (r listRows) Scan(dest ...any) error {
	lists := map[int]*[]float64{}
	raw := make([]any, len(dest))
	for i, d := range dest {
		if l, ok := d.(*[]float64); ok {
			lists[i] = l
			raw[i] = new(any)
		} else {
			raw[i] = d
		}
	}
	if err := r.Rows.Scan(raw...); err != nil {
		return err
	}
	for i, l := range lists {
		items, _ := (*raw[i].(*any)).([]any)
		*l = nil
		for _, v := range items {
			if f, ok := v.(float64); ok {
				*l = append(*l, f)
			}
		}
	}
	return nil
}
