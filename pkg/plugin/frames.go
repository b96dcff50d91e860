package plugin

import (
	"fmt"
	"sort"
	"strings"

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

// windowNotices summarises why windows of a series have no score: one notice per reason, with a count and the
// first window, instead of one notice per window.
func windowNotices(s monitor.Series) []data.Notice {
	if s.Notice != "" {
		return []data.Notice{{Severity: data.NoticeSeverityWarning, Text: s.Notice}}
	}
	type reason struct {
		count int
		first string
	}
	reasons := map[string]*reason{}
	for _, w := range s.Windows {
		if w.Value != nil || w.Notice == "" {
			continue
		}
		text := w.Notice
		if i := strings.Index(text, " rows in this window, below"); i > 0 {
			text = "window below the minimum sample size" + text[strings.Index(text, ", below")+len(", below the minimum"):]
		}
		r, ok := reasons[text]
		if !ok {
			r = &reason{first: w.Start.UTC().Format("2006-01-02 15:04")}
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
			Text: fmt.Sprintf("%s · %s: %d of %d windows have no score (%s; first %s UTC)", s.Feature.Model, s.Feature.Name, r.count, len(s.Windows), k, r.first)})
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
