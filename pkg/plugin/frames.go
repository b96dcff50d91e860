package plugin

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

type dataFrame = data.Frame

// seriesMeta is the Meta.Custom every drift-shaped frame carries: what was computed and how.
func seriesMeta(s monitor.Series) map[string]any {
	m := map[string]any{
		"model":              s.Feature.Model,
		"feature":            s.Feature.Name,
		"featureType":        string(s.Feature.Type),
		"metric":             s.Metric,
		"metricChosenBy":     s.ChosenBy,
		"threshold":          s.Threshold,
		"thresholdDirection": string(s.Direction),
		"epsilon":            epsilon,
		"referenceRows":      s.RefRows,
	}
	if s.Edges != nil {
		m["binEdges"] = s.Edges
	}
	if s.Feature.Importance != nil {
		m["importance"] = *s.Feature.Importance
	}
	return m
}

// seriesFrame builds one alertable series: a time field and one nullable value field carrying the labels, typed
// timeseries-multi 0.1 — the shape Grafana Alerting turns into one alert instance per frame.
func seriesFrame(name string, labels data.Labels, times []time.Time, values []*float64, custom map[string]any, notices []data.Notice) *data.Frame {
	value := data.NewField("value", labels, values)
	value.Config = &data.FieldConfig{DisplayNameFromDS: name}
	f := data.NewFrame(name, data.NewField("time", nil, times), value)
	f.Meta = &data.FrameMeta{
		Type:        data.FrameTypeTimeSeriesMulti,
		TypeVersion: data.FrameTypeVersion{0, 1},
		Custom:      custom,
		Notices:     notices,
	}
	return f
}

// withResult puts what concerns the whole query (executed SQL, query-level notices) on the first frame, or on an
// empty frame saying there is nothing (what) when the query produced no series.
func withResult(frames []*data.Frame, sql []string, notices []string, what string) []*data.Frame {
	if len(frames) == 0 {
		frames = []*data.Frame{data.NewFrame("")}
		frames[0].Meta = &data.FrameMeta{Notices: []data.Notice{{Severity: data.NoticeSeverityInfo, Text: "no " + what + " series for this query"}}}
	}
	frames[0].Meta.ExecutedQueryString = strings.Join(sql, ";\n\n")
	return prependNotices(frames, notices)
}

// prependNotices puts query-level notices first on the first frame (which has one: every result has a frame).
func prependNotices(frames []*data.Frame, notices []string) []*data.Frame {
	if len(frames) == 0 || len(notices) == 0 {
		return frames
	}
	if frames[0].Meta == nil {
		frames[0].Meta = &data.FrameMeta{}
	}
	head := make([]data.Notice, 0, len(notices)+len(frames[0].Meta.Notices))
	for _, n := range notices {
		head = append(head, data.Notice{Severity: data.NoticeSeverityInfo, Text: n})
	}
	frames[0].Meta.Notices = append(head, frames[0].Meta.Notices...)
	return frames
}

// windowNotices summarises why windows of a drift series have no score.
func windowNotices(s monitor.Series) []data.Notice {
	gaps := make([]windowGap, 0, len(s.Windows))
	for _, w := range s.Windows {
		if w.Value == nil {
			gaps = append(gaps, windowGap{start: w.Start, notice: w.Notice})
		}
	}
	return gapNotices(s.Feature.Model+" · "+s.Feature.Name, "score", s.Notice, len(s.Windows), gaps)
}

// windowGap is one window without a value, and why.
type windowGap struct {
	start  time.Time
	notice string
}

// gapNotices summarises why windows of a series have no value: one notice per reason, with a count and the first
// window, instead of one notice per window. A series-level notice (the whole series has none) wins.
func gapNotices(name, noun, seriesNotice string, total int, gaps []windowGap) []data.Notice {
	if seriesNotice != "" {
		return []data.Notice{{Severity: data.NoticeSeverityWarning, Text: seriesNotice}}
	}
	type reason struct {
		count int
		first string
	}
	reasons := map[string]*reason{}
	for _, g := range gaps {
		if g.notice == "" {
			continue
		}
		text := g.notice
		const small = " rows in this window, below the minimum of "
		if i := strings.Index(text, small); i >= 0 {
			text = "window below the minimum sample size of " + strings.TrimSuffix(strings.TrimSuffix(text[i+len(small):], ": no score"), ": no value")
		}
		r, ok := reasons[text]
		if !ok {
			r = &reason{first: g.start.UTC().Format("2006-01-02 15:04")}
			reasons[text] = r
		}
		r.count++
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []data.Notice
	for _, k := range keys {
		r := reasons[k]
		out = append(out, data.Notice{Severity: data.NoticeSeverityInfo,
			Text: fmt.Sprintf("%s: %d of %d windows have no %s (%s; first %s UTC)", name, r.count, total, noun, k, r.first)})
	}
	return out
}

func resultNotices(res monitor.Result) []data.Notice {
	var out []data.Notice
	for _, n := range res.Notices {
		out = append(out, data.Notice{Severity: data.NoticeSeverityInfo, Text: n})
	}
	return out
}

func executedSQL(res monitor.Result) string { return strings.Join(res.SQL, ";\n\n") }
