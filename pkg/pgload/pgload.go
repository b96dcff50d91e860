// Package pgload copies tables of a DuckDB database (such as the demo store pkg/demo writes) into PostgreSQL
// with COPY (pgx CopyFrom, binary format), and creates the indexes this project recommends for inference logs
// in PostgreSQL:
//
//   - a btree on (model column, time column): every aggregate of one model and time range reads only its rows;
//   - a BRIN index on the time column: a few kilobytes for a large append-only log whose rows arrive in time
//     order, and a fleet query over a time range skips every block range outside it
//     (https://www.postgresql.org/docs/15/brin-intro.html);
//   - a btree on the labels table's prediction id, for the join of late labels.
//
// The log table is copied in time order, as an append-only log is written, which is what lets BRIN prune.
package pgload

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Table is one table to copy. OrderBy, when set, is a column the rows are copied in the order of (the log's time
// column, so that the physical order follows time).
type Table struct {
	Name    string
	OrderBy string
}

// Copy creates each table in pg with the PostgreSQL types of its DuckDB columns (pgType) and copies its rows
// with COPY. With replace, an existing table of the same name is dropped first; without, it is an error. It
// returns the rows copied per table.
func Copy(ctx context.Context, duck *sql.DB, pg *pgx.Conn, tables []Table, replace bool) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range tables {
		n, err := copyTable(ctx, duck, pg, t, replace)
		if err != nil {
			return out, fmt.Errorf("copy %s: %w", t.Name, err)
		}
		out[t.Name] = n
	}
	return out, nil
}

// column is one column of a DuckDB table and how it travels.
type column struct {
	name, duckType, pgType string
	json                   bool // a MAP or STRUCT, copied as its JSON text into jsonb
}

func copyTable(ctx context.Context, duck *sql.DB, pg *pgx.Conn, t Table, replace bool) (int64, error) {
	cols, err := duckColumns(ctx, duck, t.Name)
	if err != nil {
		return 0, err
	}
	defs := make([]string, len(cols))
	sel := make([]string, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = ident(c.name) + " " + c.pgType
		sel[i] = ident(c.name)
		if c.json {
			sel[i] = "CAST(to_json(" + ident(c.name) + ") AS VARCHAR)"
		}
		names[i] = c.name
	}
	if replace {
		if _, err := pg.Exec(ctx, "DROP TABLE IF EXISTS "+ident(t.Name)); err != nil {
			return 0, err
		}
	}
	if _, err := pg.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", ident(t.Name), strings.Join(defs, ", "))); err != nil {
		return 0, err
	}
	q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(sel, ", "), ident(t.Name))
	if t.OrderBy != "" {
		q += " ORDER BY " + ident(t.OrderBy)
	}
	rows, err := duck.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n, err := pg.CopyFrom(ctx, pgx.Identifier{t.Name}, names, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		return vals, nil
	}))
	if err != nil {
		return n, err
	}
	_, err = pg.Exec(ctx, "ANALYZE "+ident(t.Name))
	return n, err
}

// duckColumns reads a DuckDB table's columns and maps their types.
func duckColumns(ctx context.Context, duck *sql.DB, table string) ([]column, error) {
	rows, err := duck.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.duckType); err != nil {
			return nil, err
		}
		if c.pgType, c.json = pgType(c.duckType); c.pgType == "" {
			return nil, fmt.Errorf("column %s has DuckDB type %s, which has no PostgreSQL counterpart here", c.name, c.duckType)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no DuckDB table %q", table)
	}
	return cols, nil
}

// pgType maps a DuckDB column type to the PostgreSQL type it is copied into ("" = not supported); json says the
// value travels as JSON text (a MAP or STRUCT becomes a jsonb object, the layout of a JSONB feature column).
func pgType(duckType string) (typ string, json bool) {
	t := strings.ToUpper(duckType)
	switch {
	case t == "DOUBLE":
		return "double precision", false
	case t == "FLOAT" || t == "REAL":
		return "real", false
	case t == "BIGINT":
		return "bigint", false
	case t == "INTEGER":
		return "integer", false
	case t == "SMALLINT" || t == "TINYINT":
		return "smallint", false
	case t == "BOOLEAN":
		return "boolean", false
	case t == "VARCHAR":
		return "text", false
	case t == "DATE":
		return "date", false
	case t == "TIMESTAMP":
		return "timestamp", false
	case t == "TIMESTAMP WITH TIME ZONE":
		return "timestamptz", false
	case strings.HasPrefix(t, "DECIMAL"):
		return "numeric" + strings.TrimPrefix(t, "DECIMAL"), false
	case strings.HasPrefix(t, "MAP("), strings.HasPrefix(t, "STRUCT("), t == "JSON":
		return "jsonb", true
	}
	return "", false
}

// Index is one recommended index: its name, the table and the CREATE INDEX statement.
type Index struct {
	Name, Table, SQL string
}

// Indexes are the recommended indexes of a log table (model column, time column) and a labels table
// (prediction id column; labels "" = none), named <table>_<columns>_<kind>.
func Indexes(log, modelCol, timeCol, labels, predictionIDCol string) []Index {
	mk := func(table, name, using, cols string) Index {
		return Index{Name: name, Table: table, SQL: fmt.Sprintf("CREATE INDEX %s ON %s USING %s (%s)", ident(name), ident(table), using, cols)}
	}
	out := []Index{
		mk(log, log+"_"+modelCol+"_"+timeCol+"_btree", "btree", ident(modelCol)+", "+ident(timeCol)),
		mk(log, log+"_"+timeCol+"_brin", "brin", ident(timeCol)),
	}
	if labels != "" {
		out = append(out, mk(labels, labels+"_"+predictionIDCol+"_btree", "btree", ident(predictionIDCol)))
	}
	return out
}

// CreateIndexes creates the indexes and refreshes the tables' statistics.
func CreateIndexes(ctx context.Context, pg *pgx.Conn, idx []Index) error {
	analyzed := map[string]bool{}
	for _, i := range idx {
		if _, err := pg.Exec(ctx, i.SQL); err != nil {
			return fmt.Errorf("%s: %w", i.SQL, err)
		}
	}
	for _, i := range idx {
		if !analyzed[i.Table] {
			analyzed[i.Table] = true
			if _, err := pg.Exec(ctx, "ANALYZE "+ident(i.Table)); err != nil {
				return err
			}
		}
	}
	return nil
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }
