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
	for i, s := range res.Series {
		times := make([]time.Time, len(s.Windows))
		values := make([]*float64, len(s.Windows))
		for j, w := range s.Windows {
			times[j], values[j] = w.Start, w.Value
		}
		value := data.NewField("value", data.Labels{"model": s.Feature.Model, "feature": s.Feature.Name, "metric": s.Metric}, values)
		value.Config = &data.FieldConfig{
			DisplayNameFromDS: s.Feature.Model + " · " + s.Feature.Name,
			Custom:            map[string]any{"threshold": s.Threshold, "thresholdDirection": string(s.Direction)},
		}
		f := data.NewFrame(s.Feature.Model+" · "+s.Feature.Name, data.NewField("time", nil, times), value)
		custom := seriesMeta(s)
		custom["windowSeconds"] = res.Window.Seconds()
		f.Meta = &data.FrameMeta{
			Type:        data.FrameTypeTimeSeriesMulti,
			TypeVersion: data.FrameTypeVersion{0, 1},
			Custom:      custom,
			Notices:     windowNotices(s),
		}
		if i == 0 {
			f.Meta.ExecutedQueryString = executedSQL(res)
			f.Meta.Notices = append(resultNotices(res), f.Meta.Notices...)
		}
		frames = append(frames, f)
	}
	return frames
}
