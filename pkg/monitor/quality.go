package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/band"
	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Data-quality checks, each its own series.
const (
	CheckVolumeRatio            = "volume_ratio"
	CheckDuplicateShare         = "duplicate_share"
	CheckMissingScoreShare      = "missing_score_share"
	CheckMissingPredictionShare = "missing_prediction_share"
	CheckNullShare              = "null_share"
	CheckOutOfRangeShare        = "out_of_range_share"
	CheckNewCategoryShare       = "new_category_share"
	// CheckTypeErrorShare: numeric features of a text-valued feature map only (typed columns cannot have them).
	CheckTypeErrorShare = "type_error_share"
)

// CheckKind is what a data-quality check measures, for its thresholds: band.Unit for the shares (in [0, 1],
// either way), band.NonNegative for volume_ratio.
func CheckKind(check string) band.Kind {
	if check == CheckVolumeRatio {
		return band.NonNegative
	}
	return band.Unit
}

// QualityPoint is one window's value of one check; Value is nil when the check has no value there (Notice says
// why).
type QualityPoint struct {
	Start time.Time
	Value *float64
	Rows  int64
	// Expected (volume_ratio only): the rows the reference's rate expects in the window, Value's denominator.
	Expected float64
	Notice   string
}

// QualitySeries is one check of one model (and one feature, for the feature checks).
type QualitySeries struct {
	Model, Check, Feature string
	Points                []QualityPoint
	Notice                string // why the whole series has no points, if it has none
	Meta                  map[string]any
}

// QualityResult is the answer to one dataQuality request.
type QualityResult struct {
	Series  []QualitySeries
	Window  time.Duration
	SQL     []string
	Notices []string
}

// Quality runs the "logging error" checks per model and window (dataQuality query):
//   - volume_ratio: the window's rows / the mean rows per window of the same width in the reference (for the
//     partial last window, the mean rows of the reference's windows in the same elapsed span from their start:
//     partialVolume; the elapsed share recorded as partialWindowElapsed). A range
//     reference's mean is its rows × width / its duration; a trailing reference's is the mean over the N windows
//     before (empty windows count as 0); a table reference has no time, so the ratio is null with a notice. It is
//     given below minSamples too: a collapsing volume is what it is there to show.
//   - duplicate_share: (non-null prediction ids − distinct prediction ids) / rows, within the window.
//   - missing_score_share, missing_prediction_share: rows with a NULL score / prediction, over rows.
//   - per feature: null_share (NULL or absent values / rows); numeric out_of_range_share (values outside the
//     reference's finite [min, max], plus NaN and ±Inf, / rows); categorical new_category_share (values not among
//     the reference categories / rows); numeric type_error_share when the store can hold text in a numeric
//     feature (a text-valued feature map): values present but not numbers / rows, not counted as nulls.
//
// Shares are null, with a notice, in windows with fewer than minSamples rows. The ranges and categories come from
// the query's reference (for a trailing reference: the N windows before the range, as one range).
func (s *Service) Quality(ctx context.Context, req Request) (QualityResult, error) {
	p, err := s.plan(ctx, req)
	if err != nil {
		return QualityResult{}, err
	}
	res := QualityResult{Window: p.window, Notices: p.notices}
	prof, err := s.store.Profile(ctx, p.refScope, p.features, nil, binning.CategoryCap)
	if err != nil {
		return res, err
	}
	res.SQL = append(res.SQL, prof.SQL...)
	numProf := map[key]store.NumericProfile{}
	for _, np := range prof.Numeric {
		numProf[key{np.Model, np.Feature}] = np
	}
	catProf := map[key]store.CategoricalProfile{}
	for _, cp := range prof.Categorical {
		catProf[key{cp.Model, cp.Feature}] = cp
	}
	checks := make([]store.QualityFeature, len(p.features))
	for i, f := range p.features {
		k := key{f.Model, f.Name}
		checks[i] = store.QualityFeature{Model: f.Model, Feature: f.Name, Type: f.Type}
		if np, ok := numProf[k]; ok && np.Finite > 0 {
			lo, hi := np.Min, np.Max
			checks[i].Min, checks[i].Max = &lo, &hi
		}
		if cp, ok := catProf[k]; ok && len(cp.Categories) > 0 && cp.Distinct <= int64(len(cp.Categories)) {
			for _, c := range cp.Categories {
				checks[i].Known = append(checks[i].Known, c.Value)
			}
		}
	}

	// Reference volume (range references): rows per model over the whole range.
	refRows := map[string]int64{}
	if req.Query.Reference.Type == query.RefRange {
		rq, err := s.store.Quality(ctx, p.refScope, store.Windowing{}, nil)
		if err != nil {
			return res, err
		}
		res.SQL = append(res.SQL, rq.SQL...)
		for _, r := range rq.Windows {
			refRows[r.Model] += r.Rows
		}
	}

	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.origin, To: req.To}
	if p.trailing > 0 {
		scope.From = p.refScope.From
	}
	cur, err := s.store.Quality(ctx, scope, store.Windowing{Origin: scope.From, Width: p.window}, checks)
	if err != nil {
		return res, err
	}
	res.SQL = append(res.SQL, cur.SQL...)
	win := map[modelWindow]store.WindowQuality{}
	for _, r := range cur.Windows {
		win[modelWindow{r.Model, r.Window}] = r
	}
	type mwf struct {
		m string
		w int64
		f string
	}
	feat := map[mwf]store.FeatureQuality{}
	for _, r := range cur.Features {
		feat[mwf{r.Model, r.Window, r.Feature}] = r
	}

	partial, partialSQL, err := s.partialVolume(ctx, req, p)
	if err != nil {
		return res, err
	}
	res.SQL = append(res.SQL, partialSQL...)

	var models []string
	seen := map[string]bool{}
	for _, f := range p.features {
		if !seen[f.Model] {
			seen[f.Model] = true
			models = append(models, f.Model)
		}
	}
	minSamples := int64(s.minSamples(req.Query))
	// share builds one share series from a per-window numerator; the denominator is the window's rows.
	share := func(m, check, feature string, num func(idx int64) int64) QualitySeries {
		qs := QualitySeries{Model: m, Check: check, Feature: feature, Meta: map[string]any{}}
		for i := 0; i < p.windows; i++ {
			idx := int64(i + p.trailing)
			n := win[modelWindow{m, idx}].Rows
			pt := QualityPoint{Start: p.origin.Add(time.Duration(i) * p.window), Rows: n}
			if n < minSamples || n == 0 {
				pt.Notice = fmt.Sprintf("%d rows in this window, below the minimum of %d: no value", n, minSamples)
			} else {
				v := float64(num(idx)) / float64(n)
				pt.Value = &v
			}
			qs.Points = append(qs.Points, pt)
		}
		return qs
	}
	for _, m := range models {
		res.Series = append(res.Series, s.volumeSeries(req, p, m, refRows[m], partial, func(idx int64) int64 { return win[modelWindow{m, idx}].Rows }))
		rowChecks := []struct {
			check, column string
			num           func(store.WindowQuality) int64
		}{
			{CheckDuplicateShare, s.cfg.PredictionIDColumn, func(r store.WindowQuality) int64 { return r.DuplicateIDs }},
			{CheckMissingScoreShare, s.cfg.ScoreColumn, func(r store.WindowQuality) int64 { return r.NullScore }},
			{CheckMissingPredictionShare, s.cfg.PredictionColumn, func(r store.WindowQuality) int64 { return r.NullPrediction }},
		}
		for _, rc := range rowChecks {
			if rc.column == "" {
				res.Series = append(res.Series, QualitySeries{Model: m, Check: rc.check, Meta: map[string]any{},
					Notice: fmt.Sprintf("%s: no column is mapped for this check", rc.check)})
				continue
			}
			num := rc.num
			qs := share(m, rc.check, "", func(idx int64) int64 { return num(win[modelWindow{m, idx}]) })
			qs.Meta["column"] = rc.column
			res.Series = append(res.Series, qs)
		}
		for i, f := range p.features {
			if f.Model != m {
				continue
			}
			name := f.Name
			res.Series = append(res.Series, share(m, CheckNullShare, name, func(idx int64) int64 { return feat[mwf{m, idx, name}].Nulls }))
			c := checks[i]
			if f.Type == store.Numeric && cur.TypeChecked {
				res.Series = append(res.Series, share(m, CheckTypeErrorShare, name, func(idx int64) int64 { return feat[mwf{m, idx, name}].TypeErrors }))
			}
			if f.Type == store.Numeric {
				if c.Min == nil {
					res.Series = append(res.Series, QualitySeries{Model: m, Check: CheckOutOfRangeShare, Feature: name, Meta: map[string]any{},
						Notice: fmt.Sprintf("the reference has no finite values of %s for model %s: no range to check", name, m)})
					continue
				}
				qs := share(m, CheckOutOfRangeShare, name, func(idx int64) int64 { return feat[mwf{m, idx, name}].OutOfRange })
				qs.Meta["referenceMin"], qs.Meta["referenceMax"] = *c.Min, *c.Max
				qs.Meta["nonFinite"] = "NaN and ±Inf count as out of range"
				res.Series = append(res.Series, qs)
				continue
			}
			if len(c.Known) == 0 {
				why := "the reference has no values"
				if cp, ok := catProf[key{m, name}]; ok && len(cp.Categories) > 0 {
					why = fmt.Sprintf("the reference has more than %d categories", binning.CategoryCap)
				}
				res.Series = append(res.Series, QualitySeries{Model: m, Check: CheckNewCategoryShare, Feature: name, Meta: map[string]any{},
					Notice: fmt.Sprintf("%s of %s for model %s: no category set to check", why, name, m)})
				continue
			}
			qs := share(m, CheckNewCategoryShare, name, func(idx int64) int64 { return feat[mwf{m, idx, name}].NewCategory })
			qs.Meta["referenceCategories"] = len(c.Known)
			res.Series = append(res.Series, qs)
		}
	}
	return res, nil
}

// partialSteps is the number of equal steps a window is cut into to find the rows expected in its elapsed part.
const partialSteps = 24

// partialVolume is, per model, the rows the window the range ends inside (a partial last window) is expected to hold
// by the range's end: the mean over the reference's windows (a range reference: its duration in windows; a trailing
// one: the N windows before the partial one) of their rows in the same elapsed span from the window's start. The
// reference is read in partialSteps steps per window (1 h for daily windows), the step the end falls in counted pro
// rata, so a daily traffic curve — a model serving the Americas logs most of its rows in the first UTC hours — does
// not read as a volume surge at 01:00 or a drop at 12:00, as the elapsed share of the mean would. nil (and no store
// read) when the range ends on a window bound or the reference is a table; a model without reference rows in that
// span expects 0 (no ratio).
func (s *Service) partialVolume(ctx context.Context, req Request, p plan) (map[string]float64, []string, error) {
	last := p.origin.Add(time.Duration(p.windows-1) * p.window)
	elapsed := req.To.Sub(last)
	ref := req.Query.Reference
	if elapsed <= 0 || elapsed >= p.window || ref.Type == query.RefTable {
		return nil, nil, nil
	}
	scope := store.Scope{Model: req.Query.Model, Segment: req.Query.Segment, From: p.refScope.From, To: p.refScope.To}
	windows := float64(scope.To.Sub(scope.From)) / float64(p.window)
	if p.trailing > 0 {
		scope.From, scope.To, windows = last.Add(-time.Duration(p.trailing)*p.window), last, float64(p.trailing)
	}
	step := p.window / partialSteps
	q, err := s.store.Quality(ctx, scope, store.Windowing{Origin: query.AlignWindow(scope.From, p.window), Width: step}, nil)
	if err != nil {
		return nil, nil, err
	}
	whole, frac := int64(elapsed/step), float64(elapsed%step)/float64(step)
	out := map[string]float64{}
	for _, r := range q.Windows {
		switch k := r.Window % partialSteps; {
		case k < whole:
			out[r.Model] += float64(r.Rows) / windows
		case k == whole:
			out[r.Model] += frac * float64(r.Rows) / windows
		}
	}
	return out, q.SQL, nil
}

// volumeSeries is the volume_ratio series of one model; rows gives the rows of window idx, partial the rows
// expected in a partial last window by model (partialVolume; nil: no partial window).
func (s *Service) volumeSeries(req Request, p plan, m string, refRows int64, partial map[string]float64, rows func(idx int64) int64) QualitySeries {
	qs := QualitySeries{Model: m, Check: CheckVolumeRatio, Meta: map[string]any{}}
	ref := req.Query.Reference
	var rangeMean float64
	switch ref.Type {
	case query.RefTable:
		qs.Notice = "volume_ratio needs a time-based reference (range or trailing); a reference table has no windows"
		return qs
	case query.RefRange:
		rangeMean = float64(refRows) * float64(p.window) / float64(ref.To.Sub(ref.From))
		qs.Meta["referenceRowsPerWindow"] = rangeMean
	}
	for i := 0; i < p.windows; i++ {
		idx := int64(i + p.trailing)
		n := rows(idx)
		pt := QualityPoint{Start: p.origin.Add(time.Duration(i) * p.window), Rows: n}
		mean := rangeMean
		if p.trailing > 0 {
			var sum int64
			for j := idx - int64(p.trailing); j < idx; j++ {
				sum += rows(j)
			}
			mean = float64(sum) / float64(p.trailing)
		}
		// A window the range ends inside (the last one, whenever an alert rule evaluates) is partial: its
		// expected rows are those of the reference's windows in the same elapsed span, so neither its shortness
		// nor the time of day reads as a volume drop or surge.
		if end := pt.Start.Add(p.window); req.To.Before(end) && req.To.After(pt.Start) && partial != nil {
			mean = partial[m]
			qs.Meta["partialWindowElapsed"] = float64(req.To.Sub(pt.Start)) / float64(p.window)
			qs.Meta["partialWindowExpectedRows"] = mean
		}
		if mean > 0 {
			v := float64(n) / mean
			pt.Value, pt.Expected = &v, mean
		} else {
			pt.Notice = "the reference has no rows: no volume ratio"
		}
		qs.Points = append(qs.Points, pt)
	}
	return qs
}
