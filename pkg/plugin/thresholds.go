package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/engine/band"
	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
)

// unitMetrics are the performance metrics that live in [0, 1]; their bands are clipped to it.
var unitMetrics = map[string]bool{monitor.PerfAccuracy: true, monitor.PerfPrecision: true, monitor.PerfRecall: true,
	monitor.PerfF1: true, monitor.PerfROCAUC: true, "ece": true, "macro_f1": true, "label_coverage": true}

// withThresholds runs a request and, when it asks for thresholds, gives each of its time series a threshold
// (static, or mean ± k·σ over baseline windows — see package band) and either the band as two more frames
// (output band) or, in place of the series, its breach signal after hysteresis (output breach, for alert rules:
// then only the breach signals are returned).
// The baseline is the same query run again, with the same window width, over the reference range (mode
// reference) or over the history windows before the first window (mode trailing); tables pass through.
func (d *Datasource) withThresholds(ctx context.Context, req monitor.Request) ([]*data.Frame, error) {
	frames, err := d.run(ctx, req)
	th := req.Query.Thresholds
	if err != nil || th == nil {
		return frames, err
	}
	var notices []string
	baseline := map[string][]band.Point{}
	switch qt := req.Query.QueryType; {
	case qt == query.TypeDistribution || qt == query.TypeDriftHeatmap:
		notices = append(notices, "thresholds apply to time series: "+qt+" returns tables, which carry their static thresholds")
	case th.Mode != query.ThresholdStatic:
		var note string
		baseline, note, err = d.baseline(ctx, req)
		if err != nil {
			return nil, err
		}
		notices = append(notices, note)
	}
	var out, dropped []*data.Frame
	for _, f := range frames {
		switch {
		case isSeries(f):
			out = append(out, thresholdFrames(f, req.Query, baseline[seriesKey(f)])...)
		case th.Output == query.OutputBreach:
			dropped = append(dropped, f)
		default:
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		out, dropped = dropped, nil
	}
	if len(dropped) > 0 {
		// An alert rule reads every frame of the response as a series: a table (diagnosis verdicts) or a CBPE band
		// beside the breach signals would become instances of their own, or fail the rule's evaluation.
		notices = append(notices, fmt.Sprintf("breach output: %d frames that are not thresholded series (tables, CBPE bands) are left out", len(dropped)))
		if out[0].Meta != nil && out[0].Meta.ExecutedQueryString == "" && dropped[0].Meta != nil {
			out[0].Meta.ExecutedQueryString = dropped[0].Meta.ExecutedQueryString
		}
	}
	return prependNotices(out, notices), nil
}

// baseline runs the request over its baseline range and returns each series' points by seriesKey, with a notice
// saying what the baseline was. A baseline run that fails is not fatal: the series fall back to the static
// threshold and the notice says why.
func (d *Datasource) baseline(ctx context.Context, req monitor.Request) (map[string][]band.Point, string, error) {
	q, th := req.Query, req.Query.Thresholds
	width, origin, err := d.svc.Windows(req)
	if err != nil {
		return nil, "", err
	}
	from, to := origin.Add(-time.Duration(th.History)*width), origin
	what := fmt.Sprintf("the %d windows before each window", th.History)
	if th.Mode == query.ThresholdReference {
		switch q.Reference.Type {
		case query.RefRange:
			from, to = q.Reference.From, q.Reference.To
		case query.RefTrailing:
			from = origin.Add(-time.Duration(q.Reference.Windows) * width)
		}
		what = fmt.Sprintf("the reference windows %s – %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if n := to.Sub(from) / width; n > query.MaxWindows {
		return nil, "", fmt.Errorf("the thresholds' baseline spans %d windows of %s, more than %d: use a wider window or a shorter baseline", n, width, query.MaxWindows)
	}
	b := req
	b.From, b.To, b.Interval, b.MaxDataPoints = from, to, width, 0
	b.Query.Window, b.Query.Thresholds = fmt.Sprintf("%ds", int64(width/time.Second)), nil
	frames, err := d.run(ctx, b)
	note := fmt.Sprintf("thresholds: %s, mean ± %g σ of %s, clipped to the metric's range (fewer than %d baseline values: the static threshold)",
		th.Mode, th.K, what, band.MinBaseline)
	if err != nil {
		return nil, note + "; the baseline could not be computed (" + err.Error() + "): static thresholds only", nil
	}
	out := map[string][]band.Point{}
	for _, f := range frames {
		if isSeries(f) {
			out[seriesKey(f)] = points(f)
		}
	}
	return out, note, nil
}

// isSeries says whether a frame is one of our alertable series (time + one labelled value field), not a CBPE
// band frame or a table.
func isSeries(f *data.Frame) bool {
	if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti || len(f.Fields) != 2 || f.Fields[1].Labels == nil {
		return false
	}
	_, bound := f.Fields[1].Labels["bound"]
	return !bound
}

func seriesKey(f *data.Frame) string { return f.Name + "|" + f.Fields[1].Labels.String() }

func points(f *data.Frame) []band.Point {
	out := make([]band.Point, f.Rows())
	for i := range out {
		out[i] = band.Point{Key: f.Fields[0].At(i).(time.Time).Unix(), Value: f.Fields[1].At(i).(*float64)}
	}
	return out
}

// thresholdFrames gives one series its threshold: the series and its band frames (labelled threshold = upper |
// lower), or its breach signal.
func thresholdFrames(f *data.Frame, q query.Model, base []band.Point) []*data.Frame {
	th := q.Thresholds
	custom, _ := f.Meta.Custom.(map[string]any)
	dir, rng := direction(custom, q.QueryType)
	var fallback band.Band
	var notices []data.Notice
	if t, ok := staticThreshold(custom, q); ok {
		fallback = band.Static(t, dir)
	}
	cur := points(f)
	var bands []band.Band
	switch th.Mode {
	case query.ThresholdReference:
		bands = band.Reference(base, cur, th.K, rng, fallback)
	case query.ThresholdTrailing:
		bands = band.Trailing(base, cur, th.History, th.K, rng, fallback)
	default:
		bands = make([]band.Band, len(cur))
		for i := range bands {
			bands[i] = fallback
		}
	}
	short := 0
	for _, b := range bands {
		if b.Baseline == 0 {
			short++
		}
	}
	switch {
	case fallback.Upper == nil && fallback.Lower == nil && short > 0:
		notices = append(notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: fmt.Sprintf(
			"%s: %d of %d windows have no threshold (no baseline of %d values and no static threshold: give one with `threshold`)",
			f.Name, short, len(bands), band.MinBaseline)})
	case th.Mode != query.ThresholdStatic && short > 0:
		notices = append(notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: fmt.Sprintf(
			"%s: %d of %d windows use the static threshold (fewer than %d baseline values)", f.Name, short, len(bands), band.MinBaseline)})
	}
	times := make([]time.Time, len(cur))
	values := make([]*float64, len(cur))
	upper := make([]*float64, len(cur))
	lower := make([]*float64, len(cur))
	baselines := make([]int, len(cur))
	for i, p := range cur {
		times[i], values[i] = time.Unix(p.Key, 0).UTC(), p.Value
		upper[i], lower[i], baselines[i] = bands[i].Upper, bands[i].Lower, bands[i].Baseline
	}
	meta := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range custom {
			m[k] = v
		}
		m["thresholdMode"], m["k"], m["baselineValues"], m["thresholdDirection"] = th.Mode, th.K, baselines, string(dir)
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	labels := f.Fields[1].Labels
	if th.Output == query.OutputBreach {
		breach := band.Breaches(values, bands, dir, th.Hysteresis)
		out := seriesFrame(f.Name, labels.Copy(), times, breach,
			meta(map[string]any{"breach": true, "hysteresis": th.Hysteresis, "upper": upper, "lower": lower, "values": values}),
			append(f.Meta.Notices, notices...))
		out.Meta.ExecutedQueryString = f.Meta.ExecutedQueryString
		return []*data.Frame{out}
	}
	f.Meta.Notices = append(f.Meta.Notices, notices...)
	out := []*data.Frame{f}
	for _, side := range []struct {
		name string
		vals []*float64
	}{{"upper", upper}, {"lower", lower}} {
		if !anyValue(side.vals) {
			continue
		}
		l := labels.Copy()
		l["threshold"] = side.name
		out = append(out, seriesFrame(f.Name+" · "+side.name, l, times, side.vals, meta(map[string]any{"thresholdOf": f.Name, "bound": side.name}), nil))
	}
	return out
}

// direction is the side of a series' band that is a breach, and its valid range: drift scores breach above (p-values
// below, in [0, 1]); diagnosis evidence above (any real number); shares and unit metrics either way in [0, 1];
// everything else (volume ratio, log loss, errors, lags) either way in [0, ∞).
func direction(custom map[string]any, queryType string) (band.Direction, band.Range) {
	nonNeg, unit := band.Range{Min: 0, Max: band.Unbounded.Max}, band.Range{Min: 0, Max: 1}
	switch queryType {
	case query.TypeDiagnosis:
		return band.Above, band.Unbounded
	case query.TypeDrift:
		if custom["thresholdDirection"] == "below" {
			return band.Below, unit
		}
		return band.Above, nonNeg
	}
	if check, _ := custom["check"].(string); len(check) > 6 && check[len(check)-6:] == "_share" {
		return band.Both, unit
	}
	if metric, _ := custom["metric"].(string); unitMetrics[metric] {
		return band.Both, unit
	}
	return band.Both, nonNeg
}

// staticThreshold is a series' own threshold (drift metrics, diagnosis evidence) or the query's `threshold`.
func staticThreshold(custom map[string]any, q query.Model) (float64, bool) {
	if q.Threshold != nil {
		return *q.Threshold, true
	}
	t, ok := custom["threshold"].(float64)
	return t, ok
}

func anyValue(vs []*float64) bool {
	for _, v := range vs {
		if v != nil {
			return true
		}
	}
	return false
}
