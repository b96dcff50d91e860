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
		f := seriesFrame(s.Feature.Model+" · "+s.Feature.Name, data.Labels{"model": s.Feature.Model, "feature": s.Feature.Name, "metric": s.Metric},
			times, values, custom, windowNotices(s))
		f.Fields[1].Config.Custom = map[string]any{"threshold": s.Threshold, "thresholdDirection": string(s.Direction)}
		frames = append(frames, f)
	}
	return withResult(frames, res.SQL, res.Notices, "drift")
}
