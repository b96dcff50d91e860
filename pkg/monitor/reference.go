package monitor

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/store"
)

type key = [2]string // (model, feature)

// reference is a summarised reference: bins for every feature, and (except for trailing references, whose
// counts come with the windows) its counts on those bins.
type reference struct {
	num  map[key]binning.Numeric
	cat  map[key]binning.Categorical
	std  map[key]float64
	rows map[key]int64 // finite (numeric) or non-null (categorical) reference rows, for `auto`
	// rankError holds the numeric features whose quantile bins are approximate (store.NumericProfile's
	// QuantileRankError), for their notice.
	rankError map[key]float64
	numBins   []store.NumericBins
	catBins   []store.CategoricalBins
	refNum    map[key]drift.NumericHist
	refCat    map[key]drift.CategoricalHist
	sql       []string
}

// ErrNoReference: the reference scope holds no value of any selected feature (the analyses that need a reference
// fail with it; a caller that filtered to a segment value with no rows answers with a notice instead).
var ErrNoReference = errors.New("the reference has no data for the selected models and features")

// loadReference returns the reference summary for scope (its profile, and its counts unless withCounts is false:
// trailing references, whose counts come with the windows).
func (s *Service) loadReference(ctx context.Context, scope store.Scope, features []store.Feature, bins int, withCounts bool) (*reference, error) {
	probs := binning.Probs(bins)
	p, err := s.store.Profile(ctx, scope, features, probs, binning.CategoryCap)
	if err != nil {
		return nil, err
	}
	r := &reference{num: map[key]binning.Numeric{}, cat: map[key]binning.Categorical{}, std: map[key]float64{},
		rows: map[key]int64{}, sql: slices.Clone(p.SQL)} // p is shared (cache): appending to its SQL could write into it
	for _, np := range p.Numeric {
		k := key{np.Model, np.Feature}
		b := binning.NewFromProfile(np, probs, bins)
		r.num[k], r.std[k], r.rows[k] = b, np.Std, np.Finite
		if np.QuantileRankError > 0 {
			if r.rankError == nil {
				r.rankError = map[key]float64{}
			}
			r.rankError[k] = np.QuantileRankError
		}
		if np.Finite > 0 {
			r.numBins = append(r.numBins, store.NumericBins{Model: np.Model, Feature: np.Feature, Edges: b.Fine})
		}
	}
	for _, cp := range p.Categorical {
		k := key{cp.Model, cp.Feature}
		b := binning.NewCategorical(cp)
		r.cat[k], r.rows[k] = b, cp.Rows-cp.Nulls
		if len(b.Known) > 0 {
			r.catBins = append(r.catBins, store.CategoricalBins{Model: cp.Model, Feature: cp.Feature, Top: b.Top, Known: b.Known, Complete: b.Complete})
		}
	}
	if len(r.numBins)+len(r.catBins) == 0 {
		return nil, ErrNoReference
	}
	if withCounts {
		c, err := s.store.Counts(ctx, scope, store.Windowing{}, r.numBins, r.catBins)
		if err != nil {
			return nil, err
		}
		r.sql = append(r.sql, c.SQL...)
		num, cat := r.histograms(c)
		r.refNum, r.refCat = num[0], cat[0]
	}
	return r, nil
}

// histograms folds store counts into per-window histograms on this reference's bins.
func (r *reference) histograms(c store.Counts) (map[int64]map[key]drift.NumericHist, map[int64]map[key]drift.CategoricalHist) {
	// A fleet's counts are millions of rows in no useful order (kept windows and the store's hash aggregates):
	// one look-up per row, of (model, feature, window) together, skipped when the row continues the previous
	// row's histogram (three look-ups of hashed string pairs per row were a tenth of a warm fleet query).
	type histKey struct {
		model, feature string
		window         int64
	}
	open := map[histKey]*drift.NumericHist{} // nil: not a binned feature
	var (
		h    *drift.NumericHist
		last histKey
	)
	for i, nc := range c.Numeric {
		if i == 0 || nc.Window != last.window || nc.Feature != last.feature || nc.Model != last.model {
			last = histKey{nc.Model, nc.Feature, nc.Window}
			var seen bool
			if h, seen = open[last]; !seen {
				if b, ok := r.num[key{nc.Model, nc.Feature}]; ok {
					nh := drift.NewNumericHist(b)
					nh.Min, nh.Max = make([]float64, len(nh.Counts)), make([]float64, len(nh.Counts))
					h = &nh
				}
				open[last] = h
			}
		}
		if h == nil {
			continue
		}
		switch {
		case nc.Bin == store.BinNull:
			h.Null += float64(nc.Count)
		case nc.Bin == store.BinNonFinite:
			h.NonFinite += float64(nc.Count)
		case nc.Bin == store.BinValue:
			if h.Values == nil {
				h.Values = &drift.Values{}
			}
			h.Values.X, h.Values.N = append(h.Values.X, nc.Value), append(h.Values.N, float64(nc.Count))
		case nc.Bin >= 0 && nc.Bin < len(h.Counts):
			if h.Counts[nc.Bin] == 0 {
				h.Min[nc.Bin], h.Max[nc.Bin] = nc.Min, nc.Max
			} else {
				h.Min[nc.Bin], h.Max[nc.Bin] = math.Min(h.Min[nc.Bin], nc.Min), math.Max(h.Max[nc.Bin], nc.Max)
			}
			h.Counts[nc.Bin] += float64(nc.Count)
			h.Sums[nc.Bin] += nc.Sum
		}
	}
	num := map[int64]map[key]drift.NumericHist{}
	for hk, h := range open {
		if h == nil {
			continue
		}
		if h.Values != nil {
			h.Values.Sort()
		}
		if num[hk.window] == nil {
			num[hk.window] = map[key]drift.NumericHist{}
		}
		num[hk.window][key{hk.model, hk.feature}] = *h
	}
	cat := map[int64]map[key]drift.CategoricalHist{}
	for _, cc := range c.Categorical {
		k := key{cc.Model, cc.Feature}
		b, ok := r.cat[k]
		if !ok {
			continue
		}
		if cat[cc.Window] == nil {
			cat[cc.Window] = map[key]drift.CategoricalHist{}
		}
		h, ok := cat[cc.Window][k]
		if !ok {
			h = drift.NewCategoricalHist(b)
		}
		switch cc.Kind {
		case store.KindNull:
			h.Null += float64(cc.Count)
		case store.KindOther:
			h.Other += float64(cc.Count)
		case store.KindUnseen:
			h.Unseen += float64(cc.Count)
		default:
			for i, t := range b.Top {
				if t == cc.Category {
					h.Counts[i] += float64(cc.Count)
					break
				}
			}
		}
		cat[cc.Window][k] = h
	}
	return num, cat
}
