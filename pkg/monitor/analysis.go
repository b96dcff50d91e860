package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// plan is what both analyses resolve first.
type plan struct {
	features []store.Feature
	window   time.Duration
	origin   time.Time // start of the first current window
	windows  int
	refScope store.Scope
	trailing int // trailing reference windows, 0 for range/table references
	notices  []string
}

func (s *Service) plan(ctx context.Context, req Request) (plan, error) {
	var p plan
	q := req.Query
	win, err := s.resolveWindowing(req)
	if err != nil {
		return p, err
	}
	features, err := s.resolveFeatures(ctx, q)
	if err != nil {
		return p, err
	}
	w := win.width
	p.features, p.window, p.origin, p.windows, p.notices = features, w, win.origin, win.count, win.notices
	ref := q.Reference
	p.refScope = store.Scope{Model: q.Model, Segment: q.Segment}
	if q.ReferenceDefaulted {
		p.notices = append(p.notices, "the query names no reference: "+defaultReferenceUsed(*ref))
	}
	switch ref.Type {
	case query.RefRange:
		p.refScope.From, p.refScope.To = ref.From, ref.To
	case query.RefTable:
		if err := s.store.ValidateTable(ctx, ref.Table, features); err != nil {
			return p, err
		}
		p.refScope.Table = ref.Table
	case query.RefTrailing:
		p.trailing = ref.Windows
		p.refScope.From = p.origin.Add(-time.Duration(ref.Windows) * w)
		p.refScope.To = p.origin
	}
	return p, nil
}

// Drift scores every feature in every window of the range (drift and driftHeatmap queries).
func (s *Service) Drift(ctx context.Context, req Request) (Result, error) {
	p, err := s.plan(ctx, req)
	if err != nil {
		return Result{}, err
	}
	ref, err := s.loadReference(ctx, p.refScope, p.features, req.Query.Bins, p.trailing == 0)
	if err != nil {
		return Result{}, err
	}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.origin, To: req.To}
	origin := p.origin
	if p.trailing > 0 {
		origin = p.refScope.From
		scope.From = origin
	}
	counts, err := s.store.Counts(ctx, scope, store.Windowing{Origin: origin, Width: p.window}, ref.numBins, ref.catBins)
	if err != nil {
		return Result{}, err
	}
	num, cat := ref.histograms(counts)
	res := Result{Window: p.window, SQL: append(append([]string{}, ref.sql...), counts.SQL...), Notices: p.notices}
	res.Notices = append(res.Notices, referenceNotices(p.features, ref)...)
	for _, f := range p.features {
		k := key{f.Model, f.Name}
		series, ok := s.newSeries(req.Query, f, ref)
		if !ok {
			res.Series = append(res.Series, series)
			continue
		}
		for i := 0; i < p.windows; i++ {
			idx := int64(i + p.trailing)
			in := s.input(req.Query, series, ref, k)
			in.CurNum, in.CurCat = num[idx][k], cat[idx][k]
			if p.trailing > 0 {
				in.RefNum, in.RefCat = trailingReference(ref, k, num, cat, idx, p.trailing)
			}
			fillEmpty(&in, ref, k)
			series.Windows = append(series.Windows, WindowScore{Start: p.origin.Add(time.Duration(i) * p.window), Result: drift.Compute(in)})
		}
		res.Series = append(res.Series, series)
	}
	return res, nil
}

// Distribution compares the reference with the whole current range, per display bin (distribution query).
func (s *Service) Distribution(ctx context.Context, req Request) (Result, error) {
	p, err := s.plan(ctx, req)
	if err != nil {
		return Result{}, err
	}
	if p.trailing > 0 { // the N windows before the range, taken as one range reference
		p.refScope.From = query.AlignWindow(req.From, p.window).Add(-time.Duration(p.trailing) * p.window)
		p.refScope.To = req.From
	}
	ref, err := s.loadReference(ctx, p.refScope, p.features, req.Query.Bins, true)
	if err != nil {
		return Result{}, err
	}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: req.From, To: req.To}
	counts, err := s.store.Counts(ctx, scope, store.Windowing{}, ref.numBins, ref.catBins)
	if err != nil {
		return Result{}, err
	}
	num, cat := ref.histograms(counts)
	res := Result{SQL: append(append([]string{}, ref.sql...), counts.SQL...), Notices: p.notices}
	res.Notices = append(res.Notices, referenceNotices(p.features, ref)...)
	for _, f := range p.features {
		k := key{f.Model, f.Name}
		series, ok := s.newSeries(req.Query, f, ref)
		if ok {
			in := s.input(req.Query, series, ref, k)
			in.CurNum, in.CurCat = num[0][k], cat[0][k]
			fillEmpty(&in, ref, k)
			series.Windows = []WindowScore{{Start: req.From, Result: drift.Compute(in)}}
		}
		res.Series = append(res.Series, series)
	}
	return res, nil
}

// newSeries resolves the metric and threshold of one feature; ok is false (with a notice) when the feature
// cannot be scored at all: no reference data, or a metric that does not apply to its type.
func (s *Service) newSeries(q query.Model, f store.Feature, ref *reference) (Series, bool) {
	k := key{f.Model, f.Name}
	series := Series{Feature: f}
	rows, profiled := ref.rows[k]
	if !profiled || rows == 0 {
		series.Notice = fmt.Sprintf("the reference has no non-null values of %s for model %s", f.Name, f.Model)
		series.Metric = q.Metric
		return series, false
	}
	kind := drift.DetectKind(f.Type, ref.num[k], ref.cat[k])
	metric, chosenBy, err := drift.Choose(q.Metric, kind, f.Type == store.Numeric, rows)
	if err != nil {
		series.Notice, series.Metric = fmt.Sprintf("%s: %v", f.Name, err), q.Metric
		return series, false
	}
	series.Metric, series.ChosenBy, series.RefRows = metric, chosenBy, rows
	series.Threshold, series.Direction = drift.DefaultThreshold(metric)
	if q.Threshold != nil {
		series.Threshold = *q.Threshold
	}
	if b, ok := ref.num[k]; ok {
		series.Edges = b.Coarse
	}
	return series, true
}

func (s *Service) input(q query.Model, series Series, ref *reference, k key) drift.Input {
	return drift.Input{Metric: series.Metric, Threshold: series.Threshold, Direction: series.Direction,
		Type: series.Feature.Type, MinSamples: s.minSamples(q), Num: ref.num[k], Cat: ref.cat[k], RefStd: ref.std[k],
		RefNum: ref.refNum[k], RefCat: ref.refCat[k]}
}

// trailingReference sums the `n` windows before window idx on the shared bins.
func trailingReference(ref *reference, k key, num map[int64]map[key]drift.NumericHist, cat map[int64]map[key]drift.CategoricalHist, idx int64, n int) (drift.NumericHist, drift.CategoricalHist) {
	var rn drift.NumericHist
	var rc drift.CategoricalHist
	if b, ok := ref.cat[k]; ok {
		rc = drift.NewCategoricalHist(b)
	}
	var windows []drift.NumericHist
	for j := idx - int64(n); j < idx; j++ {
		if h, ok := num[j][k]; ok {
			windows = append(windows, h)
		}
		if h, ok := cat[j][k]; ok {
			rc.Add(h)
		}
	}
	if b, ok := ref.num[k]; ok {
		rn = drift.SumNumeric(b, windows...)
	}
	return rn, rc
}

// fillEmpty gives windows without rows empty histograms on the right bins, so they score as "no rows".
func fillEmpty(in *drift.Input, ref *reference, k key) {
	if b, ok := ref.num[k]; ok {
		if in.CurNum.Counts == nil {
			in.CurNum = drift.NewNumericHist(b)
		}
		if in.RefNum.Counts == nil {
			in.RefNum = drift.NewNumericHist(b)
		}
	}
	if b, ok := ref.cat[k]; ok {
		if in.CurCat.Counts == nil {
			in.CurCat = drift.NewCategoricalHist(b)
		}
		if in.RefCat.Counts == nil {
			in.RefCat = drift.NewCategoricalHist(b)
		}
	}
}

// minSamples is the query's minSamples where it sets one, else the data source's.
func (s *Service) minSamples(q query.Model) int {
	if q.MinSamples != nil {
		return *q.MinSamples
	}
	return s.cfg.MinSamples
}

// referenceNotices names the categorical features whose reference has more categories than the store lists
// (binning.CategoryCap): their current values outside the listed ones cannot be told apart as unseen or as one of
// the reference's rare categories, so they count as "(other)" and no unseen share is given. It also names the
// numeric features whose reference was too large to sort (the Spark store's exactQuantileMaxValues): their bin
// edges are approximate quantiles, each within the stated share of the reference's values of its exact rank;
// both sides are then counted exactly on those edges.
func referenceNotices(features []store.Feature, ref *reference) []string {
	var out []string
	for _, f := range features {
		k := key{f.Model, f.Name}
		if c, ok := ref.cat[k]; ok && !c.Complete {
			out = append(out, fmt.Sprintf("%s · %s: the reference has more than %d categories, so values it never had cannot be "+
				"told from its rare ones: they count as (other) and no unseen share is given", f.Model, f.Name, binning.CategoryCap))
		}
		if e, ok := ref.rankError[k]; ok {
			out = append(out, fmt.Sprintf("%s · %s: the reference's %d values are too many to sort, so its quantile bins are approximate "+
				"(percentile_approx: each edge within %.3g %% of the values of its exact rank; both sides are counted exactly on these bins)",
				f.Model, f.Name, ref.rows[k], 100*e))
		}
	}
	return out
}

// defaultReferenceUsed says which reference a query that names none was given.
func defaultReferenceUsed(ref query.Reference) string {
	switch ref.Type {
	case query.RefRange:
		return fmt.Sprintf("compared with the data source's default reference, %s to %s", ref.From.Format(time.RFC3339), ref.To.Format(time.RFC3339))
	case query.RefTable:
		return fmt.Sprintf("compared with the data source's default reference table %q", ref.Table)
	}
	return fmt.Sprintf("each window is compared with the %d windows before it (a trailing reference)", ref.Windows)
}
