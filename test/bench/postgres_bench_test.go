package bench

// PostgreSQL benchmarks: the same queries as on DuckDB (the same benchmark bodies, on a PostgreSQL data source),
// read from the same generated store copied into a PostgreSQL cluster (pgtest.StartIn under the temp directory,
// kept between runs: loading 10 M rows is minutes), and PostgreSQL's floors. scripts/bench-postgres.sh runs them.
// Besides the benchmark process's cpu-s/op (the Go side: the backend, pgx), each reports server-cpu-s/op: the
// CPU time of the cluster's processes (serverCPU), where PostgreSQL's work is.
//
// MODELMON_BENCH_PG_SET (e.g. "jit=off,work_mem=64MB") sets server parameters before the benchmarks (ALTER
// SYSTEM and a reload), for measuring one setting against another; the defaults of the cluster are those of
// pgTuning.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/pgload"
	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/store/postgres"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// pgTuning are the server parameters of the benchmark cluster (beyond pgtest's): memory for a 2-core, 24 GiB
// machine running one query at a time, as a PostgreSQL serving analytics would be configured.
var pgTuning = []string{"shared_buffers = '2GB'", "work_mem = '256MB'", "effective_cache_size = '8GB'",
	"max_parallel_workers_per_gather = 2", "random_page_cost = 1.1"}

var (
	pgOnce   sync.Once
	pgServer *pgtest.Server
	pgDir    string // the cluster's directory (data/ holds postmaster.pid)
	pgErr    error
)

// TestMain stops the PostgreSQL cluster when a benchmark started it (its directory is kept for the next run).
func TestMain(m *testing.M) {
	code := m.Run()
	if pgServer != nil {
		if err := pgServer.Shutdown(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the benchmark's PostgreSQL cluster:", err)
		}
	}
	os.Exit(code)
}

// benchPostgres starts (once) the cluster holding the bench store's tables, loading them the first time: the
// log in time order with the recommended indexes, as gendemo --postgres does.
func benchPostgres(b *testing.B) *pgtest.Server {
	path := benchStore(b)
	pgOnce.Do(func() {
		pgDir = strings.TrimSuffix(path, ".duckdb") + "-pg"
		var created bool
		if pgServer, created, pgErr = pgtest.StartIn(pgDir); pgErr != nil {
			return
		}
		ctx := context.Background()
		stmts := []string{}
		for _, p := range pgTuning {
			stmts = append(stmts, "ALTER SYSTEM SET "+p)
		}
		for _, p := range strings.Split(os.Getenv("MODELMON_BENCH_PG_SET"), ",") {
			if strings.TrimSpace(p) != "" {
				stmts = append(stmts, "ALTER SYSTEM SET "+p)
			}
		}
		if pgErr = pgServer.Exec(ctx, "postgres", stmts...); pgErr != nil {
			return
		}
		// shared_buffers needs a restart; the others a reload, which the restart is too.
		if pgErr = pgServer.Shutdown(); pgErr == nil {
			pgErr = pgServer.Restart()
		}
		if pgErr != nil || !created {
			return
		}
		pgErr = loadPostgres(ctx, pgServer, path)
	})
	if pgErr != nil {
		b.Fatal(pgErr)
	}
	return pgServer
}

// loadPostgres copies the DuckDB store at path into a new database "bench" of srv, creates the recommended
// indexes and vacuums the tables (hint bits and visibility map set once, so that no benchmark pays for them or
// meets autovacuum's insert-triggered pass).
func loadPostgres(ctx context.Context, srv *pgtest.Server, path string) error {
	if err := srv.CreateDatabase(ctx, "bench"); err != nil {
		return err
	}
	duck, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return err
	}
	defer duck.Close()
	pg, err := pgx.Connect(ctx, srv.URL(pgtest.Superuser, pgtest.SuperPassword, "bench"))
	if err != nil {
		return err
	}
	defer pg.Close(ctx)
	if _, err := pgload.Copy(ctx, duck, pg, []pgload.Table{{Name: demo.TableLog, OrderBy: "ts"}, {Name: demo.TableLabel},
		{Name: demo.TableRegistry}, {Name: demo.TableTraining}}, false); err != nil {
		return err
	}
	if err := pgload.CreateIndexes(ctx, pg, pgload.Indexes(demo.TableLog, "model_id", "ts", demo.TableLabel, "prediction_id")); err != nil {
		return err
	}
	_, err = pg.Exec(ctx, "VACUUM")
	return err
}

// serverCPU is the CPU time (user + system, seconds) the cluster's processes have used so far: the postmaster's
// own and that of its children it has reaped (backends of closed connections, parallel workers; cutime and
// cstime of /proc/<pid>/stat), plus that of its live children. Every backend and worker is a child of the
// postmaster, so the difference over a benchmark is the server's CPU time for it.
func serverCPU(b *testing.B) float64 {
	pidFile, err := os.ReadFile(filepath.Join(pgDir, "data", "postmaster.pid"))
	if err != nil {
		b.Fatal(err)
	}
	postmaster, _, _ := strings.Cut(string(pidFile), "\n")
	procs, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	ticks := 0.0
	for _, p := range procs {
		stat, err := os.ReadFile(filepath.Join("/proc", p.Name(), "stat"))
		if err != nil {
			continue // not a process, or one that has just ended (then counted in the postmaster's cutime)
		}
		// pid (comm) state ppid … utime stime cutime cstime: fields 14–17, f[11:15] after comm (which may hold
		// spaces, so the fields are counted from its closing parenthesis).
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 15 || (p.Name() != postmaster && f[1] != postmaster) {
			continue
		}
		last := 13 // utime, stime
		if p.Name() == postmaster {
			last = 15 // and cutime, cstime
		}
		for _, v := range f[11:last] {
			t, _ := strconv.ParseFloat(v, 64)
			ticks += t
		}
	}
	return ticks / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on Linux for every architecture Go targets.
const clockTicks = 100

// withServerCPU runs bench (a benchmark body that reports its own metrics) and adds the cluster's CPU seconds per
// operation, server-cpu-s/op. The cluster is started (and loaded) first, outside the count.
func withServerCPU(b *testing.B, bench func(*testing.B)) {
	benchPostgres(b)
	start := serverCPU(b)
	bench(b)
	b.ReportMetric((serverCPU(b)-start)/float64(b.N), "server-cpu-s/op")
}

func newPostgresDatasource(b *testing.B) *plugin.Datasource {
	cfg := benchPostgres(b).Settings("bench")
	cfg.QueryTimeoutSecs = 3600
	return plugin.New(cfg, nil)
}

// BenchmarkPostgresFloorSQL is PostgreSQL's floor: a hand-written statement reading the same rows as the drift
// queries and producing a histogram per (model, day, feature) — fixed-width buckets, no reference pass, no
// quantiles, no statistics — as BenchmarkFloorSQL does on DuckDB, with PostgreSQL's unpivot (LATERAL VALUES).
func BenchmarkPostgresFloorSQL(b *testing.B) {
	ctx := context.Background()
	for _, c := range []struct{ name, model string }{{"churn", "churn"}, {"fleet", ""}} {
		b.Run(c.name, func(b *testing.B) {
			rows := rowsRead(b, c.model)
			srv := benchPostgres(b)
			pg, err := pgx.Connect(ctx, srv.URL(pgtest.Superuser, pgtest.SuperPassword, "bench"))
			if err != nil {
				b.Fatal(err)
			}
			defer pg.Close(ctx)
			withServerCPU(b, func(b *testing.B) {
				resetTimer(b)
				for i := 0; i < b.N; i++ {
					if err := pgFloor(ctx, pg, c.model); err != nil {
						b.Fatal(err)
					}
				}
				report(b, rows)
			})
		})
	}
}

// pgFloor runs the floor statement for model ("" = the fleet) with the planner settings of the store's own
// statements, and hashing its groups (enable_sort = off: the least work, 1.8× less than the sort PostgreSQL
// otherwise picks for groups it cannot estimate).
func pgFloor(ctx context.Context, pg *pgx.Conn, model string) error {
	tx, err := pg.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read only
	if _, err := tx.Exec(ctx, postgres.PlanSettings+"; SET LOCAL enable_sort = off"); err != nil {
		return err
	}
	var groups int64
	return tx.QueryRow(ctx, pgFloorSQL, refFrom.Format("2006-01-02 15:04:05"), curTo.Format("2006-01-02 15:04:05"), model).Scan(&groups)
}

var pgFloorSQL = func() string {
	num := pgUnpivot(true, "double precision")
	cat := pgUnpivot(false, "text")
	return fmt.Sprintf(`WITH src AS NOT MATERIALIZED (
  SELECT * FROM inference_log WHERE ts >= CAST($1 AS timestamp) AND ts < CAST($2 AS timestamp) AND ($3 = '' OR model_id = $3)
),
n AS (SELECT model_id, date_trunc('day', ts) AS d, u.feature, floor(u.v / 10) AS b, count(*) AS c
  FROM src CROSS JOIN LATERAL (VALUES %s) u(feature, v) GROUP BY 1, 2, 3, 4),
k AS (SELECT model_id, date_trunc('day', ts) AS d, u.feature, u.v AS b, count(*) AS c
  FROM src CROSS JOIN LATERAL (VALUES %s) u(feature, v) GROUP BY 1, 2, 3, 4)
SELECT (SELECT count(*) FROM n) + (SELECT count(*) FROM k)`, num, cat)
}()

// pgUnpivot renders the VALUES rows ('name', CAST(name AS typ)) of the demo's numeric or categorical features.
func pgUnpivot(numeric bool, typ string) string {
	var rows []string
	for _, f := range demo.FeatureColumns {
		if (f.Type == "numeric") == numeric {
			rows = append(rows, fmt.Sprintf("('%s', CAST(%s AS %s))", f.Name, f.Name, typ))
		}
	}
	return strings.Join(rows, ", ")
}

// BenchmarkPostgresHeatmapChurn is BenchmarkHeatmapChurn's cold query on PostgreSQL.
func BenchmarkPostgresHeatmapChurn(b *testing.B) {
	withServerCPU(b, func(b *testing.B) {
		coldQueries(b, "churn", newPostgresDatasource, func() map[string]any {
			return map[string]any{"queryType": "driftHeatmap", "model": "churn", "metric": "auto", "window": "1d"}
		})
	})
}

// BenchmarkPostgresFleetDrift is BenchmarkFleetDrift on PostgreSQL.
func BenchmarkPostgresFleetDrift(b *testing.B) {
	withServerCPU(b, func(b *testing.B) { fleetDrift(b, newPostgresDatasource) })
}

// BenchmarkPostgresFloorLabelsSQL is BenchmarkFloorLabelsSQL's statement in PostgreSQL's terms (the latest label
// as the store's dialect aggregates it), under the store's planner settings.
func BenchmarkPostgresFloorLabelsSQL(b *testing.B) {
	ctx := context.Background()
	pg, err := pgx.Connect(ctx, benchPostgres(b).URL(pgtest.Superuser, pgtest.SuperPassword, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close(ctx)
	withServerCPU(b, func(b *testing.B) {
		floorLabels(b, postgres.Dialect{}, func(q string, args []any, dest ...any) error {
			tx, err := pg.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx) //nolint:errcheck // read only
			if _, err := tx.Exec(ctx, postgres.PlanSettings); err != nil {
				return err
			}
			return tx.QueryRow(ctx, q, args...).Scan(dest...)
		})
	})
}

// BenchmarkPostgresFleetPerformance is BenchmarkFleetPerformance on PostgreSQL.
func BenchmarkPostgresFleetPerformance(b *testing.B) {
	withServerCPU(b, func(b *testing.B) { fleetPerformance(b, newPostgresDatasource) })
}

// BenchmarkPostgresFleetEstimatedPerformance is BenchmarkFleetEstimatedPerformance (CBPE) on PostgreSQL.
func BenchmarkPostgresFleetEstimatedPerformance(b *testing.B) {
	withServerCPU(b, func(b *testing.B) { fleetEstimatedPerformance(b, newPostgresDatasource) })
}

// BenchmarkPostgresFleetDataQuality is BenchmarkFleetDataQuality on PostgreSQL.
func BenchmarkPostgresFleetDataQuality(b *testing.B) {
	withServerCPU(b, func(b *testing.B) { fleetDataQuality(b, newPostgresDatasource) })
}

// BenchmarkPostgresFleetDiagnosis is BenchmarkFleetDiagnosis on PostgreSQL.
func BenchmarkPostgresFleetDiagnosis(b *testing.B) {
	withServerCPU(b, func(b *testing.B) { fleetDiagnosis(b, newPostgresDatasource) })
}

// BenchmarkPostgresFleetHealth is BenchmarkFleetHealth on PostgreSQL.
func BenchmarkPostgresFleetHealth(b *testing.B) {
	withServerCPU(b, func(b *testing.B) { fleetHealth(b, newPostgresDatasource) })
}
