package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/monitor"
)

// diagnosisFrames returns, per model, one timeseries-multi frame per cause labelled model/cause (each evidence is
// normalised so that >= 1 means the cause is present, so one alert rule "value >= 1" fits every cause), then one
// table frame "verdicts" with a row per model × window: time, model, verdict, labels_pending (labels still to come
// could change the verdict: diagnosis.Reading.LabelsPending) and the numbers behind it.
// prediction_drift is evidence only (it never decides the verdict; see diagnosis.Verdict).
func diagnosisFrames(res monitor.DiagnosisResult) []*data.Frame {
	var frames []*data.Frame
	var tTime []time.Time
	var tModel, tVerdict, tCheck []string
	var tPipe, tCov, tPred, tConcept, tPrior, tEst, tReal, tGap, tRate, tRefRate []*float64
	var tPriorled []int64
	var tPending []bool
	for _, m := range res.Models {
		n := len(m.Windows)
		times := make([]time.Time, n)
		values := map[string][]*float64{}
		for _, c := range diagnosis.Causes {
			values[c] = make([]*float64, n)
		}
		for j, w := range m.Windows {
			times[j] = w.Start
			values[diagnosis.CausePipelineBreak][j] = w.PipelineBreak
			values[diagnosis.CauseCovariateShift][j] = w.CovariateShift
			values[diagnosis.CausePredictionDrift][j] = w.PredictionDrift
			values[diagnosis.CauseConceptDrift][j] = w.ConceptDrift
			values[diagnosis.CausePriorShift][j] = w.PriorShift
			tTime, tModel, tVerdict, tCheck = append(tTime, w.Start), append(tModel, m.Model), append(tVerdict, w.Verdict), append(tCheck, w.PipelineCheck)
			tPipe, tCov, tConcept, tPrior = append(tPipe, w.PipelineBreak), append(tCov, w.CovariateShift), append(tConcept, w.ConceptDrift), append(tPrior, w.PriorShift)
			tEst, tReal, tRate, tRefRate = append(tEst, w.EstimatedAUC), append(tReal, w.RealizedAUC), append(tRate, w.LabelRate), append(tRefRate, w.ReferenceLabelRate)
			tPred, tGap, tPriorled = append(tPred, w.PredictionDrift), append(tGap, w.ReferenceGap), append(tPriorled, w.Labelled)
			tPending = append(tPending, diagnosis.Reading{Evidence: w.Evidence, Pending: w.Pending}.LabelsPending())
		}
		for _, c := range diagnosis.Causes {
			name := m.Model + " · " + c
			custom := map[string]any{"model": m.Model, "cause": c, "threshold": 1.0, "windowSeconds": res.Window.Seconds()}
			frames = append(frames, seriesFrame(name, data.Labels{"model": m.Model, "cause": c}, times, values[c], custom, nil))
		}
	}
	table := data.NewFrame("verdicts",
		data.NewField("time", nil, tTime),
		data.NewField("model", nil, tModel),
		data.NewField("verdict", nil, tVerdict),
		data.NewField("labels_pending", nil, tPending),
		data.NewField(diagnosis.CausePipelineBreak, nil, tPipe),
		data.NewField("pipeline_check", nil, tCheck),
		data.NewField(diagnosis.CauseCovariateShift, nil, tCov),
		data.NewField(diagnosis.CausePredictionDrift, nil, tPred),
		data.NewField(diagnosis.CauseConceptDrift, nil, tConcept),
		data.NewField("estimated_roc_auc", nil, tEst),
		data.NewField("realized_roc_auc", nil, tReal),
		data.NewField("reference_gap", nil, tGap),
		data.NewField("labelled", nil, tPriorled),
		data.NewField(diagnosis.CausePriorShift, nil, tPrior),
		data.NewField("label_rate", nil, tRate),
		data.NewField("reference_label_rate", nil, tRefRate),
	)
	table.Meta = &data.FrameMeta{Type: data.FrameTypeTable, Custom: map[string]any{"windowSeconds": res.Window.Seconds(),
		"precedence": diagnosis.Precedence}}
	if len(tTime) > 0 {
		frames = append(frames, table)
	}
	return withResult(frames, res.SQL, res.Notices, "diagnosis")
}

// verdictCauses are the verdicts that name a cause, in precedence order.
var verdictCauses = diagnosis.Precedence[: len(diagnosis.Precedence)-1 : len(diagnosis.Precedence)-1]

// verdictFrames returns, per model, one timeseries-multi frame per verdict cause labelled model/cause: 1 where the
// window's verdict is that cause, null where the window cannot decide it (diagnosis.Undecided: a label-based cause
// whose labels have not arrived, e.g. in the last, partial window), else 0 (diagnosisOutput "verdicts"). Unlike
// the evidence series, at most one is 1 per model and window — a logging break that also moves a feature fires
// pipeline_break, not covariate_shift — so an alert rule over them raises one alert per model, for the cause that
// explains the others; with reduce last in dropNN mode it reads the latest window that decided the cause, and the
// threshold breach signal (band.Breaches) holds its state over the nulls.
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
				if diagnosis.Undecided(w.Evidence, w.Pending, c) {
					continue // null: labels still to come may make c the verdict
				}
				x := 0.0
				if w.Verdict == c {
					x = 1
				}
				values[j] = &x
			}
			name := m.Model + " · verdict · " + c
			custom := map[string]any{"model": m.Model, "cause": c, "threshold": 1.0, "windowSeconds": res.Window.Seconds(),
				"precedence": diagnosis.Precedence}
			frames = append(frames, seriesFrame(name, data.Labels{"model": m.Model, "cause": c}, times, values, custom, nil))
		}
	}
	return withResult(frames, res.SQL, res.Notices, "verdict")
}
