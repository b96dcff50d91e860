package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// diagnosisFrames returns, per model, one timeseries-multi frame per cause labelled model/cause (each evidence is
// normalised so that >= 1 means the cause is present, so one alert rule "value >= 1" fits every cause), then one
// table frame "verdicts" with a row per model × window: time, model, verdict and the numbers behind it.
// prediction_drift is evidence only (it never decides the verdict; see monitor.Verdict).
func diagnosisFrames(res monitor.DiagnosisResult) []*data.Frame {
	var frames []*data.Frame
	var tTime []time.Time
	var tModel, tVerdict, tCheck []string
	var tPipe, tCov, tPred, tConcept, tLabel, tEst, tReal, tGap, tRate, tRefRate []*float64
	var tLabelled []int64
	for _, m := range res.Models {
		n := len(m.Windows)
		times := make([]time.Time, n)
		values := map[string][]*float64{}
		for _, c := range monitor.DiagnosisCauses {
			values[c] = make([]*float64, n)
		}
		for j, w := range m.Windows {
			times[j] = w.Start
			values[monitor.CausePipelineBreak][j] = w.PipelineBreak
			values[monitor.CauseCovariateShift][j] = w.CovariateShift
			values[monitor.CausePredictionDrift][j] = w.PredictionDrift
			values[monitor.CauseConceptDrift][j] = w.ConceptDrift
			values[monitor.CauseLabelDrift][j] = w.LabelDrift
			tTime, tModel, tVerdict, tCheck = append(tTime, w.Start), append(tModel, m.Model), append(tVerdict, w.Verdict), append(tCheck, w.PipelineCheck)
			tPipe, tCov, tConcept, tLabel = append(tPipe, w.PipelineBreak), append(tCov, w.CovariateShift), append(tConcept, w.ConceptDrift), append(tLabel, w.LabelDrift)
			tEst, tReal, tRate, tRefRate = append(tEst, w.EstimatedAUC), append(tReal, w.RealizedAUC), append(tRate, w.LabelRate), append(tRefRate, w.ReferenceLabelRate)
			tPred, tGap, tLabelled = append(tPred, w.PredictionDrift), append(tGap, w.ReferenceGap), append(tLabelled, w.Labelled)
		}
		for _, c := range monitor.DiagnosisCauses {
			name := m.Model + " · " + c
			custom := map[string]any{"model": m.Model, "cause": c, "threshold": 1.0, "windowSeconds": res.Window.Seconds()}
			frames = append(frames, seriesFrame(name, data.Labels{"model": m.Model, "cause": c}, times, values[c], custom, nil))
		}
	}
	table := data.NewFrame("verdicts",
		data.NewField("time", nil, tTime),
		data.NewField("model", nil, tModel),
		data.NewField("verdict", nil, tVerdict),
		data.NewField(monitor.CausePipelineBreak, nil, tPipe),
		data.NewField("pipeline_check", nil, tCheck),
		data.NewField(monitor.CauseCovariateShift, nil, tCov),
		data.NewField(monitor.CausePredictionDrift, nil, tPred),
		data.NewField(monitor.CauseConceptDrift, nil, tConcept),
		data.NewField("estimated_roc_auc", nil, tEst),
		data.NewField("realized_roc_auc", nil, tReal),
		data.NewField("reference_gap", nil, tGap),
		data.NewField("labelled", nil, tLabelled),
		data.NewField(monitor.CauseLabelDrift, nil, tLabel),
		data.NewField("label_rate", nil, tRate),
		data.NewField("reference_label_rate", nil, tRefRate),
	)
	table.Meta = &data.FrameMeta{Type: data.FrameTypeTable, Custom: map[string]any{"windowSeconds": res.Window.Seconds(),
		"precedence": []string{monitor.CausePipelineBreak, monitor.CauseConceptDrift, monitor.CauseCovariateShift, monitor.VerdictPriorShift, monitor.VerdictOK}}}
	if len(tTime) > 0 {
		frames = append(frames, table)
	}
	return withResult(frames, res.SQL, res.Notices, "diagnosis")
}

// verdictCauses are the verdicts that name a cause, in precedence order.
var verdictCauses = []string{monitor.CausePipelineBreak, monitor.CauseConceptDrift, monitor.CauseCovariateShift, monitor.VerdictPriorShift}

// verdictFrames returns, per model, one timeseries-multi frame per verdict cause labelled model/cause: 1 where the
// window's verdict is that cause, else 0 (diagnosisOutput "verdicts"). Unlike the evidence series, at most one is
// 1 per model and window — a logging break that also moves a feature fires pipeline_break, not covariate_shift —
// so an alert rule over them raises one alert per model, for the cause that explains the others.
func verdictFrames(res monitor.DiagnosisResult) []*data.Frame {
	var frames []*data.Frame
	for _, m := range res.Models {
		times := make([]time.Time, len(m.Windows))
		for j, w := range m.Windows {
			times[j] = w.Start
		}
		for _, c := range verdictCauses {
			values := make([]*float64, len(m.Windows))
			for j, w := range m.Windows {
				x := 0.0
				if w.Verdict == c {
					x = 1
				}
				values[j] = &x
			}
			name := m.Model + " · verdict · " + c
			custom := map[string]any{"model": m.Model, "cause": c, "threshold": 1.0, "windowSeconds": res.Window.Seconds(),
				"precedence": append(append([]string{}, verdictCauses...), monitor.VerdictOK)}
			frames = append(frames, seriesFrame(name, data.Labels{"model": m.Model, "cause": c}, times, values, custom, nil))
		}
	}
	return withResult(frames, res.SQL, res.Notices, "verdict")
}
