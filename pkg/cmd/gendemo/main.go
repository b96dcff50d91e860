// Command gendemo writes the Model Monitor demo store (a DuckDB file) with pkg/demo.
//
//	go run ./pkg/cmd/gendemo --out demo/modelmon.duckdb [--predictions N] [--seed S] [--force]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/aiops/modelmonitor/pkg/demo"
)

func main() {
	out := flag.String("out", "demo/modelmon.duckdb", "path of the DuckDB file to write")
	predictions := flag.Int("predictions", demo.DefaultPredictions, "total inference_log rows")
	seed := flag.Uint64("seed", demo.DefaultSeed, "random seed (same seed, same data)")
	days := flag.Int("days", demo.DefaultDays, "days of inference logs")
	force := flag.Bool("force", false, "overwrite an existing file")
	flag.Parse()

	if *predictions < 1 || *days < 1 || *seed == 0 {
		fmt.Fprintln(os.Stderr, "gendemo: --predictions and --days must be positive and --seed non-zero")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		fmt.Printf("%s already exists; leaving it alone (use --force to regenerate).\n", *out)
		return
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "gendemo: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum, err := demo.Generate(ctx, *out, demo.Options{Seed: *seed, Predictions: *predictions, Days: *days})
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendemo: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(sum.String())
}
