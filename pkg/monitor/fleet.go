package monitor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// HeldAt: the start of the earlier window whose severity the cool-down holds (severity.HeldFrom), zero when
	// Severity is the last window's own; HeldCause and HeldFeature: the cause and feature that gave that window
	// its severity (as WorstCause and WorstFeature read there), "" when not held (or that window has none). While held, the alert output's
	// cause and feature labels are these, so the alert instance, its runbook text and its routing stay those of
	// the incident the severity comes from.
	HeldAt                 time.Time
	HeldCause, HeldFeature string
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
// aggregates — is read from the store once and reused by the others (the diagnosis asks its windows' label
// aggregates with the multiclass models' class counts, as the performance analysis does: classModels). The
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
	er, err := s.EstimatedPerformance(ctx, req) // without scores: no series (the diagnosis' notice says so)
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
	if n := silentNotice(models, in.volume, req); n != "" {
		res.Notices = append(res.Notices, n)
	}
	sortFleet(res.Rows)
	return res, nil
}

// silentNotice says which models logged no row in the range (every window of their volume_ratio series at 0
// rows), which the volume check reads as a pipeline break: all of them — a logging outage of the whole fleet, or
// a range outside the log — or some (a model whose logging stopped, or one retired but still in the log). ""
// when every model logged rows, or without volume series (a reference table: no volume check).
func silentNotice(models []store.Model, volume map[string]QualitySeries, req Request) string {
	var silent []string
	for _, m := range models {
		pts := volume[m.ID].Points
		if len(pts) > 0 && !slices.ContainsFunc(pts, func(p QualityPoint) bool { return p.Rows > 0 }) {
			silent = append(silent, m.ID)
		}
	}
	span := req.From.UTC().Format(time.RFC3339) + " – " + req.To.UTC().Format(time.RFC3339)
	switch {
	case len(silent) == 0:
		return ""
	case len(silent) == len(models):
		return fmt.Sprintf("no model has rows in %s: each reads as a pipeline break (volume 0) — a logging outage of the whole fleet, or a range outside the log", span)
	}
	return fmt.Sprintf("%d models have no rows in %s, read as a pipeline break (volume 0): %s", len(silent), span, abbreviate(silent))
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
// tier/owner) gets severity.DefaultTier and DefaultOwner, an unknown tier DefaultTier; a model whose registry rows
// disagree on its tier gets the most critical of them (severity.MostCritical), on its owner the greatest (as the
// store gives it), each with a notice; a model listed twice is kept once. Each default is summarised in one notice.
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
		if len(m.Tiers) > 1 {
			m.Tier = severity.MostCritical(m.Tiers)
			notices = append(notices, fmt.Sprintf("model %s: its registry rows disagree on tier (%s): taken as %s, the most critical",
				m.ID, strings.Join(m.Tiers, ", "), m.Tier))
		}
		if len(m.Owners) > 1 {
			notices = append(notices, fmt.Sprintf("model %s: its registry rows disagree on owner (%s): shown as %s",
				m.ID, strings.Join(m.Owners, ", "), m.Owner))
		}
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
