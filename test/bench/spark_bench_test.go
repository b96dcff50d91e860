package bench

// Spark benchmarks: the same queries as on DuckDB, read from the bench store written as Parquet beside it
// (<store>-parquet, written once and kept) and registered as Parquet tables of a new schema of the Spark Connect
// server at MODELMON_SPARK_URL; skipped without one. scripts/bench-spark.sh starts a local[2] server and runs
// them. Besides the Go process's CPU (cpu-s/op) each reports the server's (server-cpu-s/op: every process of
// the server's process group, when MODELMON_SPARK_DIR names it) and the size of what Spark sent back per query
// (rows-back/op, arrow-MB/op).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/pgload"
	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/spark"
	"github.com/aiops/modelmonitor/pkg/store/spark/sparktest"
)

var (
	sparkOnce sync.Once
	sparkCfg  settings.Settings
	sparkErr  error
)

// benchSpark registers (once per process) the bench store's tables on the server, writing their Parquet files
// the first time, and returns the settings of a data source reading them.
func benchSpark(b *testing.B) settings.Settings {
	url := sparktest.Need(b)
	path := benchStore(b)
	sparkOnce.Do(func() {
		ctx := context.Background()
		dir := strings.TrimSuffix(path, ".duckdb") + "-parquet"
		tables := []pgload.Table{{Name: demo.TableLog, OrderBy: "ts"}, {Name: demo.TableLabel}, {Name: demo.TableRegistry}, {Name: demo.TableTraining}}
		done := filepath.Join(dir, ".complete")
		if _, err := os.Stat(done); err != nil {
			if sparkErr = sparktest.ExportParquet(ctx, path, dir, tables); sparkErr != nil {
				return
			}
			if sparkErr = os.WriteFile(done, nil, 0o644); sparkErr != nil {
				return
			}
		}
		schema := sparktest.Schema("bench")
		if sparkErr = sparktest.RegisterParquet(ctx, url, schema, dir, tables); sparkErr != nil {
			return
		}
		sparkCfg = sparktest.Settings(url, schema)
		sparkCfg.QueryTimeoutSecs, sparkCfg.MaxConcurrentQueries = 3600, 4
	})
	if sparkErr != nil {
		b.Fatal(sparkErr)
	}
	return sparkCfg
}

func newSparkDatasource(b *testing.B) *plugin.Datasource { return plugin.New(benchSpark(b), nil) }

// sparkMeter reports, at the end of a benchmark, the server's CPU seconds and what Spark sent back, per op.
type sparkMeter struct {
	cpu          float64
	rows, arrowB int64
}

func startSparkMeter(b *testing.B) sparkMeter {
	benchSpark(b) // loaded outside the measurement
	rows, bytes := spark.Received()
	return sparkMeter{cpu: sparkServerCPU(), rows: rows, arrowB: bytes}
}

func (m sparkMeter) report(b *testing.B) {
	rows, bytes := spark.Received()
	n := float64(b.N)
	b.ReportMetric(float64(rows-m.rows)/n, "rows-back/op")
	b.ReportMetric(float64(bytes-m.arrowB)/n/1e6, "arrow-MB/op")
	if cpu := sparkServerCPU(); cpu > 0 {
		b.ReportMetric((cpu-m.cpu)/n, "server-cpu-s/op")
	}
}

// sparkServerCPU is the CPU time (user + system, in seconds) of the processes of the Spark server's process
// group (scripts/spark.sh's MODELMON_SPARK_DIR/group.pid), 0 when it is not known.
func sparkServerCPU() float64 {
	raw, err := os.ReadFile(filepath.Join(os.Getenv("MODELMON_SPARK_DIR"), "group.pid"))
	if err != nil {
		return 0
	}
	group := strings.TrimSpace(string(raw))
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks float64
	for _, p := range procs {
		stat, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: state ppid pgrp … utime (14th) stime (15th).
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 12 && f[2] == group {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			ticks += u + s
		}
	}
	return ticks / 100 // USER_HZ
}

// BenchmarkSparkHeatmapChurn is BenchmarkHeatmapChurn's cold query on Spark.
func BenchmarkSparkHeatmapChurn(b *testing.B) {
	m := startSparkMeter(b)
	coldQueries(b, "churn", newSparkDatasource, func() map[string]any {
		return map[string]any{"queryType": "driftHeatmap", "model": "churn", "metric": "auto", "window": "1d"}
	})
	m.report(b)
}

// BenchmarkSparkFleetDrift is BenchmarkFleetDrift on Spark.
func BenchmarkSparkFleetDrift(b *testing.B) {
	m := startSparkMeter(b)
	fleetDrift(b, newSparkDatasource)
	m.report(b)
}

// BenchmarkSparkFloorSQL is Spark's floor: a hand-written statement reading the same rows as the drift queries
// and producing a histogram per (model, day, feature) — fixed-width buckets, no reference pass, no quantiles,
// no statistics — as BenchmarkFloorSQL does on DuckDB, with Spark's unpivot (stack).
func BenchmarkSparkFloorSQL(b *testing.B) {
	for _, c := range []struct{ name, model string }{{"churn", "churn"}, {"fleet", ""}} {
		b.Run(c.name, func(b *testing.B) {
			rows := rowsRead(b, c.model)
			m := startSparkMeter(b)
			resetTimer(b)
			for i := 0; i < b.N; i++ {
				sparkScalar(b, sparkFloorSQL, refFrom.Format(naive), curTo.Format(naive), c.model)
			}
			report(b, rows)
			m.report(b)
		})
	}
}

const naive = "2006-01-02 15:04:05"

// sparkScalar runs a statement returning one BIGINT on the bench schema.
func sparkScalar(b *testing.B, q string, args ...any) int64 {
	r, err := spark.NewRunner(benchSpark(b))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rows, err := r.Query(context.Background(), q, args...)
	if err != nil {
		b.Fatalf("%v\n%s", err, q)
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
	return n
}

var sparkFloorSQL = fmt.Sprintf(`WITH src AS (
  SELECT * FROM inference_log WHERE ts >= CAST(:p1 AS TIMESTAMP_NTZ) AND ts < CAST(:p2 AS TIMESTAMP_NTZ) AND (:p3 = '' OR model_id = :p3)
),
n AS (SELECT model_id, date_trunc('DAY', ts) AS d, u.feature, floor(u.v / 10) AS b, count(*) AS c
  FROM src LATERAL VIEW stack(%s) u AS feature, v GROUP BY 1, 2, 3, 4),
k AS (SELECT model_id, date_trunc('DAY', ts) AS d, u.feature, u.v AS b, count(*) AS c
  FROM src LATERAL VIEW stack(%s) u AS feature, v GROUP BY 1, 2, 3, 4)
SELECT (SELECT count(*) FROM n) + (SELECT count(*) FROM k)`, sparkStack(true, "DOUBLE"), sparkStack(false, "STRING"))

// sparkStack renders stack's arguments for the demo's numeric or categorical features: n, 'name', CAST(name AS typ), ….
func sparkStack(numeric bool, typ string) string {
	var args []string
	for _, f := range demo.FeatureColumns {
		if (f.Type == "numeric") == numeric {
			args = append(args, fmt.Sprintf("'%s', CAST(%s AS %s)", f.Name, f.Name, typ))
		}
	}
	return strconv.Itoa(len(args)) + ", " + strings.Join(args, ", ")
}

// BenchmarkSparkEdges measures two ways of carrying per-series bin edges to the executors, each binning every
// numeric feature value of the fleet in range by its (model, feature)'s 127 edges and counting per (model, day,
// feature, bin): "relation" is the store's way (one bound JSON value turned into a relation by from_json +
// inline, joined to the values; Spark broadcasts it), "array" binds the edges as one flat array and the series
// keys as one string, and finds a row's edges by position (array_position, slice) with no join.
func BenchmarkSparkEdges(b *testing.B) {
	const slots = 127
	var keys []string
	var rel []map[string]any
	var flat []float64
	for _, m := range demo.Models() {
		for _, f := range m.Features {
			if f.Type != "numeric" {
				continue
			}
			e := make([]float64, slots)
			for i := range e {
				e[i] = float64(i) // bin i+1 from value i: the binning's cost does not depend on where the edges are
			}
			keys, flat = append(keys, m.ID+"/"+f.Name), append(flat, e...)
			rel = append(rel, map[string]any{"m": m.ID, "f": f.Name, "e": e})
		}
	}
	d := spark.Dialect{}
	values := fmt.Sprintf(`SELECT model_id, date_trunc('DAY', ts) AS d, u.feature, u.v FROM inference_log
  LATERAL VIEW stack(%s) u AS feature, v WHERE ts >= CAST(:p1 AS TIMESTAMP_NTZ) AND ts < CAST(:p2 AS TIMESTAMP_NTZ) AND u.v IS NOT NULL`,
		sparkStack(true, "DOUBLE"))
	relation := fmt.Sprintf(`WITH e AS (SELECT inline(from_json(:p3, 'ARRAY<STRUCT<m: STRING, f: STRING, e: ARRAY<DOUBLE>>>'))),
s AS (%s)
SELECT count(*) FROM (SELECT s.model_id, s.d, s.feature, %s AS bin, count(*) AS c
  FROM s JOIN e ON s.model_id = e.m AND s.feature = e.f GROUP BY 1, 2, 3, 4)`, values, d.BinIndex("s.v", "e.e", slots))
	array := fmt.Sprintf(`WITH s AS (%s),
k AS (SELECT model_id, d, feature, v, array_position(split(:p3, ','), concat(model_id, '/', feature)) AS pos FROM s)
SELECT count(*) FROM (SELECT model_id, d, feature, %s AS bin, count(*) AS c
  FROM (SELECT *, slice(:p4, CAST((pos - 1) * %d + 1 AS INT), %d) AS e FROM k WHERE pos > 0) GROUP BY 1, 2, 3, 4)`,
		values, d.BinIndex("v", "e", slots), slots, slots)
	raw, _ := json.Marshal(rel)
	rows := rowsRead(b, "")
	for _, c := range []struct {
		name string
		q    string
		args []any
	}{
		{"relation", relation, []any{refFrom.Format(naive), curTo.Format(naive), string(raw)}},
		{"array", array, []any{refFrom.Format(naive), curTo.Format(naive), strings.Join(keys, ","), flat}},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := startSparkMeter(b)
			resetTimer(b)
			var groups int64
			for i := 0; i < b.N; i++ {
				groups = sparkScalar(b, c.q, c.args...)
			}
			report(b, rows)
			m.report(b)
			b.ReportMetric(float64(len(keys)), "series")
			b.ReportMetric(float64(groups), "groups")
		})
	}
}
