package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// qualityFrames returns one timeseries-multi frame per (model, check[, feature]): a time field and one nullable
// value field labelled model/check(/feature), so each check can drive its own alert rule.
func qualityFrames(res monitor.QualityResult) []*data.Frame {
	var frames []*data.Frame
	for _, s := range res.Series {
		times := make([]time.Time, len(s.Points))
		values := make([]*float64, len(s.Points))
		for j, p := range s.Points {
			times[j], values[j] = p.Start, p.Value
		}
		labels := data.Labels{"model": s.Model, "check": s.Check}
		name := s.Model + " · " + s.Check
		custom := map[string]any{"model": s.Model, "check": s.Check, "windowSeconds": res.Window.Seconds()}
		if s.Feature != "" {
			labels["feature"], custom["feature"] = s.Feature, s.Feature
			name = s.Model + " · " + s.Feature + " · " + s.Check
		}
		for k, v := range s.Meta {
			custom[k] = v
		}
		frames = append(frames, seriesFrame(name, labels, times, values, custom, qualityNotices(s, name)))
	}
	return withResult(frames, res.SQL, res.Notices, "data-quality")
}

// qualityNotices summarises why points of a data-quality series are null.
func qualityNotices(s monitor.QualitySeries, name string) []data.Notice {
	gaps := make([]windowGap, 0, len(s.Points))
	for _, p := range s.Points {
		if p.Value == nil {
			gaps = append(gaps, windowGap{start: p.Start, notice: p.Notice})
		}
	}
	return gapNotices(name, "value", s.Notice, len(s.Points), gaps)
}
