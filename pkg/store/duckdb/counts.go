package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"

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

// edgeRow carries one feature's edges. They travel as a fixed-size ARRAY rather than a LIST: the join copies
// them into every row, and DuckDB copies arrays inline (measured ~25 % faster than lists at 127 edges).
type edgeRow struct {
	M string    `json:"m"`
	F string    `json:"f"`
	E []float64 `json:"e"`
}

func (s *Store) numericCounts(ctx context.Context, scope store.Scope, w store.Windowing, bins []store.NumericBins) ([]store.NumericCount, string, error) {
	maxEdges := 0
	for _, b := range bins {
		if len(b.Edges) > maxEdges {
			maxEdges = len(b.Edges)
		}
	}
	// Pad every edge list to the same balanced length with the largest double: no finite value but that one
	// reaches a pad, and bins past the real edges are clamped below.
	n := paddedLength(maxEdges)
	rows := make([]edgeRow, len(bins))
	var pairsList [][2]string
	for i, b := range bins {
		e := make([]float64, n)
		copy(e, b.Edges)
		for j := len(b.Edges); j < n; j++ {
			e[j] = math.MaxFloat64
		}
		rows[i] = edgeRow{M: b.Model, F: b.Feature, E: e}
		pairsList = append(pairsList, [2]string{b.Model, b.Feature})
	}
	b := &sqlBuilder{s: s}
	featsSQL, err := b.jsonRelation(rows, fmt.Sprintf(`{"m":"VARCHAR","f":"VARCHAR","e":"DOUBLE[%d]"}`, n))
	if err != nil {
		return nil, "", err
	}
	names := featureNames(pairsList)
	src := b.longSource(scope, w, names, true, false)
	search := "0"
	if n > 0 {
		search = binSearch("l.v", "f.e", 1, n)
	}
	// Rows are first counted per distinct value (vals), so the join that carries the edges and the bin search run
	// once per distinct (model, window, feature, value) rather than once per row.
	q := fmt.Sprintf(`WITH feats AS (%s),
%s,
vals AS (SELECT m, w, feature, v, count(*) AS c FROM long GROUP BY ALL),
%s
SELECT l.m, l.w, l.feature, CASE WHEN NOT isfinite(l.v) THEN %d ELSE %s END AS bin, CAST(sum(l.c) AS BIGINT) AS n,
  sum(l.v * l.c) FILTER (WHERE isfinite(l.v)) AS s
FROM vals l JOIN feats f ON l.m = f.m AND l.feature = f.f
GROUP BY ALL
UNION ALL
SELECT z.m, z.w, z.feature, %d AS bin, z.c AS n, NULL AS s
FROM nulls z JOIN feats f ON z.m = f.m AND z.feature = f.f
WHERE z.c > 0`, featsSQL, src, b.nullCounts(names), store.BinNonFinite, search, store.BinNull)
	res, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return nil, q, err
	}
	defer res.Close()
	limit := map[[2]string]int{}
	for _, b := range bins {
		limit[[2]string{b.Model, b.Feature}] = len(b.Edges)
	}
	var out []store.NumericCount
	for res.Next() {
		var c store.NumericCount
		var sum sql.NullFloat64
		if err := res.Scan(&c.Model, &c.Window, &c.Feature, &c.Bin, &c.Count, &sum); err != nil {
			return nil, q, err
		}
		if max := limit[[2]string{c.Model, c.Feature}]; c.Bin > max {
			c.Bin = max
		}
		c.Sum = sum.Float64
		out = append(out, c)
	}
	return out, q, res.Err()
}

// categoricalSource renders the CTEs the categorical count and quality statements start with: feats and cats
// (the per-(model, feature) settings and the known categories, each one bound JSON parameter), the scoped rows
// unpivoted (src, long), vals (each distinct value counted once per (model, window, feature)) and nulls.
func (b *sqlBuilder) categoricalSource(scope store.Scope, w store.Windowing, feats []catFeatRow, cats []catRow, names []string) (string, error) {
	featsSQL, err := b.jsonRelation(feats, `{"m":"VARCHAR","f":"VARCHAR","complete":"BOOLEAN"}`)
	if err != nil {
		return "", err
	}
	catsSQL, err := b.jsonRelation(cats, `{"m":"VARCHAR","f":"VARCHAR","c":"VARCHAR","top":"BOOLEAN"}`)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`WITH feats AS (%s),
cats AS (%s),
%s,
vals AS (SELECT m, w, feature, v, count(*) AS c FROM long GROUP BY ALL),
%s`, featsSQL, catsSQL, b.longSource(scope, w, names, false, false), b.nullCounts(names)), nil
}

type catFeatRow struct {
	M        string `json:"m"`
	F        string `json:"f"`
	Complete bool   `json:"complete"`
}

type catRow struct {
	M   string `json:"m"`
	F   string `json:"f"`
	C   string `json:"c"`
	Top bool   `json:"top"`
}

func (s *Store) categoricalCounts(ctx context.Context, scope store.Scope, w store.Windowing, bins []store.CategoricalBins) ([]store.CategoryWindowCount, string, error) {
	feats := make([]catFeatRow, len(bins))
	cats := []catRow{}
	var pairsList [][2]string
	for i, b := range bins {
		feats[i] = catFeatRow{M: b.Model, F: b.Feature, Complete: b.Complete}
		top := map[string]bool{}
		for _, c := range b.Top {
			top[c] = true
		}
		for _, c := range b.Known {
			cats = append(cats, catRow{M: b.Model, F: b.Feature, C: c, Top: top[c]})
		}
		pairsList = append(pairsList, [2]string{b.Model, b.Feature})
	}
	b := &sqlBuilder{s: s}
	head, err := b.categoricalSource(scope, w, feats, cats, featureNames(pairsList))
	if err != nil {
		return nil, "", err
	}
	q := fmt.Sprintf(`%s
SELECT l.m, l.w, l.feature,
  CASE WHEN c.top THEN %d WHEN c.c IS NOT NULL THEN %d WHEN f.complete THEN %d ELSE %d END AS kind,
  CASE WHEN c.top THEN l.v END AS category, CAST(sum(l.c) AS BIGINT) AS n
FROM vals l JOIN feats f ON l.m = f.m AND l.feature = f.f
LEFT JOIN cats c ON l.m = c.m AND l.feature = c.f AND l.v = c.c
GROUP BY ALL
UNION ALL
SELECT z.m, z.w, z.feature, %d AS kind, NULL AS category, z.c AS n
FROM nulls z JOIN feats f ON z.m = f.m AND z.feature = f.f
WHERE z.c > 0`, head, store.KindCategory, store.KindOther, store.KindUnseen, store.KindOther, store.KindNull)
	res, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return nil, q, err
	}
	defer res.Close()
	var out []store.CategoryWindowCount
	for res.Next() {
		var c store.CategoryWindowCount
		var cat sql.NullString
		if err := res.Scan(&c.Model, &c.Window, &c.Feature, &c.Kind, &cat, &c.Count); err != nil {
			return nil, q, err
		}
		c.Category = cat.String
		out = append(out, c)
	}
	return out, q, res.Err()
}
