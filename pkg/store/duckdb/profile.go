package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aiops/modelmonitor/pkg/store"
)

type modelFeature struct {
	M string `json:"m"`
	F string `json:"f"`
}

// Profile summarises the reference: for numeric features the row counts, moments and quantiles at probs; for
// categorical features the categoryCap most frequent categories, the null count and the distinct count. One
// statement per feature type serves every model and feature of the request.
func (s *Store) Profile(ctx context.Context, scope store.Scope, features []store.Feature, probs []float64, categoryCap int) (store.Profile, error) {
	var p store.Profile
	num, cat := splitFeatures(features)
	if len(num) > 0 {
		rows, q, err := s.numericProfile(ctx, scope, num, probs)
		if err != nil {
			return p, err
		}
		p.Numeric, p.SQL = rows, append(p.SQL, q)
	}
	if len(cat) > 0 {
		rows, q, err := s.categoricalProfile(ctx, scope, cat, categoryCap)
		if err != nil {
			return p, err
		}
		p.Categorical, p.SQL = rows, append(p.SQL, q)
	}
	return p, nil
}

func splitFeatures(features []store.Feature) (num, cat []modelFeature) {
	for _, f := range features {
		mf := modelFeature{M: f.Model, F: f.Name}
		if f.Type == store.Numeric {
			num = append(num, mf)
		} else {
			cat = append(cat, mf)
		}
	}
	return num, cat
}

func pairs(mfs []modelFeature) [][2]string {
	out := make([][2]string, len(mfs))
	for i, mf := range mfs {
		out[i] = [2]string{mf.M, mf.F}
	}
	return out
}

func (s *Store) numericProfile(ctx context.Context, scope store.Scope, feats []modelFeature, probs []float64) ([]store.NumericProfile, string, error) {
	b := &sqlBuilder{s: s}
	featsSQL, err := b.jsonRelation(feats, `{"m":"VARCHAR","f":"VARCHAR"}`)
	if err != nil {
		return nil, "", err
	}
	src := b.longSource(scope, store.Windowing{}, featureNames(pairs(feats)), true, true)
	// Quantiles with numpy's default (linear) definition, h = p·(n−1): computed from each group's sorted finite
	// values in one list_transform. This is what quantile_cont(v, [p…]) returns, but measured ~6× faster in
	// DuckDB 1.5.6 with 99 probabilities (it sorts once instead of selecting per probability).
	b.args = append(b.args, probs)
	q := fmt.Sprintf(`WITH feats AS (%s),
%s,
agg AS (
  SELECT l.m, l.feature, count(*) AS rows_all,
    count(*) FILTER (WHERE l.v IS NOT NULL AND NOT isfinite(l.v)) AS non_finite,
    count(*) FILTER (WHERE isfinite(l.v)) AS finite,
    avg(l.v) FILTER (WHERE isfinite(l.v)) AS mean, stddev_pop(l.v) FILTER (WHERE isfinite(l.v)) AS std,
    min(l.v) FILTER (WHERE isfinite(l.v)) AS lo, max(l.v) FILTER (WHERE isfinite(l.v)) AS hi,
    list_sort(list(l.v) FILTER (WHERE isfinite(l.v))) AS sorted
  FROM long l JOIN feats f ON l.m = f.m AND l.feature = f.f
  GROUP BY ALL
)
SELECT m, feature, rows_all, non_finite, finite, mean, std, lo, hi,
  CASE WHEN len(sorted) > 0 THEN list_transform(CAST(? AS DOUBLE[]), p -> sorted[1 + floor(p * (len(sorted) - 1))::BIGINT]
    + (p * (len(sorted) - 1) - floor(p * (len(sorted) - 1))) * (sorted[1 + ceil(p * (len(sorted) - 1))::BIGINT] - sorted[1 + floor(p * (len(sorted) - 1))::BIGINT])) END AS quantiles
FROM agg ORDER BY 1, 2`, featsSQL, src)
	rows, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return nil, q, err
	}
	defer rows.Close()
	var out []store.NumericProfile
	for rows.Next() {
		var p store.NumericProfile
		var mean, std, lo, hi sql.NullFloat64
		var qs any // a list, or NULL when the feature has no finite value
		if err := rows.Scan(&p.Model, &p.Feature, &p.Rows, &p.NonFinite, &p.Finite, &mean, &std, &lo, &hi, &qs); err != nil {
			return nil, q, err
		}
		list, _ := qs.([]any)
		p.Mean, p.Std, p.Min, p.Max = mean.Float64, std.Float64, lo.Float64, hi.Float64
		for _, v := range list {
			if f, ok := v.(float64); ok {
				p.Quantiles = append(p.Quantiles, f)
			}
		}
		out = append(out, p)
	}
	return out, q, rows.Err()
}

func (s *Store) categoricalProfile(ctx context.Context, scope store.Scope, feats []modelFeature, categoryCap int) ([]store.CategoricalProfile, string, error) {
	b := &sqlBuilder{s: s}
	featsSQL, err := b.jsonRelation(feats, `{"m":"VARCHAR","f":"VARCHAR"}`)
	if err != nil {
		return nil, "", err
	}
	src := b.longSource(scope, store.Windowing{}, featureNames(pairs(feats)), false, true)
	b.args = append(b.args, categoryCap)
	q := fmt.Sprintf(`WITH feats AS (%s),
%s,
agg AS (
  SELECT l.m, l.feature, l.v, count(*) AS c FROM long l JOIN feats f ON l.m = f.m AND l.feature = f.f GROUP BY ALL
)
SELECT m, feature, v, c, sum(c) OVER part AS rows_all, count(v) OVER part AS distinct_n
FROM agg
WINDOW part AS (PARTITION BY m, feature)
QUALIFY v IS NULL OR row_number() OVER (PARTITION BY m, feature ORDER BY (v IS NULL), c DESC, v) <= ?
ORDER BY m, feature, c DESC, v`, featsSQL, src)
	rows, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return nil, q, err
	}
	defer rows.Close()
	index := map[[2]string]int{}
	var out []store.CategoricalProfile
	for rows.Next() {
		var m, f string
		var v sql.NullString
		var c, total, distinct int64
		if err := rows.Scan(&m, &f, &v, &c, &total, &distinct); err != nil {
			return nil, q, err
		}
		i, ok := index[[2]string{m, f}]
		if !ok {
			i = len(out)
			index[[2]string{m, f}] = i
			out = append(out, store.CategoricalProfile{Model: m, Feature: f, Rows: total, Distinct: distinct})
		}
		if !v.Valid {
			out[i].Nulls = c
			continue
		}
		out[i].Categories = append(out[i].Categories, store.CategoryCount{Value: v.String, Count: c})
	}
	return out, q, rows.Err()
}
