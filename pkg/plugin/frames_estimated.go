package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// estimatedFrames returns, per (model, metric), one timeseries-multi frame of the CBPE estimate labelled
// model/metric, and two band frames labelled model/metric/bound = "upper" | "lower" (value ± 3σ). Each frame has
// exactly one value field, so Grafana Alerting accepts every one of them.
func estimatedFrames(res monitor.EstimatedResult) []*data.Frame {
	var frames []*data.Frame
	for _, s := range res.Series {
		times := make([]time.Time, len(s.Points))
		values := make([]*float64, len(s.Points))
		upper := make([]*float64, len(s.Points))
		lower := make([]*float64, len(s.Points))
		predictions := make([]int64, len(s.Points))
		gaps := make([]windowGap, 0, len(s.Points))
		for j, p := range s.Points {
			times[j], values[j], upper[j], lower[j], predictions[j] = p.Start, p.Value, p.Upper, p.Lower, p.Predictions
			if p.Value == nil {
				gaps = append(gaps, windowGap{start: p.Start, notice: p.Notice})
			}
		}
		name := s.Model + " · " + s.Metric
		custom := func(bound string) map[string]any {
			c := map[string]any{"model": s.Model, "metric": s.Metric, "windowSeconds": res.Window.Seconds(),
				"estimated": true, "predictionRows": predictions}
			if bound != "" {
				c["bound"] = bound
			}
			for k, v := range s.Meta {
				c[k] = v
			}
			return c
		}
		frames = append(frames, seriesFrame(name, data.Labels{"model": s.Model, "metric": s.Metric}, times, values, custom(""),
			gapNotices(name, "estimate", s.Notice, len(s.Points), gaps)))
		for _, b := range []struct {
			bound string
			vals  []*float64
		}{{"upper", upper}, {"lower", lower}} {
			frames = append(frames, seriesFrame(name+" · "+b.bound, data.Labels{"model": s.Model, "metric": s.Metric, "bound": b.bound},
				times, b.vals, custom(b.bound), nil))
		}
	}
	return withResult(frames, res.SQL, res.Notices, "estimated performance")
}
