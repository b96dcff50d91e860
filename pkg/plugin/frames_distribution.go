package plugin

import (
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// distributionFrames returns one table frame per (model, feature): a row per display bin with its edges,
// reference and current fractions and counts, and the bin's contribution to the score.
func distributionFrames(res monitor.Result) []*data.Frame {
	var frames []*data.Frame
	for i, s := range res.Series {
		var (
			labels               []string
			lowers, uppers       []*float64
			refs, curs, contribs []float64
			refCounts, curCounts []int64
		)
		custom := seriesMeta(s)
		var notices []data.Notice
		if len(s.Windows) == 1 {
			w := s.Windows[0]
			refTotal, curTotal := 0.0, 0.0
			for _, b := range w.Bins {
				refTotal += b.RefCount
				curTotal += b.CurCount
			}
			for j, b := range w.Bins {
				labels, lowers, uppers = append(labels, b.Label), append(lowers, b.Lower), append(uppers, b.Upper)
				refs, curs = append(refs, fraction(b.RefCount, refTotal)), append(curs, fraction(b.CurCount, curTotal))
				refCounts, curCounts = append(refCounts, int64(b.RefCount)), append(curCounts, int64(b.CurCount))
				contribs = append(contribs, w.Contribution[j])
			}
			custom["value"], custom["drift"], custom["statistic"] = w.Value, w.Drift, w.Statistic
			custom["referenceRows"], custom["currentRows"] = int64(w.RefRows), int64(w.CurRows)
			custom["contributionOf"] = w.ContributionOf
			addMethods(custom, s.Windows)
			if w.Notice != "" {
				notices = append(notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: s.Feature.Model + " · " + s.Feature.Name + ": " + w.Notice})
			}
		} else if s.Notice != "" {
			notices = append(notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: s.Notice})
		}
		f := data.NewFrame(s.Feature.Model+" · "+s.Feature.Name,
			data.NewField("bin", nil, orEmpty(labels)),
			data.NewField("lower", nil, orEmpty(lowers)),
			data.NewField("upper", nil, orEmpty(uppers)),
			data.NewField("reference", nil, orEmpty(refs)),
			data.NewField("current", nil, orEmpty(curs)),
			data.NewField("referenceCount", nil, orEmpty(refCounts)),
			data.NewField("currentCount", nil, orEmpty(curCounts)),
			data.NewField("contribution", nil, orEmpty(contribs)),
		)
		f.Meta = &data.FrameMeta{Custom: custom, Notices: notices}
		if i == 0 {
			f.Meta.ExecutedQueryString = executedSQL(res)
			f.Meta.Notices = append(resultNotices(res), f.Meta.Notices...)
		}
		frames = append(frames, f)
	}
	return frames
}

func fraction(c, total float64) float64 {
	if total == 0 {
		return 0
	}
	return c / total
}
