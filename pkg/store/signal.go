package store

import (
	"context"
	"math"
	"time"
)

// WindowRows is one window's change signal: how many rows of a scope fall in it, and how many of them carry a
// label in the log row's label column (0 when no label column is mapped).
type WindowRows struct {
	Window   int64
	Rows     int64
	Labelled int64
}

// LabelState is the labels table's change signal up to a label cut-off: how many of its rows have label_ts at or
// before the cut-off, and the latest of those label_ts in microseconds since the Unix epoch (UTC; 0 when none).
type LabelState struct {
	Rows          int64
	LatestMicros  int64
	HasLabelTable bool // false: labels come from the log row's label column (or there is no label source)
}

// ChangeSignal is the optional capability of a store that can tell cheaply whether the rows behind an aggregate
// changed. pkg/store/cache reuses the aggregates of settled windows only over a store that offers it; an engine
// without it gets no reuse across queries (every query asks the store), never a stale answer.
//
// Contract (checked by pkg/store/storetest where an engine offers it):
//   - WindowRows selects rows as every aggregate does (Scope, Windowing: see Store) and returns, per window with
//     at least one row, its row count and the count of non-NULL values of the label column (0 when none is
//     mapped). One aggregate statement over the time column (and the model, segment and label columns); the
//     logs are append-only, so a count that did not change means the window's rows did not change.
//   - LabelState returns, when labels come from a labels table (no label column mapped), the count and the latest
//     label_ts of its rows with label_ts <= until (the LabelsUntil of a label-reading aggregate), with
//     HasLabelTable true; otherwise the zero LabelState. A labels table that is configured but missing, or lacks
//     a column, is the error Performance would return. The labels table is append-only too: under an equal state
//     for two cut-offs, the labels known by each are the same rows, so every label-reading answer is the same.
//   - LabelledWindows lists the windows of a scope (as WindowRows counts them) holding a prediction with a label
//     in the labels table whose label_ts is after `after` and at or before `until`: the windows whose
//     label-reading answers differ between the two cut-offs. Errors as LabelState.
type ChangeSignal interface {
	WindowRows(ctx context.Context, scope Scope, w Windowing) ([]WindowRows, error)
	LabelState(ctx context.Context, until time.Time) (LabelState, error)
	LabelledWindows(ctx context.Context, scope Scope, w Windowing, after, until time.Time) ([]int64, error)
}

// LabelDelta is the optional capability of a store that can tell how the performance aggregates of a scope change
// when the label cut-off moves, reading only the labels that arrived in between. pkg/store/cache uses it to bring
// a kept window's performance part from its cut-off to a later (or earlier) one, instead of asking the window
// again, when labels of its predictions arrived in between (ChangeSignal.LabelledWindows).
//
// Contract (checked by pkg/store/storetest where an engine offers it): with a labels table, let the touched rows
// be the scoped rows whose prediction id has a label with label_ts after the earlier and at or before the later
// of from and req.LabelsUntil. Before is Performance over the touched rows with labels known by from, After the
// same with labels known by req.LabelsUntil (req otherwise as given). Hence, for every additive field (every count
// and sum, score buckets, class counts and lag buckets, matched by their keys), Performance under
// req.LabelsUntil = Performance under from − Before + After, as long as the labels with label_ts <= from are
// unchanged (ChangeSignal.LabelState). SQL lists the statements run. Errors as ChangeSignal.LabelState; labels in
// the log row (no labels table) are an error: their changes are rows (ChangeSignal.WindowRows).
type LabelDelta interface {
	PerformanceDelta(ctx context.Context, scope Scope, w Windowing, req PerformanceRequest, from time.Time) (before, after Performance, err error)
}

// ApplyLabelDelta brings a performance answer computed under one label cut-off to another: kept − before + after
// (LabelDelta), field by field, keyed rows matched by their keys. Rows whose counts all come to zero are dropped
// (a store never returns them), the sums of a window with no labelled row left are exactly 0, and the lag
// quantiles of the windows the delta touches are read again from their lag histogram. The answer's statements
// are kept's. Kept is not modified.
//
// exact is false when a floating sum lost too much to cancellation to equal the sum a store computes (within
// 1e-13 relative): when the terms taken out and put in are several hundred times the result, as when a label of
// 0 with a mean absolute percentage error of |e|/ε ≈ 4.5e15 is corrected. The caller then asks the store.
func ApplyLabelDelta(kept, before, after Performance) (out Performance, exact bool) {
	out = Performance{SQL: kept.SQL}
	exact = true
	sums := func(r *WindowPerformance) [4]*float64 {
		return [4]*float64{&r.LogLossSum, &r.AbsErrSum, &r.SqErrSum, &r.APESum}
	}
	mags := map[wk]*[4]float64{} // per touched window, the magnitudes of the terms of its floating sums
	addMag := func(k wk, r *WindowPerformance) {
		m := mags[k]
		if m == nil {
			m = &[4]float64{}
			mags[k] = m
		}
		for i, f := range sums(r) {
			m[i] += math.Abs(*f)
		}
	}
	windows := map[wk]int{}
	out.Windows = append([]WindowPerformance(nil), kept.Windows...)
	for i, r := range out.Windows {
		windows[wk{r.Model, r.Window}] = i
	}
	touched := map[wk]bool{}
	for _, d := range []struct {
		sign int64
		rows []WindowPerformance
	}{{-1, before.Windows}, {1, after.Windows}} {
		sign, rows := d.sign, d.rows
		for i := range rows {
			k := wk{rows[i].Model, rows[i].Window}
			at, ok := windows[k]
			if !ok {
				at = len(out.Windows)
				windows[k] = at
				out.Windows = append(out.Windows, WindowPerformance{Model: k.m, Window: k.w})
			}
			if !touched[k] {
				addMag(k, &out.Windows[at])
			}
			addMag(k, &rows[i])
			AddPerformance(&out.Windows[at], &rows[i], sign)
			touched[k] = true
		}
	}

	// The keyed rows are matched by their (model, window) interned to a number (rows come grouped by it) and
	// their own key: a fleet's windows hold ~10⁵ score buckets, and hashing the model's text for each of them was
	// most of a warm fleet evaluation's time in this function.
	groups := groupIDs{ids: map[wk]int32{}}
	type bk struct {
		g             int32
		label, bucket int
	}
	bkey := func(b ScoreBucket) bk { return bk{groups.id(b.Model, b.Window), b.Label, b.Bucket} }
	bucketMags := map[bk]float64{}
	for _, rows := range [][]ScoreBucket{before.Buckets, after.Buckets} {
		for _, b := range rows {
			bucketMags[bkey(b)] += math.Abs(b.ScoreSum)
		}
	}
	for _, b := range kept.Buckets {
		if k := bkey(b); bucketMags[k] > 0 {
			bucketMags[k] += math.Abs(b.ScoreSum)
		}
	}
	out.Buckets = addRows(kept.Buckets, before.Buckets, after.Buckets, bkey,
		func(dst *ScoreBucket, src ScoreBucket, sign int64) {
			dst.Count += sign * src.Count
			dst.ScoreSum += float64(sign) * src.ScoreSum
		}, func(b ScoreBucket) bool { return b.Count == 0 })
	for _, b := range out.Buckets {
		exact = exact && !cancelled(b.ScoreSum, bucketMags[bkey(b)])
	}
	type ck struct {
		m     string
		w     int64
		class string
	}
	out.Classes = addRows(kept.Classes, before.Classes, after.Classes,
		func(c ClassCount) ck { return ck{c.Model, c.Window, c.Class} },
		func(dst *ClassCount, src ClassCount, sign int64) {
			dst.TP += sign * src.TP
			dst.FP += sign * src.FP
			dst.FN += sign * src.FN
		}, func(c ClassCount) bool { return c.TP == 0 && c.FP == 0 && c.FN == 0 })
	type lk struct {
		g      int32
		bucket int
	}
	out.Lags = addRows(kept.Lags, before.Lags, after.Lags,
		func(l LagBucket) lk { return lk{groups.id(l.Model, l.Window), l.Bucket} },
		func(dst *LagBucket, src LagBucket, sign int64) { dst.Count += sign * src.Count },
		func(l LagBucket) bool { return l.Count == 0 })

	lags := map[wk][]LagBucket{}
	for _, l := range out.Lags {
		if k := (wk{l.Model, l.Window}); touched[k] {
			lags[k] = append(lags[k], l)
		}
	}
	for i := range out.Windows {
		r := &out.Windows[i]
		k := wk{r.Model, r.Window}
		if !touched[k] {
			continue
		}
		r.LagP50Hours, r.LagP90Hours = LagQuantiles(lags[k])
		if r.Labelled == 0 {
			r.LogLossSum = 0
		}
		if r.RegLabelled == 0 {
			r.AbsErrSum, r.SqErrSum, r.APESum = 0, 0, 0
		}
		for i, f := range sums(r) {
			set := i == 0 && r.Labelled == 0 || i > 0 && r.RegLabelled == 0 // exactly 0, as a store's sum of no term
			exact = exact && (set || !cancelled(*f, mags[k][i]))
		}
	}
	return out, exact
}

// wk is a (model, window).
type wk struct {
	m string
	w int64
}

// groupIDs numbers (model, window) pairs in the order first seen, remembering the last one asked: rows grouped by
// their (model, window) cost one comparison each instead of a hash of the model's text.
type groupIDs struct {
	ids    map[wk]int32
	last   wk
	lastID int32
	seen   bool
}

func (g *groupIDs) id(m string, w int64) int32 {
	if g.seen && w == g.last.w && m == g.last.m {
		return g.lastID
	}
	k := wk{m, w}
	id, ok := g.ids[k]
	if !ok {
		id = int32(len(g.ids))
		g.ids[k] = id
	}
	g.last, g.lastID, g.seen = k, id, true
	return id
}

// cancelled reports whether a floating sum r of terms whose magnitudes add up to mag may be off by more than
// 1e-13 of r: each of its additions rounds by at most ε = 2⁻⁵³ of the running magnitude, a few of them here
// (the store's sums of kept, before and after, and the two of the delta), so the error is within 4ε·mag.
func cancelled(r, mag float64) bool {
	return r != 0 && 4*0x1p-53*mag > 1e-13*math.Abs(r) || r == 0 && mag != 0
}

// addRows returns kept − before + after for rows matched by key (add adds sign times a row into another), kept's
// rows first in their order, then new keys in the order they come; rows that zero reports are left out. nil when
// no row is left, as a store answers without rows. Only the delta's rows are indexed: kept's rows, many more, are
// looked up in that small index, not indexed themselves. Each row is summed in the same order whether kept or
// new: itself (zero for a new key), − before's rows of its key, + after's, each side in its order (a store answer
// has one row per key; several are summed). Kept, a store answer, has one row per key.
func addRows[R any, K comparable](kept, before, after []R, key func(R) K, add func(*R, R, int64), zero func(R) bool) []R {
	if len(before) == 0 && len(after) == 0 {
		return kept
	}
	sides := [2][]R{before, after}
	signs := [2]int64{-1, 1}
	type rowsOf [2][]int // a key's rows in before and in after
	delta := make(map[K]*rowsOf, len(before)+len(after))
	var fresh []K // keys of the delta in the order they come
	for side, rows := range sides {
		for i, r := range rows {
			k := key(r)
			d := delta[k]
			if d == nil {
				d = &rowsOf{}
				delta[k] = d
				fresh = append(fresh, k)
			}
			d[side] = append(d[side], i)
		}
	}
	apply := func(r *R, d *rowsOf) {
		for side, at := range d {
			for _, i := range at {
				add(r, sides[side][i], signs[side])
			}
		}
	}
	out := make([]R, 0, len(kept)+len(fresh))
	for _, r := range kept {
		k := key(r)
		if d := delta[k]; d != nil {
			apply(&r, d)
			delete(delta, k) // matched: not a new key
		}
		if !zero(r) {
			out = append(out, r)
		}
	}
	for _, k := range fresh {
		d := delta[k]
		if d == nil {
			continue
		}
		var r R
		if len(d[0]) > 0 {
			r = before[d[0][0]]
		} else {
			r = after[d[1][0]]
		}
		add(&r, r, -1) // the key's row with zero counts
		apply(&r, d)
		if !zero(r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
