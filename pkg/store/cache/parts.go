package cache

import (
	"sort"
	"unsafe"

	"github.com/aiops/modelmonitor/pkg/store"
)

// shape says how one aggregate type splits into per-window parts and joins back: split groups an answer's rows
// by window (Window fields as returned), empty is a part with no row that keeps the answer's call-level fields,
// join concatenates parts in window order with each part's Window fields set to its window, bytes estimates a
// part's memory (struct sizes plus string bytes; the bound of the cache is on this estimate).
type shape[T any] struct {
	split func(T) map[int64]T
	empty func(T) T
	join  func([]placed[T]) T
	bytes func(T) int64
	sql   func(*T) *[]string
}

// placed is a part and the window (of the caller's windowing) it answers for.
type placed[T any] struct {
	window int64
	part   T
}

// into groups rows by their window and sets each group on that window's part (set), creating parts from base.
func into[T, E any](parts map[int64]T, base T, rows []E, win func(*E) *int64, set func(*T, []E)) {
	groups := map[int64][]E{}
	for i := range rows {
		w := *win(&rows[i])
		groups[w] = append(groups[w], rows[i])
	}
	for w, g := range groups {
		p, ok := parts[w]
		if !ok {
			p = base
		}
		set(&p, g)
		parts[w] = p
	}
}

// joinRows concatenates the rows of parts (rows picks them) in the parts' order, each with its window set to its
// part's window, into one slice allocated once — nil when there is no row, as in a store's answer without rows.
func joinRows[T, E any](ps []placed[T], rows func(*T) []E, win func(*E) *int64) []E {
	n := 0
	for i := range ps {
		n += len(rows(&ps[i].part))
	}
	if n == 0 {
		return nil
	}
	out := make([]E, 0, n)
	for i := range ps {
		start := len(out)
		out = append(out, rows(&ps[i].part)...)
		for j := start; j < len(out); j++ {
			*win(&out[j]) = ps[i].window
		}
	}
	return out
}

// sortPlaced orders parts by window, so joined answers list windows in ascending order.
func sortPlaced[T any](ps []placed[T]) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].window < ps[j].window })
}

func sizeOf[E any](rows []E, strs func(*E) int) int64 {
	var zero E
	n := int64(unsafe.Sizeof(zero)) * int64(len(rows))
	for i := range rows {
		n += int64(strs(&rows[i]))
	}
	return n + partOverhead
}

// partOverhead is the estimated bytes of a kept part beyond its rows: its key, entry and list element.
const partOverhead = 256

func numWin(r *store.NumericCount) *int64        { return &r.Window }
func catWin(r *store.CategoryWindowCount) *int64 { return &r.Window }
func wqWin(r *store.WindowQuality) *int64        { return &r.Window }
func fqWin(r *store.FeatureQuality) *int64       { return &r.Window }
func wpWin(r *store.WindowPerformance) *int64    { return &r.Window }
func sbWin(r *store.ScoreBucket) *int64          { return &r.Window }
func ccWin(r *store.ClassCount) *int64           { return &r.Window }
func pbWin(r *store.PredictedBucket) *int64      { return &r.Window }
func lbWin(r *store.LagBucket) *int64            { return &r.Window }

var countsShape = shape[store.Counts]{
	split: func(c store.Counts) map[int64]store.Counts {
		out := map[int64]store.Counts{}
		into(out, store.Counts{}, c.Numeric, numWin, func(p *store.Counts, r []store.NumericCount) { p.Numeric = r })
		into(out, store.Counts{}, c.Categorical, catWin, func(p *store.Counts, r []store.CategoryWindowCount) { p.Categorical = r })
		return out
	},
	empty: func(store.Counts) store.Counts { return store.Counts{} },
	join: func(ps []placed[store.Counts]) store.Counts {
		return store.Counts{
			Numeric:     joinRows(ps, func(c *store.Counts) []store.NumericCount { return c.Numeric }, numWin),
			Categorical: joinRows(ps, func(c *store.Counts) []store.CategoryWindowCount { return c.Categorical }, catWin),
		}
	},
	bytes: func(c store.Counts) int64 {
		return sizeOf(c.Numeric, func(r *store.NumericCount) int { return len(r.Model) + len(r.Feature) }) +
			sizeOf(c.Categorical, func(r *store.CategoryWindowCount) int { return len(r.Model) + len(r.Feature) + len(r.Category) })
	},
	sql: func(c *store.Counts) *[]string { return &c.SQL },
}

var qualityShape = shape[store.Quality]{
	split: func(q store.Quality) map[int64]store.Quality {
		out, base := map[int64]store.Quality{}, store.Quality{TypeChecked: q.TypeChecked}
		into(out, base, q.Windows, wqWin, func(p *store.Quality, r []store.WindowQuality) { p.Windows = r })
		into(out, base, q.Features, fqWin, func(p *store.Quality, r []store.FeatureQuality) { p.Features = r })
		return out
	},
	empty: func(q store.Quality) store.Quality { return store.Quality{TypeChecked: q.TypeChecked} },
	join: func(ps []placed[store.Quality]) store.Quality {
		out := store.Quality{
			Windows:  joinRows(ps, func(q *store.Quality) []store.WindowQuality { return q.Windows }, wqWin),
			Features: joinRows(ps, func(q *store.Quality) []store.FeatureQuality { return q.Features }, fqWin),
		}
		for _, p := range ps {
			out.TypeChecked = out.TypeChecked || p.part.TypeChecked
		}
		return out
	},
	bytes: func(q store.Quality) int64 {
		return sizeOf(q.Windows, func(r *store.WindowQuality) int { return len(r.Model) }) +
			sizeOf(q.Features, func(r *store.FeatureQuality) int { return len(r.Model) + len(r.Feature) })
	},
	sql: func(q *store.Quality) *[]string { return &q.SQL },
}

var performanceShape = shape[store.Performance]{
	split: func(a store.Performance) map[int64]store.Performance {
		out := map[int64]store.Performance{}
		into(out, store.Performance{}, a.Windows, wpWin, func(p *store.Performance, r []store.WindowPerformance) { p.Windows = r })
		into(out, store.Performance{}, a.Buckets, sbWin, func(p *store.Performance, r []store.ScoreBucket) { p.Buckets = r })
		into(out, store.Performance{}, a.Classes, ccWin, func(p *store.Performance, r []store.ClassCount) { p.Classes = r })
		into(out, store.Performance{}, a.Lags, lbWin, func(p *store.Performance, r []store.LagBucket) { p.Lags = r })
		return out
	},
	empty: func(store.Performance) store.Performance { return store.Performance{} },
	join: func(ps []placed[store.Performance]) store.Performance {
		return store.Performance{
			Windows: joinRows(ps, func(a *store.Performance) []store.WindowPerformance { return a.Windows }, wpWin),
			Buckets: joinRows(ps, func(a *store.Performance) []store.ScoreBucket { return a.Buckets }, sbWin),
			Classes: joinRows(ps, func(a *store.Performance) []store.ClassCount { return a.Classes }, ccWin),
			Lags:    joinRows(ps, func(a *store.Performance) []store.LagBucket { return a.Lags }, lbWin),
		}
	},
	bytes: func(a store.Performance) int64 {
		return sizeOf(a.Windows, func(r *store.WindowPerformance) int { return len(r.Model) + 16 }) +
			sizeOf(a.Buckets, func(r *store.ScoreBucket) int { return len(r.Model) }) +
			sizeOf(a.Classes, func(r *store.ClassCount) int { return len(r.Model) + len(r.Class) }) +
			sizeOf(a.Lags, func(r *store.LagBucket) int { return len(r.Model) })
	},
	sql: func(a *store.Performance) *[]string { return &a.SQL },
}

var scoreHistogramShape = shape[store.ScoreHistogram]{
	split: func(h store.ScoreHistogram) map[int64]store.ScoreHistogram {
		out := map[int64]store.ScoreHistogram{}
		into(out, store.ScoreHistogram{}, h.Buckets, pbWin, func(p *store.ScoreHistogram, r []store.PredictedBucket) { p.Buckets = r })
		return out
	},
	empty: func(store.ScoreHistogram) store.ScoreHistogram { return store.ScoreHistogram{} },
	join: func(ps []placed[store.ScoreHistogram]) store.ScoreHistogram {
		return store.ScoreHistogram{
			Buckets: joinRows(ps, func(h *store.ScoreHistogram) []store.PredictedBucket { return h.Buckets }, pbWin),
		}
	},
	bytes: func(h store.ScoreHistogram) int64 {
		return sizeOf(h.Buckets, func(r *store.PredictedBucket) int { return len(r.Model) })
	},
	sql: func(h *store.ScoreHistogram) *[]string { return &h.SQL },
}

// profileShape keeps a profile whole: it has no windows (its scope is one settled range or a reference table).
var profileShape = shape[store.Profile]{
	split: func(p store.Profile) map[int64]store.Profile { return map[int64]store.Profile{0: p} },
	empty: func(store.Profile) store.Profile { return store.Profile{} },
	join: func(ps []placed[store.Profile]) store.Profile {
		if len(ps) == 0 {
			return store.Profile{}
		}
		p := ps[0].part
		p.SQL = nil
		return p
	},
	bytes: func(p store.Profile) int64 {
		return sizeOf(p.Numeric, func(r *store.NumericProfile) int {
			return len(r.Model) + len(r.Feature) + 8*(len(r.Lower)+len(r.Upper)+len(r.Values))
		}) + sizeOf(p.Categorical, func(r *store.CategoricalProfile) int {
			n := len(r.Model) + len(r.Feature)
			for _, c := range r.Categories {
				n += int(unsafe.Sizeof(c)) + len(c.Value)
			}
			return n
		})
	},
	sql: func(p *store.Profile) *[]string { return &p.SQL },
}
