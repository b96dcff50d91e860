package monitor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/engine/severity"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/cache"
)

// DefaultOwner is the owner of a model the registry gives none: its tickets go to the default team route.
const DefaultOwner = "unassigned"

// FleetWindow is one model window's state: its standing verdict (diagnosis.Standings: a window whose labels are
// pending keeps the label-based verdict of the latest window that decided it), whether its labels are pending,
// its severity before the cool-down, and the primary metric estimated (CBPE) and realized there.
type FleetWindow struct {
	Start               time.Time
	Verdict             string
	LabelsPending       bool
	Level               severity.Level
	Estimated, Realized *float64
}

// FleetRow is one model's health over a fleet query's range; "current" values are those of its last window.
type FleetRow struct {
	Model, Owner, Tier, Task string
	// Verdict: the last window's standing verdict (diagnosis.Standings) — its own verdict, except that while its
	// labels are pending a concept drift or prior shift of the latest window that decided them stands, as the
	// alert rule over the verdicts output reads it; VerdictAt: the start of the window whose evidence gave it.
	// Since: the start of the run of windows standing at that verdict.
	Verdict          string
	VerdictAt, Since time.Time
	// LabelsPending: the number of windows at the range's end whose labels have not arrived (concept drift or
	// prior shift undecided: diagnosis.Reading.LabelsPending), 0 when the last window is decided; PendingSince:
	// the start of the first of them (zero when none).
	LabelsPending int
	PendingSince  time.Time
	// WorstCause: the verdict's cause, or for an ok verdict the cause with the largest evidence ("" without any);
	// WorstEvidence: that cause's normalised evidence (>= 1: present) in the window that gave the verdict
	// (VerdictAt), the last window for an ok verdict. WorstFeature: the feature behind it —
	// the feature with the largest score/threshold for covariate shift and ok, the check's feature for a pipeline
	// break — with its auto metric, score, threshold and registry importance (nil: none).
	WorstCause, WorstFeature, FeatureMetric string
	WorstEvidence                           *float64
	FeatureScore, FeatureThreshold          *float64
	FeatureImportance                       *float64
	// WeightedDrift: the importance-weighted drift (covariate-shift evidence).
	WeightedDrift *float64
	// PrimaryMetric: roc_auc (binary), accuracy (multiclass), mae (regression). Estimated with its band
	// (EstimatedLower, EstimatedUpper: ±3σ), Realized over the labels known by the query's end, Gap = estimated
	// − realized. ReferenceLevel: CBPE's estimate on the reference itself (binary only).
	PrimaryMetric                                       string
	Estimated, EstimatedLower, EstimatedUpper, Realized *float64
	Gap, ReferenceLevel                                 *float64
	// Impact = (ReferenceLevel − Estimated) / (EstimatedUpper − Estimated): how far the estimate fell below the
	// reference in widths of its own ±3σ band (>= 1: it left the band). Binary models only; nil elsewhere.
	Impact *float64
	// DriftMatters: the drift is expected to hurt (severity.Signals.Matters).
	DriftMatters bool
	// LabelCoverage: labelled / served rows of the last window; LabelLagP50Hours: the median label delay.
	LabelCoverage, LabelLagP50Hours *float64
	// QualityCheck: the data-quality check with the largest pipeline-break evidence (check[:feature]) and that
	// evidence (>= 1: a break); VolumeRatio: the last window's rows over the reference's rows per window.
	QualityCheck    string
	QualityEvidence *float64
	VolumeRatio     *float64
	// Severity: the last window's severity after the cool-down (severity.Hold).
	Severity severity.Level
	// Reason says in words why the model has its severity.
	Reason  string
	Windows []FleetWindow
}

// FleetResult is the answer to one fleetHealth request: rows sorted by severity (page first), then by worst
// evidence, then by model.
type FleetResult struct {
	Rows    []FleetRow
	Window  time.Duration
	Hold    int
	SQL     []string
	Notices []string
}

// DefaultFleetHold is the cool-down of fleetHealth's severities in windows when the query gives none: 1, none.
const DefaultFleetHold = 1

// FleetHealth rolls every model up to one row with a severity (fleetHealth query). It composes the diagnosis
// (drift, data quality, CBPE and realized performance, score histograms) with the performance and estimated
// performance analyses over one request-scoped memo of the store, so that every aggregate the diagnosis reads —
// reference profile and counts, the windows' binned counts, quality counts, score histograms, the label
// aggregates — is read from the store once and reused by the others; only a fleet with multiclass models reads
// one more aggregate (the realized performance query counts their classes, which the diagnosis does not). The
// statistics themselves are recomputed from the memoised aggregates (milliseconds).
func (s *Service) FleetHealth(ctx context.Context, req Request) (FleetResult, error) {
	cached := *s
	cached.store = cache.Request(s.store)
	return cached.fleetHealth(ctx, req)
}

func (s *Service) fleetHealth(ctx context.Context, req Request) (FleetResult, error) {
	res := FleetResult{Hold: DefaultFleetHold}
	if f := req.Query.Fleet; f != nil && f.Hold > 0 {
		res.Hold = f.Hold
	}
	models, err := s.queryModels(ctx, req.Query)
	if err != nil {
		return res, err
	}
	models, res.Notices = registryDefaults(models)
	if len(models) == 0 {
		res.Notices = append(res.Notices, "no models in the log: the fleet is empty")
		return res, nil
	}
	dreq := req
	dreq.Query.Metric, dreq.Query.Threshold, dreq.Query.Features = query.MetricAuto, nil, nil
	if empty, err := s.emptyReference(ctx, dreq); err != nil || empty {
		res.Notices = append(res.Notices, "the reference has no rows of any model: nothing to compare the fleet with")
		return res, err
	}
	diag, err := s.diagnosis(ctx, req)
	if err != nil {
		return res, err
	}
	res.Window, res.SQL, res.Notices = diag.Window, diag.SQL, append(res.Notices, diag.Notices...)
	dr, err := s.Drift(ctx, dreq)
	if err != nil {
		return res, err
	}
	qr, err := s.Quality(ctx, dreq)
	if err != nil {
		return res, err
	}
	// A store without any labels has no estimate (CBPE calibrates on labels) and no realized performance: the
	// fleet goes on without them, as the diagnosis does (its notice says so).
	er, err := s.EstimatedPerformance(ctx, req)
	if noLabels(err) {
		er, err = EstimatedResult{}, nil
	}
	if err != nil {
		return res, err
	}
	pr, err := s.Performance(ctx, req)
	if noLabels(err) {
		pr, err = PerformanceResult{}, nil
	}
	if err != nil {
		return res, err
	}
	res.SQL = append(res.SQL, pr.SQL...) // the others' SQL is the diagnosis'
	refLevel, err := s.referenceAUC(ctx, dreq)
	if noLabels(err) {
		refLevel, err = nil, nil
	}
	if err != nil {
		return res, err
	}
	in := fleetInputs{drift: map[string][]Series{}, est: map[string]EstimatedSeries{}, perf: map[string]PerformanceSeries{},
		volume: map[string]QualitySeries{}, diag: map[string]DiagnosisModel{}, refLevel: refLevel}
	for _, sr := range dr.Series {
		in.drift[sr.Feature.Model] = append(in.drift[sr.Feature.Model], sr)
	}
	for _, es := range er.Series {
		in.est[es.Model+"/"+es.Metric] = es
	}
	for _, ps := range pr.Series {
		in.perf[ps.Model+"/"+ps.Metric] = ps
	}
	for _, qs := range qr.Series {
		if qs.Check == CheckVolumeRatio {
			in.volume[qs.Model] = qs
		}
	}
	for _, dm := range diag.Models {
		in.diag[dm.Model] = dm
	}
	for _, m := range models {
		res.Rows = append(res.Rows, in.row(m, res.Hold))
	}
	sortFleet(res.Rows)
	return res, nil
}

// noLabels says whether err is the store's "no labels at all" (store.NoLabelsError).
func noLabels(err error) bool {
	return errors.As(err, &store.NoLabelsError{})
}

// emptyReference says whether the reference holds no row of any model (then no analysis can run), from the row
// counts of the reference that the volume check of a range reference reads too (a memo hit there).
func (s *Service) emptyReference(ctx context.Context, req Request) (bool, error) {
	p, err := s.plan(ctx, req)
	if err != nil {
		return false, err
	}
	q, err := s.store.Quality(ctx, p.refScope, store.Windowing{}, nil)
	if err != nil {
		return false, err
	}
	for _, w := range q.Windows {
		if w.Rows > 0 {
			return false, nil
		}
	}
	return true, nil
}

// registryDefaults gives every model a known tier and an owner: a model without a registry row (or with an empty
// tier/owner) gets severity.DefaultTier and DefaultOwner, an unknown tier DefaultTier; a model listed twice is
// kept once. Each default is summarised in one notice.
func registryDefaults(models []store.Model) ([]store.Model, []string) {
	var out []store.Model
	var notices, noOwner, noTier []string
	seen := map[string]bool{}
	for _, m := range models {
		if seen[m.ID] {
			notices = append(notices, fmt.Sprintf("model %s is listed twice: kept once", m.ID))
			continue
		}
		seen[m.ID] = true
		if m.Tier == "" {
			noTier = append(noTier, m.ID)
		}
		tier, notice := severity.NormaliseTier(m.Tier)
		if notice != "" {
			notices = append(notices, "model "+m.ID+": "+notice)
		}
		m.Tier = tier
		if strings.TrimSpace(m.Owner) == "" {
			noOwner = append(noOwner, m.ID)
			m.Owner = DefaultOwner
		}
		out = append(out, m)
	}
	if len(noTier) > 0 {
		notices = append(notices, fmt.Sprintf("%d models have no registry tier, taken as %s: %s", len(noTier), severity.DefaultTier, abbreviate(noTier)))
	}
	if len(noOwner) > 0 {
		notices = append(notices, fmt.Sprintf("%d models have no registry owner, shown as %s: %s", len(noOwner), DefaultOwner, abbreviate(noOwner)))
	}
	return out, notices
}

// abbreviate lists at most 10 names.
func abbreviate(names []string) string {
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// referenceAUC is, per binary model, CBPE's ROC AUC estimate on the labelled reference itself: the reference's
// realized ROC AUC plus the estimator's in-sample gap (referenceGap), from the reference label aggregate the
// diagnosis read (a memo hit). It is the level a window's estimate is compared with for Impact. Models whose
// reference has fewer than minSamples labelled rows are absent.
func (s *Service) referenceAUC(ctx context.Context, req Request) (map[string]float64, error) {
	p, err := s.plan(ctx, req)
	if err != nil {
		return nil, err
	}
	preq := store.PerformanceRequest{Threshold: decisionThreshold(req.Query), LabelsUntil: req.To}
	ref, err := s.store.Performance(ctx, p.refScope, store.Windowing{}, preq)
	if err != nil {
		return nil, err
	}
	buckets := map[string][]store.ScoreBucket{}
	for _, b := range ref.Buckets {
		buckets[b.Model] = append(buckets[b.Model], b)
	}
	minSamples := int64(s.cfg.MinSamples)
	out := map[string]float64{}
	for _, r := range ref.Windows {
		if r.Labelled < minSamples || r.Labelled == 0 {
			continue
		}
		vals, _, _ := binaryMetrics(r, append([]store.ScoreBucket(nil), buckets[r.Model]...), minSamples)
		gap := referenceGap(r, buckets[r.Model], minSamples)
		if vals[PerfROCAUC] != nil && gap != nil {
			out[r.Model] = *vals[PerfROCAUC] + *gap
		}
	}
	return out, nil
}

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
	r.Severity = severity.Hold(levels, hold)[i]
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
// realized and estimated ROC AUC are a concept drift's numbers).
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
		parts = append(parts, fmt.Sprintf("pipeline break: %s at %s× its limit", r.QualityCheck, num(r.QualityEvidence)))
	case diagnosis.CauseConceptDrift:
		parts = append(parts, fmt.Sprintf("concept drift: realized %s %s below the estimate %s", PerfROCAUC, num(decided.RealizedAUC), num(decided.EstimatedAUC)))
	case diagnosis.CauseCovariateShift:
		parts = append(parts, fmt.Sprintf("covariate shift: importance-weighted drift %s", num(r.WeightedDrift)))
	case diagnosis.CausePriorShift:
		parts = append(parts, fmt.Sprintf("prior shift: label rate moved (%s× its limit)", num(r.WorstEvidence)))
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
	s := fmt.Sprintf("%s (%s tier): %s", r.Severity, r.Tier, strings.Join(parts, "; "))
	if hold > 1 {
		s += fmt.Sprintf("; held for %d windows", hold)
	}
	return s
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
