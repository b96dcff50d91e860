package pgload

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }

// connect creates database db on the test server and connects to it as the superuser.
func connect(t *testing.T, db string) *pgx.Conn {
	t.Helper()
	srv := pgtest.Need(t)
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, db); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, srv.URL(pgtest.Superuser, pgtest.SuperPassword, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Every supported DuckDB type arrives with its value; a MAP becomes a jsonb object; the ordered table keeps its
// order; an existing table is replaced only when asked.
func TestCopyTypes(t *testing.T) {
	ctx := context.Background()
	duck, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	if _, err := duck.Exec(`CREATE TABLE t AS SELECT * FROM (VALUES
		(TIMESTAMP '2026-01-02 03:04:05.123456', TIMESTAMPTZ '2026-01-02 03:04:05+00', DATE '2026-01-02', 'b', 1.5::DOUBLE,
			'NaN'::DOUBLE, 7::BIGINT, 3::INTEGER, 2::TINYINT, true, 12.34::DECIMAL(10, 2), MAP {'age': '41', 'plan': 'gold'}),
		(TIMESTAMP '2026-01-01 00:00:00', NULL, NULL, 'a', NULL, 'Infinity'::DOUBLE, NULL, NULL, NULL, NULL, NULL, NULL)
		) AS v(ts, tz, d, s, x, y, big, i, tiny, b, dec, fm)`); err != nil {
		t.Fatal(err)
	}
	pg := connect(t, "copytypes")
	n, err := Copy(ctx, duck, pg, []Table{{Name: "t", OrderBy: "ts"}}, false)
	if err != nil || n["t"] != 2 {
		t.Fatalf("copied %v, %v", n, err)
	}
	var types string
	if err := pg.QueryRow(ctx, `SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = 't'::regclass AND attnum > 0`).Scan(&types); err != nil {
		t.Fatal(err)
	}
	if want := "timestamp without time zone, timestamp with time zone, date, text, double precision, double precision, bigint, integer, smallint, boolean, numeric(10,2), jsonb"; types != want {
		t.Fatalf("types %s\nwant %s", types, want)
	}
	var rows []string
	r, err := pg.Query(ctx, `SELECT concat_ws('|', ts, tz AT TIME ZONE 'UTC', d, s, x, y, big, i, tiny, b, dec, fm) FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var s string
		_ = r.Scan(&s)
		rows = append(rows, s)
	}
	r.Close()
	want := []string{"2026-01-01 00:00:00|a|Infinity", `2026-01-02 03:04:05.123456|2026-01-02 03:04:05|2026-01-02|b|1.5|NaN|7|3|2|t|12.34|{"age": "41", "plan": "gold"}`}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows in physical order:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Copy(ctx, duck, pg, []Table{{Name: "t"}}, false); err == nil || !strings.Contains(err.Error(), `relation "t" already exists`) {
		t.Fatalf("copy over an existing table: %v", err)
	}
	if n, err := Copy(ctx, duck, pg, []Table{{Name: "t"}}, true); err != nil || n["t"] != 2 {
		t.Fatalf("replace: %v, %v", n, err)
	}
	if _, err := duck.Exec(`CREATE TABLE odd (l INTEGER[])`); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, duck, pg, []Table{{Name: "odd"}}, false); err == nil || !strings.Contains(err.Error(), "column l has DuckDB type INTEGER[]") {
		t.Fatalf("unsupported type: %v", err)
	}
}

// The recommended indexes prune: on the demo fleet loaded in time order, the planner answers one model's day
// from the (model_id, ts) btree and the whole fleet's day from the BRIN index on ts, reading only the block
// ranges of that day.
func TestIndexesPrune(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.duckdb")
	if _, err := demo.Generate(ctx, path, demo.Options{Predictions: 100_000, Days: 35, TrainingRows: 1000}); err != nil {
		t.Fatal(err)
	}
	duck, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	pg := connect(t, "demo")
	if _, err := Copy(ctx, duck, pg, []Table{{Name: demo.TableLog, OrderBy: "ts"}, {Name: demo.TableLabel}}, false); err != nil {
		t.Fatal(err)
	}
	if err := CreateIndexes(ctx, pg, Indexes(demo.TableLog, "model_id", "ts", demo.TableLabel, "prediction_id")); err != nil {
		t.Fatal(err)
	}
	day := demo.DefaultStart.AddDate(0, 0, 20)
	for _, c := range []struct {
		where string
		args  []any
		index string
	}{
		{`model_id = $1 AND ts >= $2 AND ts < $3`, []any{"churn", day, day.Add(24 * time.Hour)}, "inference_log_model_id_ts_btree"},
		{`ts >= $1 AND ts < $2`, []any{day, day.Add(24 * time.Hour)}, "inference_log_ts_brin"},
	} {
		var plan []byte
		if err := pg.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT count(*), avg(score) FROM inference_log WHERE `+c.where, c.args...).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(plan), `"Index Name": "`+c.index+`"`) {
			t.Errorf("%s: the plan does not use %s:\n%s", c.where, c.index, plan)
		}
	}
}
