package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// fleetFlags are the flags of the fleet summaries: settings, the range, its windows and a reference range.
type fleetFlags struct {
	settings, from, to, refFrom, refTo, window *string
}

func newFleetFlags(fs *flag.FlagSet) fleetFlags {
	return fleetFlags{
		settings: settingsFlag(fs),
		from:     fs.String("from", "", "range start, RFC 3339"),
		to:       fs.String("to", "", "range end, RFC 3339"),
		refFrom:  fs.String("reference-from", "", "reference start, RFC 3339"),
		refTo:    fs.String("reference-to", "", "reference end, RFC 3339"),
		window:   fs.String("window", "1d", "window"),
	}
}

// run sends one query over every model (query holds its type and options; the window and reference range come
// from the flags) through QueryData and returns its frames and how long it took.
func (f fleetFlags) run(ctx context.Context, query map[string]any) (data.Frames, time.Duration, error) {
	times := map[string]time.Time{}
	for _, flag := range []struct{ name, value string }{{"from", *f.from}, {"to", *f.to},
		{"reference-from", *f.refFrom}, {"reference-to", *f.refTo}} {
		t, err := parseTime(flag.name, flag.value)
		if err != nil {
			return nil, 0, err
		}
		times[flag.name] = t
	}
	query["refId"], query["model"], query["window"] = "A", "", *f.window
	query["reference"] = map[string]any{"type": "range", "from": times["reference-from"], "to": times["reference-to"]}
	q, _ := json.Marshal(query)
	ds, err := openDatasource(*f.settings)
	if err != nil {
		return nil, 0, err
	}
	defer ds.Dispose()
	start := time.Now()
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", QueryType: query["queryType"].(string), JSON: q,
		TimeRange: backend.TimeRange{From: times["from"], To: times["to"]}, MaxDataPoints: 1000, Interval: time.Minute}}})
	if err != nil {
		return nil, 0, err
	}
	r := resp.Responses["A"]
	return r.Frames, time.Since(start), r.Error
}

// runSummary runs one drift query over every model and feature (daily windows, auto metric, a fixed reference
// range) through QueryData and prints, per model, how many features drifted, its worst feature with the window its
// drift began, and the window the first of any of its features drifted.
func runSummary(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("summary", flag.ExitOnError)
	ff := newFleetFlags(fs)
	_ = fs.Parse(args)
	frames, took, err := ff.run(ctx, map[string]any{"queryType": "drift", "metric": "auto"})
	if err != nil {
		return err
	}
	rows := summarise(frames)
	fmt.Fprintf(out, "Drift of %d models (%d feature series) from %s to %s, %s windows, against %s – %s, in %s\n",
		len(rows), len(frames), *ff.from, *ff.to, *ff.window, *ff.refFrom, *ff.refTo, took.Round(time.Millisecond))
	fmt.Fprint(out, summaryCoverage)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tDRIFTING FEATURES\tWORST FEATURE\tMETRIC\tMAX\tTHRESHOLD\tWORST DRIFTS FROM\tANY DRIFTS FROM")
	for _, row := range rows {
		fmt.Fprintln(tw, row.line())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprint(out, "\nWORST DRIFTS FROM: the window (UTC date) the worst feature first crossed its threshold; ANY DRIFTS FROM: the\nfirst window any feature of the model did.\n")
	return err
}

// day formats a window start as its UTC date, "-" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// summaryCoverage says what the drift summary does not see: the auto metric compares the distribution of the values
// present, so a flood of nulls (a logging break) moves the data-quality checks and diagnosis, not this table.
const summaryCoverage = `Covers the distribution of the values present (auto metric: Wasserstein/KS for numeric, Jensen–Shannon/chi² for
categorical features). Nulls, out-of-range values and other logging breaks are data-quality signals: see
"modelmon diagnose" (pipeline_break) or a dataQuality query.

`

// modelSummary is one model's row of the drift summary: its worst feature (highest score of a metric where
// higher is worse) with that score, threshold and first drifting window, and the first drifting window of any
// feature.
type modelSummary struct {
	model, worst, metric        string
	features, drifting          int
	max, threshold              float64
	worstFirstDrift, firstDrift time.Time
}

// summarise reads the drift frames back (as a script reading the CLI's JSON would) and ranks models by how many
// of their features drifted, then by their worst score relative to its threshold.
func summarise(frames data.Frames) []modelSummary {
	byModel := map[string]*modelSummary{}
	var order []string
	for _, f := range frames {
		if len(f.Fields) < 2 || f.Meta == nil {
			continue
		}
		custom, _ := f.Meta.Custom.(map[string]any)
		model, _ := custom["model"].(string)
		feature, _ := custom["feature"].(string)
		metric, _ := custom["metric"].(string)
		threshold, _ := custom["threshold"].(float64)
		below := fmt.Sprint(custom["thresholdDirection"]) == "below"
		s, ok := byModel[model]
		if !ok {
			s = &modelSummary{model: model, max: -1}
			byModel[model] = s
			order = append(order, model)
		}
		s.features++
		drifted, worst := false, false
		var first time.Time
		for i := 0; i < f.Fields[1].Len(); i++ {
			v, ok := f.Fields[1].ConcreteAt(i)
			if !ok {
				continue
			}
			x := v.(float64)
			hit := x >= threshold
			if below {
				hit = x < threshold
			}
			if hit && !drifted {
				drifted, first = true, f.Fields[0].At(i).(time.Time)
				if s.firstDrift.IsZero() || first.Before(s.firstDrift) {
					s.firstDrift = first
				}
			}
			if !below && x > s.max {
				s.max, s.worst, s.metric, s.threshold, worst = x, feature, metric, threshold, true
			}
		}
		if worst {
			s.worstFirstDrift = first
		}
		if drifted {
			s.drifting++
		}
	}
	out := make([]modelSummary, 0, len(order))
	for _, m := range order {
		out = append(out, *byModel[m])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].drifting != out[j].drifting {
			return out[i].drifting > out[j].drifting
		}
		return out[i].max/nonZero(out[i].threshold) > out[j].max/nonZero(out[j].threshold)
	})
	return out
}

// line is the row's tab-separated table line; a model without a value above its threshold's baseline (no rows in
// the range, or only p-value series) prints "-" for the worst feature, metric, maximum and threshold.
func (row modelSummary) line() string {
	if row.worst == "" {
		return fmt.Sprintf("%s\t%d/%d\t-\t-\t-\t-\t%s\t%s", row.model, row.drifting, row.features, day(row.worstFirstDrift),
			day(row.firstDrift))
	}
	return fmt.Sprintf("%s\t%d/%d\t%s\t%s\t%.3f\t%g\t%s\t%s", row.model, row.drifting, row.features, row.worst, row.metric,
		row.max, row.threshold, day(row.worstFirstDrift), day(row.firstDrift))
}

func nonZero(x float64) float64 {
	if x == 0 {
		return 1
	}
	return x
}
