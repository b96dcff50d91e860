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
	storetest.Run(t, storetest.Engine{Name: "memory", Open: func(t *testing.T, f storetest.Fixture) store.Store {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		load(t, db, f.Tables)
		return sqlstore.New(f.Settings, Dialect{}, runner{db: db})
	}})
}

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
