package monitor

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/engine/severity"
	"github.com/aiops/modelmonitor/pkg/store"
)

// fleetInputs are the analyses' results, indexed by model (and model/metric).
type fleetInputs struct {
	drift    map[string][]Series
	est      map[string]EstimatedSeries
	perf     map[string]PerformanceSeries
	volume   map[string]QualitySeries
	diag     map[string]DiagnosisModel
	refLevel map[string]float64
}

// primaryMetric is the metric a task's health is summarised by: ROC AUC (threshold-free ranking quality, the
// metric the diagnosis' concept-drift evidence uses), accuracy for multiclass (what CBPE estimates there) and
// MAE for regression (no estimate without labels).
func primaryMetric(task string) string {
	switch task {
	case TaskMulticlass:
		return PerfAccuracy
	case TaskRegression:
		return PerfMAE
	}
	return PerfROCAUC
}

// row rolls one model up. Every window's severity is computed from its standing verdict (diagnosis.Standings),
// so the row's verdict, its severity, the trend and the alert output agree with the alert rule over the
// diagnosis' verdicts output while the newest windows' labels are pending.
func (in fleetInputs) row(m store.Model, hold int) FleetRow {
	r := FleetRow{Model: m.ID, Owner: m.Owner, Tier: m.Tier, Task: m.Task, PrimaryMetric: primaryMetric(m.Task)}
	dm := in.diag[m.ID]
	est, perf := in.est[m.ID+"/"+r.PrimaryMetric], in.perf[m.ID+"/"+r.PrimaryMetric]
	ref, hasRef := in.refLevel[m.ID]
	readings := make([]diagnosis.Reading, len(dm.Windows))
	for i, w := range dm.Windows {
		readings[i] = diagnosis.Reading{Evidence: w.Evidence, Pending: w.Pending}
	}
	standings := diagnosis.Standings(readings)
	levels := make([]severity.Level, len(dm.Windows))
	verdicts := make([]string, len(dm.Windows))
	var last severity.Signals
	for i, w := range dm.Windows {
		st := standings[i]
		sig := severity.Signals{Verdict: st.Verdict, WeightedDrift: w.CovariateShift,
			PredictionDrift: w.PredictionDrift != nil && *w.PredictionDrift >= 1}
		for _, sr := range in.drift[m.ID] {
			if x := ratio(sr, i); x != nil && *x >= 1 {
				sig.AnyFeatureDrift = true
			}
		}
		fw := FleetWindow{Start: w.Start, Verdict: st.Verdict, LabelsPending: st.LabelsPending}
		if i < len(est.Points) {
			p := est.Points[i]
			fw.Estimated = p.Value
			if hasRef && m.Task == TaskBinary && p.Value != nil && p.Upper != nil && *p.Upper > *p.Value {
				sig.Impact = v((ref - *p.Value) / (*p.Upper - *p.Value))
			}
		}
		if i < len(perf.Points) {
			fw.Realized = perf.Points[i].Value
		}
		fw.Level = severity.Of(m.Tier, sig.Urgency())
		levels[i], verdicts[i] = fw.Level, st.Verdict
		r.Windows = append(r.Windows, fw)
		last = sig
	}
	n := len(dm.Windows)
	if n == 0 {
		r.Verdict, r.Reason = diagnosis.VerdictOK, "no windows in the range"
		return r
	}
	i := n - 1
	w, st := dm.Windows[i], standings[i]
	decided := dm.Windows[st.DecidedIn]
	r.Verdict, r.VerdictAt, r.Since = st.Verdict, decided.Start, dm.Windows[severity.Since(verdicts)].Start
	for j := i; j >= 0 && standings[j].LabelsPending; j-- {
		r.LabelsPending, r.PendingSince = r.LabelsPending+1, dm.Windows[j].Start
	}
	held := severity.HeldFrom(levels, hold, i)
	r.Severity = levels[held]
	r.WeightedDrift, r.Impact, r.DriftMatters = w.CovariateShift, last.Impact, last.Matters()
	r.QualityCheck, r.QualityEvidence = w.PipelineCheck, w.PipelineBreak
	r.Estimated, r.Realized = r.Windows[i].Estimated, r.Windows[i].Realized
	if i < len(est.Points) {
		r.EstimatedLower, r.EstimatedUpper = est.Points[i].Lower, est.Points[i].Upper
	}
	if r.Estimated != nil && r.Realized != nil {
		r.Gap = v(*r.Estimated - *r.Realized)
	}
	if hasRef && m.Task == TaskBinary {
		r.ReferenceLevel = v(ref)
	}
	if cov := in.perf[m.ID+"/"+PerfLabelCoverage]; i < len(cov.Points) {
		r.LabelCoverage = cov.Points[i].Value
	}
	if lag := in.perf[m.ID+"/"+PerfLagP50]; i < len(lag.Points) {
		r.LabelLagP50Hours = lag.Points[i].Value
	}
	if vol := in.volume[m.ID]; i < len(vol.Points) {
		r.VolumeRatio = vol.Points[i].Value
	}
	r.WorstCause, r.WorstEvidence = worstCause(decided, st.Verdict)
	in.worstFeature(&r, w, i)
	if held != i {
		h := FleetRow{Model: m.ID}
		h.WorstCause, _ = worstCause(dm.Windows[standings[held].DecidedIn], standings[held].Verdict)
		in.worstFeature(&h, dm.Windows[held], held)
		r.HeldAt, r.HeldCause, r.HeldFeature = dm.Windows[held].Start, h.WorstCause, h.WorstFeature
	}
	r.Reason = reason(r, decided, hold)
	return r
}

// ratio is a drift series' score over its threshold in window i (p-value metrics: threshold / p), nil when the
// window has no score.
func ratio(sr Series, i int) *float64 {
	if i >= len(sr.Windows) || sr.Windows[i].Value == nil || sr.Threshold <= 0 {
		return nil
	}
	x := *sr.Windows[i].Value
	if sr.Direction == drift.Below {
		return v(sr.Threshold / math.Max(x, 1e-12))
	}
	return v(x / sr.Threshold)
}

// worstCause is the cause of verdict, read in the window w that gave it, and its evidence there, or for an ok
// verdict the cause with the largest evidence in w (ties: the diagnosis' order of causes).
func worstCause(w DiagnosisWindow, verdict string) (string, *float64) {
	evidence := map[string]*float64{diagnosis.CausePipelineBreak: w.PipelineBreak, diagnosis.CauseCovariateShift: w.CovariateShift,
		diagnosis.CausePredictionDrift: w.PredictionDrift, diagnosis.CauseConceptDrift: w.ConceptDrift, diagnosis.CausePriorShift: w.PriorShift}
	if verdict != diagnosis.VerdictOK {
		return verdict, evidence[verdict]
	}
	var cause string
	var best *float64
	for _, c := range diagnosis.Causes {
		if e := evidence[c]; e != nil && (best == nil || *e > *best) {
			cause, best = c, e
		}
	}
	return cause, best
}

// worstFeature names the feature behind the worst signal of window i: a pipeline break's checked feature, else
// the feature whose score is furthest beyond its threshold (its metric, score, threshold and importance).
func (in fleetInputs) worstFeature(r *FleetRow, w DiagnosisWindow, i int) {
	name := ""
	if r.WorstCause == diagnosis.CausePipelineBreak {
		_, name, _ = strings.Cut(w.PipelineCheck, ":")
	}
	var best *float64
	for _, sr := range in.drift[r.Model] {
		x := ratio(sr, i)
		if x == nil {
			continue
		}
		if (name == "" && (best == nil || *x > *best)) || sr.Feature.Name == name {
			best = x
			r.WorstFeature, r.FeatureMetric, r.FeatureThreshold = sr.Feature.Name, sr.Metric, v(sr.Threshold)
			r.FeatureScore, r.FeatureImportance = sr.Windows[i].Value, sr.Feature.Importance
			if sr.Feature.Name == name {
				return
			}
		}
	}
	if name != "" && r.WorstFeature != name { // a checked feature without a drift score
		r.WorstFeature, r.FeatureMetric, r.FeatureScore, r.FeatureThreshold, r.FeatureImportance = name, "", nil, nil, nil
	}
}

// reason says in words why a row has its severity; decided is the window whose evidence gave the verdict (its
// realized and estimated ROC AUC are a concept drift's numbers). A severity the cool-down (hold windows) keeps
// from an earlier window leads with that window's cause and start (r.HeldCause, r.HeldAt), then says what the
// last window reads now. Evidence is the cause's score over its alert level (1 = at the level).
func reason(r FleetRow, decided DiagnosisWindow, hold int) string {
	var parts []string
	num := func(x *float64) string {
		if x == nil {
			return "—"
		}
		return fmt.Sprintf("%.3g", *x)
	}
	switch r.Verdict {
	case diagnosis.CausePipelineBreak:
		parts = append(parts, fmt.Sprintf("pipeline break: %s (evidence %s× its alert level)", r.QualityCheck, num(r.QualityEvidence)))
	case diagnosis.CauseConceptDrift:
		parts = append(parts, fmt.Sprintf("concept drift: realized %s %s below the estimate %s", PerfROCAUC, num(decided.RealizedAUC), num(decided.EstimatedAUC)))
	case diagnosis.CauseCovariateShift:
		parts = append(parts, fmt.Sprintf("covariate shift: importance-weighted drift %s", num(r.WeightedDrift)))
	case diagnosis.CausePriorShift:
		parts = append(parts, fmt.Sprintf("prior shift: label rate moved (evidence %s× its alert level)", num(r.WorstEvidence)))
	default:
		parts = append(parts, "verdict ok")
	}
	if r.LabelsPending > 0 {
		parts = append(parts, pendingWords(r))
	}
	if r.WorstFeature != "" && r.FeatureScore != nil {
		parts = append(parts, fmt.Sprintf("%s %s %s vs %s (importance %s)", r.WorstFeature, r.FeatureMetric, num(r.FeatureScore), num(r.FeatureThreshold), num(r.FeatureImportance)))
	}
	if r.Impact != nil {
		if *r.Impact >= 1 {
			parts = append(parts, fmt.Sprintf("estimated %s %s left its band (reference %s)", r.PrimaryMetric, num(r.Estimated), num(r.ReferenceLevel)))
		} else {
			parts = append(parts, fmt.Sprintf("estimated %s %s within its band", r.PrimaryMetric, num(r.Estimated)))
		}
	}
	if r.Verdict == diagnosis.CauseCovariateShift {
		if r.DriftMatters {
			parts = append(parts, "the drift matters")
		} else {
			parts = append(parts, "the drift is not expected to hurt")
		}
	}
	head := fmt.Sprintf("%s (%s tier): ", r.Severity, r.Tier)
	if !r.HeldAt.IsZero() {
		from := "the window of " + r.HeldAt.UTC().Format("2006-01-02 15:04")
		if r.HeldCause != "" {
			from = r.HeldCause + " in " + from
		}
		head += fmt.Sprintf("held from %s (cool-down of %d windows); now ", from, hold)
	}
	return head + strings.Join(parts, "; ")
}

// pendingWords says which windows' labels are pending and what the verdict rests on meanwhile.
func pendingWords(r FleetRow) string {
	windows := "window"
	if r.LabelsPending > 1 {
		windows = "windows"
	}
	s := fmt.Sprintf("labels pending since %s (%d %s): ", r.PendingSince.UTC().Format("2006-01-02 15:04"), r.LabelsPending, windows)
	switch r.Verdict {
	case diagnosis.CauseConceptDrift, diagnosis.CausePriorShift:
		return s + "the verdict of " + r.VerdictAt.UTC().Format("2006-01-02 15:04") + " stands"
	case diagnosis.CauseCovariateShift:
		return s + "provisional, concept drift undecided"
	}
	return s + "concept drift and prior shift undecided"
}

// sortFleet orders rows by severity (page first), then by worst evidence (largest first, none last), then model.
func sortFleet(rows []FleetRow) {
	sort.SliceStable(rows, func(a, b int) bool {
		ra, rb := rows[a], rows[b]
		if ra.Severity != rb.Severity {
			return ra.Severity > rb.Severity
		}
		ea, eb := math.Inf(-1), math.Inf(-1)
		if ra.WorstEvidence != nil {
			ea = *ra.WorstEvidence
		}
		if rb.WorstEvidence != nil {
			eb = *rb.WorstEvidence
		}
		if ea != eb {
			return ea > eb
		}
		return ra.Model < rb.Model
	})
}
