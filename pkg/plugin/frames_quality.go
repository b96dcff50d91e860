package plugin

import (
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// qualityFrames returns one timeseries-multi frame per (model, check[, feature]): a time field and one nullable
// value field labelled model/check(/feature), so each check can drive its own alert rule.
func qualityFrames(res monitor.QualityResult) []*data.Frame {
	var frames []*data.Frame
	for i, s := range res.Series {
		times := make([]time.Time, len(s.Points))
		values := make([]*float64, len(s.Points))
		for j, p := range s.Points {
			times[j], values[j] = p.Start, p.Value
		}
		labels := data.Labels{"model": s.Model, "check": s.Check}
		name := s.Model + " · " + s.Check
		if s.Feature != "" {
			labels["feature"] = s.Feature
			name = s.Model + " · " + s.Feature + " · " + s.Check
		}
		value := data.NewField("value", labels, values)
		value.Config = &data.FieldConfig{DisplayNameFromDS: name}
		f := data.NewFrame(name, data.NewField("time", nil, times), value)
		custom := map[string]any{"model": s.Model, "check": s.Check, "windowSeconds": res.Window.Seconds()}
		if s.Feature != "" {
			custom["feature"] = s.Feature
		}
		for k, v := range s.Meta {
			custom[k] = v
		}
		f.Meta = &data.FrameMeta{
			Type:        data.FrameTypeTimeSeriesMulti,
			TypeVersion: data.FrameTypeVersion{0, 1},
			Custom:      custom,
			Notices:     qualityNotices(s, name),
		}
		if i == 0 {
			f.Meta.ExecutedQueryString = strings.Join(res.SQL, ";\n\n")
			for _, n := range res.Notices {
				f.Meta.Notices = append([]data.Notice{{Severity: data.NoticeSeverityInfo, Text: n}}, f.Meta.Notices...)
			}
		}
		frames = append(frames, f)
	}
	if len(frames) == 0 {
		f := data.NewFrame("")
		f.Meta = &data.FrameMeta{Notices: []data.Notice{{Severity: data.NoticeSeverityInfo, Text: "no data-quality series for this query"}}}
		frames = append(frames, f)
	}
	return frames
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
