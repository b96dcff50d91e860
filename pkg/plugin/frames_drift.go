package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/engine/stats"
	"github.com/aiops/modelmonitor/pkg/monitor"
)

const epsilon = stats.Epsilon

// driftFrames returns one timeseries-multi frame per (model, feature): a time field and one nullable value field
// labelled model/feature/metric, the shape Grafana Alerting turns into one alert instance per series.
func driftFrames(res monitor.Result) []*data.Frame {
	var frames []*data.Frame
	for _, s := range res.Series {
		times := make([]time.Time, len(s.Windows))
		values := make([]*float64, len(s.Windows))
		for j, w := range s.Windows {
			times[j], values[j] = w.Start, w.Value
		}
		custom := seriesMeta(s)
		custom["windowSeconds"] = res.Window.Seconds()
		addMethods(custom, s.Windows)
		f := seriesFrame(s.Feature.Model+" · "+s.Feature.Name, data.Labels{"model": s.Feature.Model, "feature": s.Feature.Name, "metric": s.Metric},
			times, values, custom, windowNotices(s))
		f.Fields[1].Config.Custom = map[string]any{"threshold": s.Threshold, "thresholdDirection": string(s.Direction)}
		frames = append(frames, f)
	}
	return withResult(frames, res.SQL, res.Notices, "drift")
}

// addMethods records how each window's score was computed (Result.Method: exact, asymptotic or binned) and the
// binning error bound of binned scores, per window, where any window has them.
func addMethods(custom map[string]any, windows []monitor.WindowScore) {
	methods, bounds := make([]string, len(windows)), make([]*float64, len(windows))
	var anyMethod, anyBound bool
	for i, w := range windows {
		methods[i], bounds[i] = w.Method, w.BinningBound
		anyMethod, anyBound = anyMethod || w.Method != "", anyBound || w.BinningBound != nil
	}
	if anyMethod {
		custom["methods"] = methods
	}
	if anyBound {
		custom["binningBounds"] = bounds
	}
}
