// Package bench measures the drift queries on a large demo store (10M predictions by default) against a
// hand-written DuckDB aggregate over the same file, the floor any engine that reads the rows must pay.
//
//	scripts/bench.sh                     # every benchmark in its own process, with peak RSS
//	MODELMON_BENCH_ROWS=1000000 go test -run '^$' -bench . -benchtime 3x ./test/bench
package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/plugin"
)

var (
	once     sync.Once
	store    string
	storeErr error
	refFrom  = demo.DefaultStart
	refTo    = refFrom.AddDate(0, 0, 7)
	curFrom  = refTo
	curTo    = refTo.AddDate(0, 0, 30) // 30 daily windows
)

// benchStore generates (once, cached in the temp dir by size) the store the benchmarks read.
func benchStore(b *testing.B) string {
	once.Do(func() {
		log.DefaultLogger = log.NewWithLevel(log.Warn)
		rows := 10_000_000
		if v := os.Getenv("MODELMON_BENCH_ROWS"); v != "" {
			rows, storeErr = strconv.Atoi(v)
		}
		store = filepath.Join(os.TempDir(), fmt.Sprintf("modelmon-bench-%d.duckdb", rows))
		if _, err := os.Stat(store); err == nil || storeErr != nil {
			return
		}
		_, storeErr = demo.Generate(context.Background(), store, demo.Options{Predictions: rows, Days: 37})
	})
	if storeErr != nil {
		b.Fatal(storeErr)
	}
	return store
}

func newDatasource(b *testing.B) *plugin.Datasource { return datasourceOn(benchStore(b)) }

// runQuery sends one query over the current range (reference: the first week) and returns its frames.
func runQuery(b *testing.B, ds *plugin.Datasource, q map[string]any) data.Frames {
	return runQueryOver(b, ds, q, refFrom, refTo, curFrom, curTo)
}

// runQueryOver sends one query over [from, to) with the range reference [rf, rt) and returns its frames.
func runQueryOver(b *testing.B, ds *plugin.Datasource, q map[string]any, rf, rt, from, to time.Time) data.Frames {
	q["reference"] = map[string]any{"type": "range", "from": rf, "to": rt}
	raw, _ := json.Marshal(q)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: q["queryType"].(string), JSON: raw, TimeRange: backend.TimeRange{From: from, To: to},
		Interval: time.Minute, MaxDataPoints: 1000}}})
	if err != nil {
		b.Fatal(err)
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		b.Fatal(r.Error)
	}
	return r.Frames
}

// rowsRead counts the log rows a query over [refFrom, curTo) of model ("" = all) has to aggregate.
func rowsRead(b *testing.B, model string) float64 {
	db, err := sql.Open("duckdb", benchStore(b)+"?access_mode=read_only")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n float64
	if err := db.QueryRow(`SELECT count(*) FROM inference_log WHERE ts >= ? AND ts < ? AND (? = '' OR model_id = ?)`,
		refFrom, curTo, model, model).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// report adds rows/s, CPU seconds per operation since resetTimer (user + system, every core: the figure that
// stays meaningful when other processes share the machine; left out for a benchmark that did not call
// resetTimer) and the process's peak resident memory (VmHWM: Go heap and DuckDB's C allocations).
func report(b *testing.B, rows float64) {
	b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	cpuMu.Lock()
	start, ok := cpuStart[b]
	cpuMu.Unlock()
	if ok {
		b.ReportMetric((processCPU()-start)/float64(b.N), "cpu-s/op")
	}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			b.ReportMetric(kb/1024, "peakRSS-MB")
		}
	}
}

var (
	cpuMu    sync.Mutex
	cpuStart = map[*testing.B]float64{}
)

// resetTimer is b.ResetTimer that also marks the process's CPU time, from which report counts.
func resetTimer(b *testing.B) {
	cpuMu.Lock()
	cpuStart[b] = processCPU()
	cpuMu.Unlock()
	b.ResetTimer()
}

// processCPU is the CPU time (user + system) the process has used so far, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// Drift heatmap of one model: 20 features × 30 daily windows. cold = a new data source each time (reference
// summarised again); warm = the reference summary comes from the cache.
func BenchmarkHeatmapChurn(b *testing.B) {
	q := func() map[string]any {
		return map[string]any{"queryType": "driftHeatmap", "model": "churn", "metric": "auto", "window": "1d"}
	}
	b.Run("cold", func(b *testing.B) { coldQueries(b, "churn", newDatasource, q) })
	b.Run("warm", func(b *testing.B) {
		rows := rowsRead(b, "churn")
		ds := newDatasource(b)
		defer ds.Dispose()
		runQuery(b, ds, q())
		resetTimer(b)
		for i := 0; i < b.N; i++ {
			runQuery(b, ds, q())
		}
		report(b, rows)
	})
}

// Drift of every feature of every model of the fleet in one query (a cold data source each time).
func BenchmarkFleetDrift(b *testing.B) { fleetDrift(b, newDatasource) }

// fleetDrift runs the fleet drift query cold on the data sources newDS opens.
func fleetDrift(b *testing.B, newDS func(*testing.B) *plugin.Datasource) {
	coldQueries(b, "", newDS, func() map[string]any {
		return map[string]any{"queryType": "drift", "model": "", "metric": "auto", "window": "1d"}
	})
}

// coldQueries runs the query q makes b.N times, each on a new data source (nothing cached), and reports the
// rows read of model ("" = the fleet). A fleet query must return at least 500 series.
func coldQueries(b *testing.B, model string, newDS func(*testing.B) *plugin.Datasource, q func() map[string]any) {
	rows := rowsRead(b, model)
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		ds := newDS(b)
		if n := runQuery(b, ds, q()); model == "" && len(n) < 500 {
			b.Fatalf("fleet query returned %d series", len(n))
		}
		ds.Dispose()
	}
	report(b, rows)
}

// The floor: a hand-written DuckDB statement that reads the same rows and produces a histogram per (model,
// day, feature) — fixed-width buckets, no reference pass, no quantiles, no statistics.
func BenchmarkFloorSQL(b *testing.B) {
	for _, c := range []struct{ name, model string }{{"churn", "churn"}, {"fleet", ""}} {
		b.Run(c.name, func(b *testing.B) {
			rows := rowsRead(b, c.model)
			db, err := sql.Open("duckdb", benchStore(b)+"?access_mode=read_only")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			resetTimer(b)
			for i := 0; i < b.N; i++ {
				var groups int
				if err := db.QueryRow(floorSQL, refFrom, curTo, c.model, c.model).Scan(&groups); err != nil {
					b.Fatal(err)
				}
			}
			report(b, rows)
		})
	}
}

var floorSQL = func() string {
	var num, cat []string
	for _, f := range demo.FeatureColumns {
		if f.Type == "numeric" {
			num = append(num, f.Name)
		} else {
			cat = append(cat, f.Name)
		}
	}
	return fmt.Sprintf(`WITH src AS (
  SELECT model_id, date_trunc('day', ts) AS d, %s, %s FROM inference_log WHERE ts >= ? AND ts < ? AND (? = '' OR model_id = ?)
),
n AS (SELECT model_id, d, feature, floor(v / 10) AS b, count(*) AS c FROM src UNPIVOT INCLUDE NULLS (v FOR feature IN (%s)) GROUP BY ALL),
k AS (SELECT model_id, d, feature, v AS b, count(*) AS c FROM src UNPIVOT INCLUDE NULLS (v FOR feature IN (%s)) GROUP BY ALL)
SELECT (SELECT count(*) FROM n) + (SELECT count(*) FROM k)`,
		strings.Join(num, ", "), strings.Join(cat, ", "), strings.Join(num, ", "), strings.Join(cat, ", "))
}()
