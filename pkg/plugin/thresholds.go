package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/engine/band"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
)

// withThresholds runs a request and, when it asks for thresholds, gives each of its time series a threshold
// (static, or mean ± k·σ over baseline windows — band.For) and either the band as two more frames
// (output band) or, in place of the series, its breach signal after hysteresis (output breach, for alert rules:
// then only the breach signals are returned).
// The baseline is the same query run again over its baseline range (monitor.Service.Baseline); tables pass
// through.
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
			fs, err := thresholdFrames(f, req.Query, baseline[seriesKey(f)])
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
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
	th := req.Query.Thresholds
	b, what, err := d.svc.Baseline(req)
	if err != nil {
		return nil, "", err
	}
	frames, err := d.run(ctx, b)
	note := fmt.Sprintf("thresholds: %s, mean ± %g σ of %s, clipped to the metric's range (fewer than %d baseline values: the static threshold)",
		th.Mode, th.K, what, band.MinBaseline)
	if err != nil {
		return nil, note + "; the baseline could not be computed (" + err.Error() + "): static thresholds only", nil
	}
	out := map[string][]band.Point{}
	for _, f := range frames {
		if isSeries(f) {
			if out[seriesKey(f)], err = points(f); err != nil {
				return nil, "", err
			}
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

// points are a series frame's windows as the band computation reads them (key: the window's start in Unix
// seconds). An error (not a panic) if the frame's fields are not time and a number.
func points(f *data.Frame) ([]band.Point, error) {
	if f.Fields[0].Type() != data.FieldTypeTime {
		return nil, fmt.Errorf("series %q: field %q is %s, not time: no thresholds", f.Name, f.Fields[0].Name, f.Fields[0].Type())
	}
	out := make([]band.Point, f.Rows())
	for i := range out {
		t, _ := f.Fields[0].ConcreteAt(i)
		v, err := f.Fields[1].NullableFloatAt(i)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w: no thresholds", f.Name, err)
		}
		out[i] = band.Point{Key: t.(time.Time).Unix(), Value: v}
	}
	return out, nil
}

// bandModes maps the query's threshold modes to the engine's.
var bandModes = map[string]band.Mode{query.ThresholdStatic: band.StaticMode, query.ThresholdReference: band.ReferenceMode,
	query.ThresholdTrailing: band.TrailingMode}

// thresholdFrames gives one series its threshold (band.For): the series and its band frames (labelled threshold =
// upper | lower), or its breach signal.
func thresholdFrames(f *data.Frame, q query.Model, base []band.Point) ([]*data.Frame, error) {
	th := q.Thresholds
	custom, _ := f.Meta.Custom.(map[string]any)
	kind := seriesKind(custom, q.QueryType)
	dir := kind.Direction()
	cur, err := points(f)
	if err != nil {
		return nil, err
	}
	result := band.For(band.Spec{Mode: bandModes[th.Mode], K: th.K, History: th.History, Kind: kind,
		Static: staticThreshold(custom, q)}, base, cur)
	bands, fallback, short := result.Bands, result.Fallback, result.Short
	var notices []data.Notice
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
		return []*data.Frame{out}, nil
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
	return out, nil
}

// seriesKind is what a series frame measures (band.Kind: the side of its band that is a breach and its range),
// read back from the meta its frame builder wrote: diagnosis evidence; a drift score, or a p-value when its
// thresholdDirection is below; a data-quality check (monitor.CheckKind); a (estimated) performance metric
// (monitor.MetricKind); anything else non-negative.
func seriesKind(custom map[string]any, queryType string) band.Kind {
	switch queryType {
	case query.TypeDiagnosis:
		return band.Evidence
	case query.TypeDrift:
		if custom["thresholdDirection"] == string(drift.Below) {
			return band.PValue
		}
		return band.Distance
	}
	if check, ok := custom["check"].(string); ok {
		return monitor.CheckKind(check)
	}
	if metric, ok := custom["metric"].(string); ok {
		return monitor.MetricKind(metric)
	}
	return band.NonNegative
}

// staticThreshold is the query's `threshold`, or else a series' own (drift metrics, diagnosis evidence); nil:
// none.
func staticThreshold(custom map[string]any, q query.Model) *float64 {
	if q.Threshold != nil {
		return q.Threshold
	}
	if t, ok := custom["threshold"].(float64); ok {
		return &t
	}
	return nil
}

func anyValue(vs []*float64) bool {
	for _, v := range vs {
		if v != nil {
			return true
		}
	}
	return false
}
