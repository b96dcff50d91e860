package duckdb

import (
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// The engine-neutral store suite on DuckDB: a database file opened by Open (read-only), and an in-memory
// database.
func TestStoreSuite(t *testing.T) {
	file := storetest.Engine{Name: "file", Open: func(t *testing.T, f storetest.Fixture) store.Store {
		path := filepath.Join(t.TempDir(), "suite.duckdb")
		db, err := sql.Open("duckdb", path)
		if err != nil {
			t.Fatal(err)
		}
		load(t, db, f.Tables)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		f.Settings.Path = path
		st, err := Open(f.Settings)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}}
	storetest.Run(t, file)
	storetest.RunNames(t, file)
	for name, d := range map[string]sqlstore.Dialect{"memory": Dialect{}, "memory-numbered": numbered{}, "memory-long": long{Dialect{}}} {
		storetest.Run(t, storetest.Engine{Name: name, Open: func(t *testing.T, f storetest.Fixture) store.Store {
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			load(t, db, f.Tables)
			return sqlstore.New(f.Settings, d, runner{db: db})
		}})
	}
}

// numbered is DuckDB's dialect with the forms of an engine without DuckDB's shortcuts, which DuckDB also reads:
// numbered placeholders ($n, as PostgreSQL), GROUP BY ordinals rather than ALL, and no QUALIFY. The suite passing
// on it shows that the statements bind their values by number and list their keys first, as such engines need.
type numbered struct{ Dialect }

func (numbered) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

func (numbered) GroupBy(keys int) string {
	ords := make([]string, keys)
	for i := range ords {
		ords[i] = fmt.Sprint(i + 1)
	}
	return "GROUP BY " + strings.Join(ords, ", ")
}

func (numbered) TopN(q sqlstore.TopN) string {
	return fmt.Sprintf("SELECT %s FROM (SELECT %s, row_number() OVER (PARTITION BY %s ORDER BY %s) AS mm_rank FROM %s) mm_ranked WHERE %s OR mm_rank <= %s",
		strings.Join(q.Names, ", "), strings.Join(q.Select, ", "), q.PartitionBy, q.OrderBy, q.From, q.Keep, q.Limit)
}

// long is DuckDB's dialect without its grid binning (sqlstore.GridDialect): the numeric counts take the long form
// that the other engines run, each distinct value joined to its feature's edges.
type long struct{ sqlstore.MapDialect }

// fixtureColumns is how each fixture column type is created and bound: its DuckDB type and its value's marker
// (times bound as text, maps as two lists).
var fixtureColumns = map[storetest.ColumnType]struct{ typ, mark string }{
	storetest.Timestamp: {"TIMESTAMP", "CAST(? AS TIMESTAMP)"},
	storetest.Text:      {"VARCHAR", "?"},
	storetest.Double:    {"DOUBLE", "?"},
	storetest.TextMap:   {"MAP(VARCHAR, VARCHAR)", "map(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]))"},
}

// load creates the fixture tables in db.
func load(t *testing.T, db *sql.DB, tables []storetest.Table) {
	t.Helper()
	for _, tb := range tables {
		cols := make([]string, len(tb.Columns))
		marks := make([]string, len(tb.Columns))
		for i, c := range tb.Columns {
			col := fixtureColumns[c.Type]
			cols[i], marks[i] = Dialect{}.Quote(c.Name)+" "+col.typ, col.mark
		}
		if _, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (%s)", Dialect{}.Quote(tb.Name), strings.Join(cols, ", "))); err != nil {
			t.Fatal(err)
		}
		insert := fmt.Sprintf("INSERT INTO %s VALUES (%s)", Dialect{}.Quote(tb.Name), strings.Join(marks, ", "))
		for _, row := range tb.Rows {
			var args []any
			for i, v := range row {
				switch v := v.(type) {
				case time.Time:
					args = append(args, v.Format("2006-01-02 15:04:05"))
				case map[string]string:
					keys := slices.Sorted(maps.Keys(v))
					vals := make([]string, len(keys))
					for j, k := range keys {
						vals[j] = v[k]
					}
					args = append(args, keys, vals)
				default:
					if v == nil && tb.Columns[i].Type == storetest.TextMap {
						args = append(args, nil, nil)
						continue
					}
					args = append(args, v)
				}
			}
			if _, err := db.Exec(insert, args...); err != nil {
				t.Fatalf("insert into %s %v: %v", tb.Name, row, err)
			}
		}
	}
}
