package plugin

import (
	"math"
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// heatmapKind is the frame's Meta.Custom "kind": with Meta.Type table it is what the drift heatmap panel keys on
// (a table alone could be any table).
const heatmapKind = "driftHeatmap"

// heatmapFrame returns one long table for the whole query, a row per (model, feature, window), ordered by
// importance (descending), model, feature and time: the drift heatmap panel pivots it, a table reads it as is.
// Meta.Type is table (TypeVersion 0.1) and Meta.Custom carries kind = heatmapKind, windowSeconds, epsilon and the
// first series' metric, threshold and thresholdDirection.
func heatmapFrame(res monitor.Result) *data.Frame {
	series := append([]monitor.Series{}, res.Series...)
	sort.SliceStable(series, func(i, j int) bool {
		a, b := importance(series[i]), importance(series[j])
		if a != b {
			return a > b
		}
		if series[i].Feature.Model != series[j].Feature.Model {
			return series[i].Feature.Model < series[j].Feature.Model
		}
		return series[i].Feature.Name < series[j].Feature.Name
	})
	var (
		times                []time.Time
		models, feats, mets  []string
		imps, values         []*float64
		thresholds           []float64
		drifts               []*bool
		curCounts, refCounts []int64
	)
	for _, s := range series {
		for _, w := range s.Windows {
			times = append(times, w.Start)
			models, feats, mets = append(models, s.Feature.Model), append(feats, s.Feature.Name), append(mets, s.Metric)
			imps = append(imps, s.Feature.Importance)
			values, thresholds, drifts = append(values, w.Value), append(thresholds, s.Threshold), append(drifts, w.Drift)
			curCounts, refCounts = append(curCounts, int64(w.CurRows)), append(refCounts, int64(w.RefRows))
		}
	}
	f := data.NewFrame("drift heatmap",
		data.NewField("time", nil, orEmpty(times)),
		data.NewField("model", nil, orEmpty(models)),
		data.NewField("feature", nil, orEmpty(feats)),
		data.NewField("importance", nil, orEmpty(imps)),
		data.NewField("metric", nil, orEmpty(mets)),
		data.NewField("value", nil, orEmpty(values)),
		data.NewField("threshold", nil, orEmpty(thresholds)),
		data.NewField("drift", nil, orEmpty(drifts)),
		data.NewField("currentCount", nil, orEmpty(curCounts)),
		data.NewField("referenceCount", nil, orEmpty(refCounts)),
	)
	custom := map[string]any{"kind": heatmapKind, "windowSeconds": res.Window.Seconds(), "epsilon": epsilon}
	if len(series) > 0 {
		custom["metric"] = series[0].Metric
		custom["threshold"] = series[0].Threshold
		custom["thresholdDirection"] = string(series[0].Direction)
	}
	var notices []data.Notice
	for _, s := range series {
		notices = append(notices, windowNotices(s)...)
	}
	if len(series) == 0 || len(times) == 0 {
		notices = append(notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: "no windows in the selected time range"})
	}
	f.Meta = &data.FrameMeta{Type: data.FrameTypeTable, TypeVersion: data.FrameTypeVersion{0, 1}, Custom: custom, ExecutedQueryString: executedSQL(res), Notices: append(resultNotices(res), notices...)}
	return f
}

func importance(s monitor.Series) float64 {
	if s.Feature.Importance == nil {
		return math.Inf(-1)
	}
	return *s.Feature.Importance
}

// orEmpty makes an empty column a typed empty slice (never nil), so an empty frame keeps its schema.
func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
