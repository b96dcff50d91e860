package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Counts returns, for every (model, window, feature, bin), the row count and (numeric) the sum of finite values:
// one GROUP BY per feature type for all models and features of the request.
func (s *Store) Counts(ctx context.Context, scope store.Scope, w store.Windowing, num []store.NumericBins, cat []store.CategoricalBins) (store.Counts, error) {
	var out store.Counts
	if len(num) > 0 {
		rows, q, err := s.numericCounts(ctx, scope, w, num)
		if err != nil {
			return out, err
		}
		out.Numeric, out.SQL = rows, append(out.SQL, q)
	}
	if len(cat) > 0 {
		rows, q, err := s.categoricalCounts(ctx, scope, w, cat)
		if err != nil {
			return out, err
		}
		out.Categorical, out.SQL = rows, append(out.SQL, q)
	}
	return out, nil
}

// edgeRow carries one feature's edges, padded to the dialect's EdgeSlots.
type edgeRow struct {
	M string    `json:"m"`
	F string    `json:"f"`
	E []float64 `json:"e"`
}

// valueCounts renders the mm_vals CTE: each distinct (model, window, feature, value) once with its row count, so
// that the joins and bin look-ups after it run once per distinct value rather than once per row.
func valueCounts(d Dialect) string {
	return "mm_vals AS (SELECT m, w, feature, v, count(*) AS c FROM mm_long " + d.GroupBy(4) + ")"
}

// numericCounts runs the numeric count statement: gridCounts where the dialect can bin the wide rows (and the
// features are columns), else the long form — each distinct (model, window, feature, value) joined to its
// feature's edges (mm_feats) and searched there.
func (s *Store) numericCounts(ctx context.Context, scope store.Scope, w store.Windowing, bins []store.NumericBins) ([]store.NumericCount, string, error) {
	if gd, ok := s.d.(GridDialect); ok && s.cfg.FeatureMapColumn == "" {
		return s.gridCounts(ctx, gd, scope, w, bins)
	}
	d := s.d
	maxEdges := 0
	for _, b := range bins {
		maxEdges = max(maxEdges, len(b.Edges))
	}
	// Pad every edge list to the same length with the largest double: no finite value but that one reaches a
	// pad, and bins past the real edges are clamped below.
	n := d.EdgeSlots(maxEdges)
	rows := make([]edgeRow, len(bins))
	pairs := make([]modelFeature, len(bins))
	limit := map[modelFeature]int{}
	for i, b := range bins {
		e := make([]float64, n)
		copy(e, b.Edges)
		for j := len(b.Edges); j < n; j++ {
			e[j] = math.MaxFloat64
		}
		rows[i] = edgeRow{M: b.Model, F: b.Feature, E: e}
		pairs[i] = modelFeature{M: b.Model, F: b.Feature}
		limit[pairs[i]] = len(b.Edges)
	}
	b := s.newBuilder()
	cols := append(slices.Clone(pairColumns), Column{Name: "e", Type: EdgesColumn, Slots: n})
	featsSQL, src, names, err := b.featureSource(rows, cols, pairs, scope, w, true)
	if err != nil {
		return nil, "", err
	}
	search := "0"
	if n > 0 {
		search = d.BinIndex("l.v", "f.e", n)
	}
	finite := d.IsFinite("l.v")
	q := fmt.Sprintf(`WITH mm_feats AS (%s),
%s,
%s,
%s
SELECT l.m, l.w, l.feature, CASE WHEN NOT %s THEN %d ELSE %s END AS bin, CAST(sum(l.c) AS BIGINT) AS n,
  %s AS s, %s AS lo, %s AS hi
FROM mm_vals l JOIN mm_feats f ON l.m = f.m AND l.feature = f.f
%s
UNION ALL
SELECT z.m, z.w, z.feature, %d AS bin, z.c AS n, NULL AS s, NULL AS lo, NULL AS hi
FROM mm_nulls z JOIN mm_feats f ON z.m = f.m AND z.feature = f.f
WHERE z.c > 0
UNION ALL
SELECT l.m, l.w, l.feature, %d AS bin, l.c AS n, l.v AS s, NULL AS lo, NULL AS hi
FROM (SELECT m, w, feature, v, c, sum(c) OVER (PARTITION BY m, w, feature) AS finite_n FROM mm_vals WHERE %s) l
JOIN mm_feats f ON l.m = f.m AND l.feature = f.f
WHERE l.finite_n <= %d`, featsSQL, src, valueCounts(d), b.nullCounts(names), finite, store.BinNonFinite, search,
		d.Filtered("sum(l.v * l.c)", finite), d.Filtered("min(l.v)", finite), d.Filtered("max(l.v)", finite),
		d.GroupBy(4), store.BinNull, store.BinValue, d.IsFinite("v"), store.ValuesMaxRows)
	out, err := s.scanNumericCounts(ctx, q, b.args, limit)
	return out, q, err
}

// scanNumericCounts runs a numeric count statement, whose rows are (m, w, feature, bin, n, s, lo, hi) with the
// distinct value in s for BinValue rows, and clamps each bin to its feature's edge count (limit).
func (s *Store) scanNumericCounts(ctx context.Context, q string, args []any, limit map[modelFeature]int) ([]store.NumericCount, error) {
	var out []store.NumericCount
	err := s.collect(ctx, q, args, func(r Rows) error {
		var c store.NumericCount
		var sum, lo, hi sql.NullFloat64
		if err := r.Scan(&c.Model, &c.Window, &c.Feature, &c.Bin, &c.Count, &sum, &lo, &hi); err != nil {
			return err
		}
		if c.Bin == store.BinValue {
			c.Value = sum.Float64
			out = append(out, c)
			return nil
		}
		c.Bin = min(c.Bin, limit[modelFeature{M: c.Model, F: c.Feature}])
		c.Sum, c.Min, c.Max = sum.Float64, lo.Float64, hi.Float64
		out = append(out, c)
		return nil
	})
	return out, err
}

// categoricalSource renders the CTEs the categorical count and quality statements start with: mm_feats and
// mm_cats (the per-(model, feature) settings and the known categories, each one bound JSON parameter), the scoped
// rows unpivoted (mm_src, mm_long), mm_vals and mm_nulls.
func (b *builder) categoricalSource(scope store.Scope, w store.Windowing, feats []catFeatRow, cats []catRow, names []string) (string, error) {
	featsSQL, err := b.relation(feats, append(slices.Clone(pairColumns), Column{Name: "complete", Type: BoolColumn}))
	if err != nil {
		return "", err
	}
	catsSQL, err := b.relation(cats, append(slices.Clone(pairColumns), Column{Name: "c", Type: TextColumn}, Column{Name: "top", Type: BoolColumn}))
	if err != nil {
		return "", err
	}
	src, err := b.longSource(scope, w, names, false)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`WITH mm_feats AS (%s),
mm_cats AS (%s),
%s,
%s,
%s`, featsSQL, catsSQL, src, valueCounts(b.d), b.nullCounts(names)), nil
}

type catFeatRow struct {
	M        string `json:"m"`
	F        string `json:"f"`
	Complete bool   `json:"complete"`
}

// catRow is one known category of a feature; I is its 1-based position in the feature's known list, for the
// grid form only (gridCategoricalCounts), and left out of the JSON elsewhere.
type catRow struct {
	M   string  `json:"m"`
	F   string  `json:"f"`
	C   string  `json:"c"`
	Top bool    `json:"top"`
	I   float64 `json:"i,omitempty"`
}

// categoryRows returns the mm_feats and mm_cats rows of categorical bins, with each category's position when
// positions is set.
func categoryRows(bins []store.CategoricalBins, positions bool) ([]catFeatRow, []catRow) {
	feats := make([]catFeatRow, len(bins))
	cats := []catRow{}
	for i, cb := range bins {
		feats[i] = catFeatRow{M: cb.Model, F: cb.Feature, Complete: cb.Complete}
		top := map[string]bool{}
		for _, c := range cb.Top {
			top[c] = true
		}
		for j, c := range cb.Known {
			r := catRow{M: cb.Model, F: cb.Feature, C: c, Top: top[c]}
			if positions {
				r.I = float64(j + 1)
			}
			cats = append(cats, r)
		}
	}
	return feats, cats
}

// categoricalCounts runs the categorical count statement: gridCategoricalCounts where the dialect can bin the wide
// rows (and the features are columns), else the long form — each distinct (model, window, feature, value) joined
// to its feature's known categories (mm_cats).
func (s *Store) categoricalCounts(ctx context.Context, scope store.Scope, w store.Windowing, bins []store.CategoricalBins) ([]store.CategoryWindowCount, string, error) {
	if gd, ok := s.d.(GridDialect); ok && s.cfg.FeatureMapColumn == "" {
		return s.gridCategoricalCounts(ctx, gd, scope, w, bins)
	}
	feats, cats := categoryRows(bins, false)
	pairs := make([]modelFeature, len(bins))
	for i, b := range bins {
		pairs[i] = modelFeature{M: b.Model, F: b.Feature}
	}
	b := s.newBuilder()
	head, err := b.categoricalSource(scope, w, feats, cats, featureNames(pairs))
	if err != nil {
		return nil, "", err
	}
	q := fmt.Sprintf(`%s
SELECT l.m, l.w, l.feature,
  CASE WHEN c.top THEN %d WHEN c.c IS NOT NULL THEN %d WHEN f.complete THEN %d ELSE %d END AS kind,
  CASE WHEN c.top THEN l.v END AS category, CAST(sum(l.c) AS BIGINT) AS n
FROM mm_vals l JOIN mm_feats f ON l.m = f.m AND l.feature = f.f
LEFT JOIN mm_cats c ON l.m = c.m AND l.feature = c.f AND l.v = c.c
%s
UNION ALL
SELECT z.m, z.w, z.feature, %d AS kind, NULL AS category, z.c AS n
FROM mm_nulls z JOIN mm_feats f ON z.m = f.m AND z.feature = f.f
WHERE z.c > 0`, head, store.KindCategory, store.KindOther, store.KindUnseen, store.KindOther, s.d.GroupBy(5), store.KindNull)
	out, err := s.scanCategoryCounts(ctx, q, b.args)
	return out, q, err
}

// scanCategoryCounts runs a categorical count statement, whose rows are (m, w, feature, kind, category, n).
func (s *Store) scanCategoryCounts(ctx context.Context, q string, args []any) ([]store.CategoryWindowCount, error) {
	var out []store.CategoryWindowCount
	err := s.collect(ctx, q, args, func(r Rows) error {
		var c store.CategoryWindowCount
		var cat sql.NullString
		if err := r.Scan(&c.Model, &c.Window, &c.Feature, &c.Kind, &cat, &c.Count); err != nil {
			return err
		}
		c.Category = cat.String
		out = append(out, c)
		return nil
	})
	return out, err
}
