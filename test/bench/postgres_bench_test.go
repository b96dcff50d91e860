package bench

// PostgreSQL benchmarks: the same queries as on DuckDB, read from the same generated store copied into a
// PostgreSQL cluster (pgtest.StartIn under the temp directory, kept between runs: loading 10 M rows is minutes),
// and a PostgreSQL floor. scripts/bench-postgres.sh runs them.
//
// MODELMON_BENCH_PG_SET (e.g. "jit=off,work_mem=64MB") sets server parameters before the benchmarks (ALTER
// SYSTEM and a reload), for measuring one setting against another; the defaults of the cluster are those of
// pgTuning.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
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
		dir := strings.TrimSuffix(path, ".duckdb") + "-pg"
		var created bool
		if pgServer, created, pgErr = pgtest.StartIn(dir); pgErr != nil {
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

// loadPostgres copies the DuckDB store at path into a new database "bench" of srv.
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
	return pgload.CreateIndexes(ctx, pg, pgload.Indexes(demo.TableLog, "model_id", "ts", demo.TableLabel, "prediction_id"))
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
			resetTimer(b)
			for i := 0; i < b.N; i++ {
				if err := pgFloor(ctx, pg, c.model); err != nil {
					b.Fatal(err)
				}
			}
			report(b, rows)
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
	benchPostgres(b) // loaded outside the timing
	resetTimer(b)
	coldQueries(b, "churn", newPostgresDatasource, func() map[string]any {
		return map[string]any{"queryType": "driftHeatmap", "model": "churn", "metric": "auto", "window": "1d"}
	})
}

// BenchmarkPostgresFleetDrift is BenchmarkFleetDrift on PostgreSQL.
func BenchmarkPostgresFleetDrift(b *testing.B) {
	benchPostgres(b)
	resetTimer(b)
	fleetDrift(b, newPostgresDatasource)
}
