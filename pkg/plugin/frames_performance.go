package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// performanceFrames returns one timeseries-multi frame per (model, metric), label_coverage included: a time field
// and one nullable value field labelled model/metric, so each metric can drive its own alert rule.
func performanceFrames(res monitor.PerformanceResult) []*data.Frame {
	var frames []*data.Frame
	for _, s := range res.Series {
		times := make([]time.Time, len(s.Points))
		values := make([]*float64, len(s.Points))
		labelled := make([]int64, len(s.Points))
		served := make([]int64, len(s.Points))
		for j, p := range s.Points {
			times[j], values[j], labelled[j], served[j] = p.Start, p.Value, p.Labelled, p.Served
		}
		name := s.Model + " · " + s.Metric
		custom := map[string]any{"model": s.Model, "metric": s.Metric, "windowSeconds": res.Window.Seconds(),
			"labelledRows": labelled, "servedRows": served}
		for k, v := range s.Meta {
			custom[k] = v
		}
		frames = append(frames, seriesFrame(name, data.Labels{"model": s.Model, "metric": s.Metric}, times, values, custom, performanceNotices(s, name)))
	}
	return withResult(frames, res.SQL, res.Notices, "performance")
}

// performanceNotices summarises why points of a performance series are null.
func performanceNotices(s monitor.PerformanceSeries, name string) []data.Notice {
	gaps := make([]windowGap, 0, len(s.Points))
	for _, p := range s.Points {
		if p.Value == nil {
			gaps = append(gaps, windowGap{start: p.Start, notice: p.Notice})
		}
	}
	return gapNotices(name, "value", s.Notice, len(s.Points), gaps)
}
