package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// runDiagnose runs one diagnosis query over every model (a fixed reference range) through QueryData and prints,
// per model, each run of consecutive windows with the same verdict other than ok; then the runs of windows whose
// labels are pending ("pending": labels still to come could show concept drift or prior shift there, so those
// windows are not known to be ok), grouped by their first window and length; then how many models were ok
// throughout.
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
		len(models), *ff.from, *ff.to, *ff.window, *ff.refFrom, *ff.refTo, took.Round(time.Millisecond))
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tVERDICT\tFROM (UTC)\tTO (UTC)\tWINDOWS")
	flagged, pending := map[string]bool{}, map[string]bool{}
	var groups []string              // "from (n windows)", in order of first appearance after sorting
	members := map[string][]string{} // group → models
	for _, r := range runs {
		if r.verdict == verdictPending {
			pending[r.model] = true
			g := fmt.Sprintf("%s (%d %s)", r.from.Format("2006-01-02 15:04"), r.windows, plural(r.windows, "window"))
			if members[g] == nil {
				groups = append(groups, g)
			}
			members[g] = append(members[g], r.model)
			continue
		}
		flagged[r.model] = true
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", r.model, r.verdict, r.from.Format("2006-01-02 15:04"), r.to.Format("2006-01-02 15:04"), r.windows)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(groups) > 0 {
		fmt.Fprintln(out, "\npending: labels not arrived (fewer labelled rows than minSamples), concept drift and prior shift"+
			" undecided; a verdict above over the same windows is provisional. From (UTC):")
		sort.Strings(groups)
		for _, g := range groups {
			fmt.Fprintf(out, "  %s: %s\n", g, strings.Join(members[g], ", "))
		}
	}
	ok, okSoFar := 0, 0
	for m := range models {
		switch {
		case flagged[m]:
		case pending[m]:
			okSoFar++
		default:
			ok++
		}
	}
	_, err = fmt.Fprintf(out, "\n%d models ok in every window, %d more ok in every window whose labels have arrived\n", ok, okSoFar)
	return err
}

// plural is noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// verdictPending is the verdict column of a run of windows whose labels are pending.
const verdictPending = "pending"

// verdictRun is a run of consecutive windows of one model with the same verdict (or with labels pending:
// verdictPending), [from, to): from is its first window's start, to its last window's end (the range's end for a
// last, partial window).
type verdictRun struct {
	model, verdict string
	from, to       time.Time
	windows        int
}

// verdictRow is one row of the diagnosis verdicts table.
type verdictRow struct {
	t          time.Time
	m, verdict string
	pending    bool
}

// verdictRuns reads the diagnosis verdicts table back (as a script reading the CLI's JSON would): per model, in
// time order, the runs of verdicts other than ok and the runs of windows whose labels are pending (a model's
// verdict runs first), and the set of models. A window ends where the next one starts (the width is the smallest
// step between window starts); the last ends at rangeEnd at the latest.
func verdictRuns(frames data.Frames, rangeEnd time.Time) ([]verdictRun, map[string]bool) {
	var rows []verdictRow
	for _, f := range frames {
		if f.Name != "verdicts" {
			continue
		}
		col := map[string]*data.Field{}
		for _, fld := range f.Fields {
			col[fld.Name] = fld
		}
		for i := 0; i < f.Rows(); i++ {
			r := verdictRow{t: col["time"].At(i).(time.Time), m: col["model"].At(i).(string), verdict: col["verdict"].At(i).(string)}
			if p := col["labels_pending"]; p != nil {
				r.pending = p.At(i).(bool)
			}
			rows = append(rows, r)
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
	// runs of the rows' key (none for ""), per model in time order
	runsOf := func(key func(verdictRow) string) []verdictRun {
		var runs []verdictRun
		for i, r := range rows {
			k := key(r)
			if k == "" {
				continue
			}
			if i > 0 && rows[i-1].m == r.m && key(rows[i-1]) == k {
				runs[len(runs)-1].to, runs[len(runs)-1].windows = windowEnd(r.t), runs[len(runs)-1].windows+1
				continue
			}
			runs = append(runs, verdictRun{model: r.m, verdict: k, from: r.t, to: windowEnd(r.t), windows: 1})
		}
		return runs
	}
	runs := runsOf(func(r verdictRow) string {
		if r.verdict == "ok" {
			return ""
		}
		return r.verdict
	})
	runs = append(runs, runsOf(func(r verdictRow) string {
		if r.pending {
			return verdictPending
		}
		return ""
	})...)
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].model < runs[j].model })
	models := map[string]bool{}
	for _, r := range rows {
		models[r.m] = true
	}
	return runs, models
}
