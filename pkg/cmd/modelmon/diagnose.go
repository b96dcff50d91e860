package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// runDiagnose runs one diagnosis query over every model (a fixed reference range) through QueryData and prints,
// per model with any verdict but ok, each run of consecutive windows with the same verdict, and how many models
// were ok throughout.
func runDiagnose(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("diagnose", flag.ExitOnError)
	ff := newFleetFlags(fs)
	_ = fs.Parse(args)
	frames, took, err := ff.run(ctx, map[string]any{"queryType": "diagnosis"})
	if err != nil {
		return err
	}
	end, err := parseTime("to", *ff.to)
	if err != nil {
		return err
	}
	runs, models := verdictRuns(frames, end)
	fmt.Fprintf(out, "Diagnosis of %d models from %s to %s, %s windows, against %s – %s, in %s\n\n",
		models, *ff.from, *ff.to, *ff.window, *ff.refFrom, *ff.refTo, took.Round(time.Millisecond))
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tVERDICT\tFROM (UTC)\tTO (UTC)\tWINDOWS")
	flagged := map[string]bool{}
	for _, r := range runs {
		flagged[r.model] = true
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", r.model, r.verdict, r.from.Format("2006-01-02 15:04"), r.to.Format("2006-01-02 15:04"), r.windows)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "\n%d models ok in every window\n", models-len(flagged))
	return err
}

// verdictRun is a run of consecutive windows of one model with the same verdict, [from, to): from is its first
// window's start, to its last window's end (the range's end for a last, partial window).
type verdictRun struct {
	model, verdict string
	from, to       time.Time
	windows        int
}

// verdictRuns reads the diagnosis verdicts table back (as a script reading the CLI's JSON would): the runs of
// verdicts other than ok, by model then time, and the number of models. A window ends where the next one starts
// (the width is the smallest step between window starts); the last ends at rangeEnd at the latest.
func verdictRuns(frames data.Frames, rangeEnd time.Time) ([]verdictRun, int) {
	type row struct {
		t          time.Time
		m, verdict string
	}
	var rows []row
	for _, f := range frames {
		if f.Name != "verdicts" {
			continue
		}
		col := map[string]*data.Field{}
		for _, fld := range f.Fields {
			col[fld.Name] = fld
		}
		for i := 0; i < f.Rows(); i++ {
			rows = append(rows, row{col["time"].At(i).(time.Time), col["model"].At(i).(string), col["verdict"].At(i).(string)})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].m != rows[j].m {
			return rows[i].m < rows[j].m
		}
		return rows[i].t.Before(rows[j].t)
	})
	width := time.Duration(math.MaxInt64)
	for i := 1; i < len(rows); i++ {
		if d := rows[i].t.Sub(rows[i-1].t); rows[i].m == rows[i-1].m && d > 0 && d < width {
			width = d
		}
	}
	windowEnd := func(start time.Time) time.Time {
		if end := start.Add(width); end.Before(rangeEnd) {
			return end
		}
		return rangeEnd
	}
	var runs []verdictRun
	models := map[string]bool{}
	for i, r := range rows {
		models[r.m] = true
		if r.verdict == "ok" {
			continue
		}
		if i > 0 && rows[i-1].m == r.m && rows[i-1].verdict == r.verdict {
			runs[len(runs)-1].to, runs[len(runs)-1].windows = windowEnd(r.t), runs[len(runs)-1].windows+1
			continue
		}
		runs = append(runs, verdictRun{model: r.m, verdict: r.verdict, from: r.t, to: windowEnd(r.t), windows: 1})
	}
	return runs, len(models)
}
