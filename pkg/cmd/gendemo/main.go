// Command gendemo writes the Model Monitor demo store (a DuckDB file) with pkg/demo and, with --postgres, copies
// it into a PostgreSQL database with COPY and creates the recommended indexes (pkg/pgload).
//
//	go run ./pkg/cmd/gendemo --out demo/modelmon.duckdb [--predictions N] [--seed S] [--force]
//	go run ./pkg/cmd/gendemo --postgres postgres://user@host:5432/modelmon [--force]
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver, to read the store for --postgres
	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/pgload"
)

func main() {
	out := flag.String("out", "demo/modelmon.duckdb", "path of the DuckDB file to write")
	predictions := flag.Int("predictions", demo.DefaultPredictions, "total inference_log rows")
	seed := flag.Uint64("seed", demo.DefaultSeed, "random seed (same seed, same data)")
	days := flag.Int("days", demo.DefaultDays, "days of inference logs")
	force := flag.Bool("force", false, "overwrite an existing file (and, with --postgres, replace existing tables)")
	pgURL := flag.String("postgres", "", "also copy the store into this PostgreSQL database (a postgres:// URL or libpq "+
		"key=value string; PG* environment variables fill what it leaves out, e.g. PGPASSWORD)")
	flag.Parse()

	if *predictions < 1 || *days < 1 || *seed == 0 {
		fmt.Fprintln(os.Stderr, "gendemo: --predictions and --days must be positive and --seed non-zero")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := os.Stat(*out); err == nil && !*force {
		fmt.Printf("%s already exists; leaving it alone (use --force to regenerate).\n", *out)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		fail(err)
	} else {
		sum, err := demo.Generate(ctx, *out, demo.Options{Seed: *seed, Predictions: *predictions, Days: *days})
		if err != nil {
			fail(err)
		}
		fmt.Println(sum.String())
	}
	if *pgURL != "" {
		if err := toPostgres(ctx, *out, *pgURL, *force); err != nil {
			fail(err)
		}
	}
}

// toPostgres copies the demo tables of the DuckDB file at path into PostgreSQL, the log in time order, and
// creates the recommended indexes.
func toPostgres(ctx context.Context, path, url string, replace bool) error {
	duck, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return err
	}
	defer duck.Close()
	pg, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer pg.Close(context.Background())
	n, err := pgload.Copy(ctx, duck, pg, []pgload.Table{{Name: demo.TableLog, OrderBy: "ts"}, {Name: demo.TableLabel},
		{Name: demo.TableRegistry}, {Name: demo.TableTraining}}, replace)
	if err != nil {
		if strings.Contains(err.Error(), "already exists") {
			err = fmt.Errorf("%w (use --force to replace the demo tables)", err)
		}
		return err
	}
	idx := pgload.Indexes(demo.TableLog, "model_id", "ts", demo.TableLabel, "prediction_id")
	if err := pgload.CreateIndexes(ctx, pg, idx); err != nil {
		return err
	}
	fmt.Printf("Copied into PostgreSQL %s: %s %d rows, %s %d rows, %s %d rows, %s %d rows; indexes:\n",
		pg.Config().Database, demo.TableLog, n[demo.TableLog], demo.TableLabel, n[demo.TableLabel],
		demo.TableRegistry, n[demo.TableRegistry], demo.TableTraining, n[demo.TableTraining])
	for _, i := range idx {
		fmt.Println("  " + i.SQL)
	}
	return nil
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "gendemo: %v\n", err)
	os.Exit(1)
}
