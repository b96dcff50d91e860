package spark_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/spark"
	"github.com/aiops/modelmonitor/pkg/store/spark/sparktest"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// The engine-neutral store suite on Spark: each fixture's tables as Parquet tables in a schema of their own,
// read through Open.
func TestStoreSuite(t *testing.T) {
	sparktest.Need(t)
	e := storetest.Engine{Name: "spark", Open: openFixture}
	storetest.Run(t, e)
	storetest.RunNames(t, e)
}

// fixtureTypes maps the suite's neutral column types to Spark's (as the JSON rows carry them, and as stored).
var fixtureTypes = map[storetest.ColumnType][2]string{
	storetest.Timestamp: {"STRING", "TIMESTAMP_NTZ"},
	storetest.Text:      {"STRING", "STRING"},
	storetest.Double:    {"DOUBLE", "DOUBLE"},
	storetest.TextMap:   {"MAP<STRING, STRING>", "MAP<STRING, STRING>"},
}

var fixtureSchemas atomic.Int64

// openFixture loads the fixture's tables into a new schema and opens a store over it.
func openFixture(t *testing.T, f storetest.Fixture) store.Store {
	t.Helper()
	st, err := spark.Open(loadFixture(t, f))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// loadFixture loads the fixture's tables into a new schema (dropped at the end of the test) and returns the
// fixture's settings for a Spark data source reading it.
func loadFixture(t *testing.T, f storetest.Fixture) settings.Settings {
	t.Helper()
	url := sparktest.Need(t)
	db := fmt.Sprintf("suite_%d_%d", time.Now().UnixNano()%1e9, fixtureSchemas.Add(1))
	if err := sparktest.Exec(ctx, url, "CREATE SCHEMA "+db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sparktest.Exec(ctx, url, "DROP SCHEMA "+db+" CASCADE") })
	for _, tb := range f.Tables {
		if err := loadTable(url, db, tb); err != nil {
			t.Fatal(err)
		}
	}
	cfg := f.Settings
	base := sparktest.Settings(url, db)
	cfg.Engine, cfg.Path, cfg.Spark, cfg.Database, cfg.QueryTimeoutSecs = base.Engine, "", base.Spark, db, base.QueryTimeoutSecs
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// loadTable creates a Parquet table and inserts the rows, sent as one bound JSON value (jsonRows) and cast to
// the column types.
func loadTable(url, db string, tb storetest.Table) error {
	defs, fields, casts := make([]string, len(tb.Columns)), make([]string, len(tb.Columns)), make([]string, len(tb.Columns))
	for i, c := range tb.Columns {
		q := "`" + c.Name + "`"
		typ := fixtureTypes[c.Type]
		defs[i], fields[i], casts[i] = q+" "+typ[1], q+": "+typ[0], "CAST("+q+" AS "+typ[1]+")"
	}
	table := db + ".`" + tb.Name + "`"
	if err := sparktest.Exec(ctx, url, fmt.Sprintf("CREATE TABLE %s (%s) USING parquet", table, strings.Join(defs, ", "))); err != nil {
		return err
	}
	if len(tb.Rows) == 0 {
		return nil
	}
	rows, err := jsonRows(tb)
	if err != nil {
		return err
	}
	return sparktest.ExecArgs(ctx, url, fmt.Sprintf("INSERT INTO %s SELECT %s FROM (SELECT inline(from_json(:p1, 'ARRAY<STRUCT<%s>>')))",
		table, strings.Join(casts, ", "), strings.Join(fields, ", ")), rows)
}

// jsonRows renders the rows as a JSON array of objects; NaN and ±Inf as the bare tokens Spark's JSON reader
// accepts (allowNonNumericNumbers), times as UTC wall-clock text.
func jsonRows(tb storetest.Table) (string, error) {
	var b strings.Builder
	b.WriteString("[")
	for i, row := range tb.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("{")
		for j, v := range row {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(strconv.Quote(tb.Columns[j].Name) + ":")
			switch x := v.(type) {
			case float64:
				switch {
				case math.IsNaN(x):
					b.WriteString("NaN")
				case math.IsInf(x, 1):
					b.WriteString("Infinity")
				case math.IsInf(x, -1):
					b.WriteString("-Infinity")
				default:
					b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
				}
			case time.Time:
				b.WriteString(strconv.Quote(x.UTC().Format("2006-01-02 15:04:05.999999")))
			default:
				raw, err := json.Marshal(v)
				if err != nil {
					return "", err
				}
				b.Write(raw)
			}
		}
		b.WriteString("}")
	}
	b.WriteString("]")
	return b.String(), nil
}
