// Command gendemo writes the Model Monitor demo store (a DuckDB file) with pkg/demo.
//
//	go run ./pkg/cmd/gendemo --out demo/modelmon.duckdb [--predictions N] [--seed S] [--days D] [--end today|YYYY-MM-DD] [--force]
//
// Without --end the store covers the fixed days the tests use (2026-10-01 for 35 days). --end today makes it end
// at today's 00:00 UTC (what `npm run demo` does, so that dashboards and alert rules looking back from now find
// it); an existing file that ends elsewhere is then regenerated.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/aiops/modelmonitor/pkg/demo"
)

func main() {
	out := flag.String("out", "demo/modelmon.duckdb", "path of the DuckDB file to write")
	predictions := flag.Int("predictions", demo.DefaultPredictions, "total inference_log rows")
	seed := flag.Uint64("seed", demo.DefaultSeed, "random seed (same seed, same data)")
	days := flag.Int("days", demo.DefaultDays, "days of inference logs")
	end := flag.String("end", "", `last day's end: "today" (00:00 UTC today) or YYYY-MM-DD; default: the fixed demo dates`)
	force := flag.Bool("force", false, "overwrite an existing file")
	flag.Parse()

	if *predictions < 1 || *days < 1 || *seed == 0 {
		fail(2, "--predictions and --days must be positive and --seed non-zero")
	}
	start := demo.DefaultStart
	if *end != "" {
		e, err := parseEnd(*end, time.Now())
		if err != nil {
			fail(2, err.Error())
		}
		start = e.AddDate(0, 0, -*days)
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		stale, why := endsElsewhere(*out, start.AddDate(0, 0, *days))
		if *end == "" || !stale {
			fmt.Printf("%s already exists; leaving it alone (use --force to regenerate).\n", *out)
			return
		}
		fmt.Printf("%s %s; regenerating it.\n", *out, why)
		if err := os.Remove(*out); err != nil {
			fail(1, err.Error())
		}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		fail(1, err.Error())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum, err := demo.Generate(ctx, *out, demo.Options{Seed: *seed, Predictions: *predictions, Days: *days, Start: start})
	if err != nil {
		fail(1, err.Error())
	}
	fmt.Println(sum.String())
}

// parseEnd reads --end: "today" is the start of now's day in UTC; otherwise a date, whose 00:00 UTC is the end.
func parseEnd(s string, now time.Time) (time.Time, error) {
	if s == "today" {
		y, m, d := now.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf(`--end must be "today" or a date like 2026-11-05, got %q`, s)
	}
	return t, nil
}

// endsElsewhere says whether an existing demo store's last logged day is not the day before end (and why).
func endsElsewhere(path string, end time.Time) (bool, string) {
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return true, "cannot be opened (" + err.Error() + ")"
	}
	defer db.Close()
	var last time.Time
	if err := db.QueryRow("SELECT max(ts) FROM " + demo.TableLog).Scan(&last); err != nil {
		return true, "has no readable " + demo.TableLog + " (" + err.Error() + ")"
	}
	if last.Before(end) && !last.Before(end.AddDate(0, 0, -1)) {
		return false, ""
	}
	return true, fmt.Sprintf("ends on %s, not %s", last.UTC().Format("2006-01-02"), end.AddDate(0, 0, -1).Format("2006-01-02"))
}

func fail(code int, msg string) {
	fmt.Fprintln(os.Stderr, "gendemo:", msg)
	os.Exit(code)
}
