package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/settings"
)

// Warm fleet queries: a data source has answered the query over the 30 daily windows ending a day earlier, then
// one new window of rows (and the labels that arrived during it) comes into the range — the refresh of a
// dashboard or the next evaluation of an alert rule a day later. The store already holds that day; what the
// data source has not read before is what is new to it. The timer covers the second query only: the change
// signals, the new window's aggregates and the label changes of kept windows, with every settled window reused.
// cold-s is the first query's time (a cold data source, the same machine and moment): the ratio holds under load;
// cold-cpu-s and warm-cpu-s are the two queries' CPU time.
func BenchmarkWarmFleet(b *testing.B) {
	for _, qt := range []string{"drift", "dataQuality", "performance", "estimatedPerformance", "diagnosis"} {
		b.Run(qt, func(b *testing.B) {
			path := benchStore(b)
			rows := logRows(b, curFrom, curTo)
			q := func() map[string]any {
				return map[string]any{"queryType": qt, "model": "", "metric": "auto", "window": "1d"}
			}
			for i := 0; i < b.N; i++ {
				if frames := warmQuery(b, path, q, refFrom, refTo, curFrom, curTo); len(frames) == 0 {
					b.Fatalf("%s: no frames", qt)
				}
			}
			report(b, rows)
		})
	}
}

// Warm after a restart: a data source with a cache directory answers the fleet query over the 30 daily windows
// ending a day earlier and is disposed (writing its cache file: write-s, file-MB); then a new instance on the same
// directory — Grafana restarted — answers the query a day later. The timer covers that query: reading the file
// (on its first aggregate call) and the query as a warm data source answers it. restart-cpu-s is its CPU time,
// cold-cpu-s the first query's.
func BenchmarkWarmAfterRestart(b *testing.B) {
	for _, qt := range []string{"drift", "diagnosis"} {
		b.Run(qt, func(b *testing.B) {
			path := benchStore(b)
			q := func() map[string]any {
				return map[string]any{"queryType": qt, "model": "", "metric": "auto", "window": "1d"}
			}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cfg := settings.Defaults()
				cfg.Path, cfg.QueryTimeoutSecs, cfg.CacheDir, cfg.UID = path, 3600, b.TempDir(), "bench"
				ds := plugin.New(cfg, nil)
				coldCPU := processCPU()
				runQueryOver(b, ds, q(), refFrom, refTo, curFrom.AddDate(0, 0, -1), curTo.AddDate(0, 0, -1))
				b.ReportMetric(processCPU()-coldCPU, "cold-cpu-s")
				write := time.Now()
				ds.Dispose()
				b.ReportMetric(time.Since(write).Seconds(), "write-s")
				if fi, err := os.Stat(filepath.Join(cfg.CacheDir, "modelmonitor-bench.cache")); err == nil {
					b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
				} else {
					b.Fatal(err)
				}
				restarted := plugin.New(cfg, nil)
				restartCPU := processCPU()
				b.StartTimer()
				runQueryOver(b, restarted, q(), refFrom, refTo, curFrom, curTo)
				b.StopTimer()
				b.ReportMetric(processCPU()-restartCPU, "restart-cpu-s")
				reportCache(b, restarted)
				restarted.Dispose()
				b.StartTimer()
			}
		})
	}
}

// Warm fleet drift over the last 30 days of 35 and of 350 days of history with the same rows per day
// (MODELMON_BENCH_DAY_ROWS, default 10,000), the reference being the first week: the cost follows what is new,
// not the length of history. cold is a new data source each time.
func BenchmarkWarmHistory(b *testing.B) {
	perDay := 10_000
	if v := os.Getenv("MODELMON_BENCH_DAY_ROWS"); v != "" {
		var err error
		if perDay, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, n := range []int{35, 350} {
		path := historyStore(b, n, perDay)
		start := historyStart(n)
		rf, rt := start, start.AddDate(0, 0, 7)
		to := start.AddDate(0, 0, n)
		from := to.AddDate(0, 0, -30)
		q := func() map[string]any {
			return map[string]any{"queryType": "drift", "model": "", "metric": "auto", "window": "1d"}
		}
		b.Run(fmt.Sprintf("%dd/warm", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				warmQuery(b, path, q, rf, rt, from, to)
			}
		})
		b.Run(fmt.Sprintf("%dd/cold", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ds := datasourceOn(path)
				runQueryOver(b, ds, q(), rf, rt, from, to)
				b.StopTimer()
				ds.Dispose()
				b.StartTimer()
			}
		})
	}
}

// warmQuery answers q over [from, to) (range reference [rf, rt)) on a new data source over path that has answered
// it over the same range a day earlier, timing the second query only, and returns its frames. It reports the
// first (cold) query's wall and CPU time as cold-s and cold-cpu-s, the second's CPU time as warm-cpu-s (the
// process's user + system time over every core: it holds under load, where wall times stretch), and the cache's
// size and reuse.
func warmQuery(b *testing.B, path string, q func() map[string]any, rf, rt, from, to time.Time) data.Frames {
	b.StopTimer()
	ds := datasourceOn(path)
	defer ds.Dispose()
	cold, coldCPU := time.Now(), processCPU()
	runQueryOver(b, ds, q(), rf, rt, from.AddDate(0, 0, -1), to.AddDate(0, 0, -1))
	b.ReportMetric(time.Since(cold).Seconds(), "cold-s")
	b.ReportMetric(processCPU()-coldCPU, "cold-cpu-s")
	warmCPU := processCPU()
	b.StartTimer()
	frames := runQueryOver(b, ds, q(), rf, rt, from, to)
	b.StopTimer()
	b.ReportMetric(processCPU()-warmCPU, "warm-cpu-s")
	reportCache(b, ds)
	b.StartTimer()
	return frames
}

// reportCache reports what the data source's window cache holds after both queries (the health check's details):
// its estimated size, and the share of windows it answered without the store.
func reportCache(b *testing.B, ds *plugin.Datasource) {
	c := cacheStats(b, ds) // cumulative over both queries: the share of the second alone is higher
	b.ReportMetric(c.Bytes/(1<<20), "cache-MB")
	if n := c.Reused + c.Asked + c.Relabelled; n > 0 {
		b.ReportMetric(c.Reused/n, "reused-share")
		b.ReportMetric(c.Relabelled/n, "relabelled-share") // kept windows brought to the new label cut-off by a label delta
	}
}

// datasourceOn is a data source over the DuckDB file at path, with the default window cache.
// MODELMON_BENCH_MEMORY_MB, when set, is its memoryLimitMB (the default 4096 is too small for the whole fleet's
// reference profile at 100 M predictions: the store's out-of-memory error says so).
func datasourceOn(path string) *plugin.Datasource {
	cfg := settings.Defaults()
	cfg.Path = path
	cfg.QueryTimeoutSecs = 3600
	if mb, err := strconv.Atoi(os.Getenv("MODELMON_BENCH_MEMORY_MB")); err == nil {
		cfg.MemoryLimitMB = mb
	}
	return plugin.New(cfg, nil)
}

// historyStart is the first day of a history of days days: every history ends when the 35-day demo does, in the
// past, so that its windows are settled (a history running past today would never be kept).
func historyStart(days int) time.Time { return demo.DefaultStart.AddDate(0, 0, 35-days) }

// historyStore generates (once, cached in the temp dir) a demo store of days days with perDay predictions a day.
func historyStore(b *testing.B, days, perDay int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("modelmon-history-%dd-%d-to-%s.duckdb", days, perDay, historyStart(days).AddDate(0, 0, days).Format("20060102")))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if _, err := demo.Generate(context.Background(), path, demo.Options{Predictions: days * perDay, Days: days, Start: historyStart(days)}); err != nil {
		b.Fatal(err)
	}
	return path
}
