package duckdb

import (
	"context"
	"fmt"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Quality returns the data-quality counts: one GROUP BY over the scoped rows for the row-level checks (rows,
// duplicate prediction ids, NULL score, NULL prediction), then one statement per feature type for nulls,
// out-of-range values (numeric) and new categories (categorical). Aggregates only; the reference ranges and
// categories travel as bound JSON parameters.
func (s *Store) Quality(ctx context.Context, scope store.Scope, w store.Windowing, features []store.QualityFeature) (store.Quality, error) {
	var out store.Quality
	rows, q, err := s.windowQuality(ctx, scope, w)
	if err != nil {
		return out, err
	}
	out.Windows, out.SQL = rows, append(out.SQL, q)
	var num, cat []store.QualityFeature
	for _, f := range features {
		if f.Type == store.Numeric {
			num = append(num, f)
		} else {
			cat = append(cat, f)
		}
	}
	out.TypeChecked = s.cfg.FeatureMapColumn != ""
	if len(num) > 0 {
		rows, q, err := s.numericQuality(ctx, scope, w, num)
		if err != nil {
			return out, err
		}
		out.Features, out.SQL = append(out.Features, rows...), append(out.SQL, q)
	}
	if len(cat) > 0 {
		rows, q, err := s.categoricalQuality(ctx, scope, w, cat)
		if err != nil {
			return out, err
		}
		out.Features, out.SQL = append(out.Features, rows...), append(out.SQL, q)
	}
	return out, nil
}

// missingCount renders count(*) − count(col), or 0 when the column is not mapped.
func missingCount(col string) string {
	if col == "" {
		return "CAST(0 AS BIGINT)"
	}
	return fmt.Sprintf("count(*) - count(%s)", quote(col))
}

func (s *Store) windowQuality(ctx context.Context, scope store.Scope, w store.Windowing) ([]store.WindowQuality, string, error) {
	cfg := s.cfg
	b := &sqlBuilder{s: s}
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	dup := "CAST(0 AS BIGINT)"
	if cfg.PredictionIDColumn != "" {
		dup = fmt.Sprintf("count(%s) - count(DISTINCT %s)", quote(cfg.PredictionIDColumn), quote(cfg.PredictionIDColumn))
	}
	q := fmt.Sprintf(`SELECT CAST(%s AS VARCHAR) AS m, %s AS w, count(*) AS n, %s AS dup, %s AS null_score, %s AS null_prediction
FROM %s%s
GROUP BY ALL`, quote(cfg.ModelColumn), windowExpr, dup, missingCount(cfg.ScoreColumn), missingCount(cfg.PredictionColumn), quote(table), whereSQL)
	res, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return nil, q, err
	}
	defer res.Close()
	var out []store.WindowQuality
	for res.Next() {
		var r store.WindowQuality
		if err := res.Scan(&r.Model, &r.Window, &r.Rows, &r.DuplicateIDs, &r.NullScore, &r.NullPrediction); err != nil {
			return nil, q, err
		}
		out = append(out, r)
	}
	return out, q, res.Err()
}

type boundRow struct {
	M  string   `json:"m"`
	F  string   `json:"f"`
	Lo *float64 `json:"lo"`
	Hi *float64 `json:"hi"`
}

// numericQuality counts, per (model, window, feature), the NULL values (from the nulls CTE) and the values
// outside the reference range: below lo, above hi, or not finite (NaN, ±Inf). A feature without a range (lo/hi
// NULL) counts only its non-finite values.
func (s *Store) numericQuality(ctx context.Context, scope store.Scope, w store.Windowing, feats []store.QualityFeature) ([]store.FeatureQuality, string, error) {
	rows := make([]boundRow, len(feats))
	var pairsList [][2]string
	for i, f := range feats {
		rows[i] = boundRow{M: f.Model, F: f.Feature, Lo: f.Min, Hi: f.Max}
		pairsList = append(pairsList, [2]string{f.Model, f.Feature})
	}
	b := &sqlBuilder{s: s}
	featsSQL, err := b.jsonRelation(rows, `{"m":"VARCHAR","f":"VARCHAR","lo":"DOUBLE","hi":"DOUBLE"}`)
	if err != nil {
		return nil, "", err
	}
	names := featureNames(pairsList)
	src := b.longSource(scope, w, names, true, false)
	typeErrs := s.typeErrors()
	q := fmt.Sprintf(`WITH feats AS (%s),
%s,
vals AS (SELECT m, w, feature, v, count(*) AS c FROM long GROUP BY ALL),
%s,
checked AS (
  SELECT l.m, l.w, l.feature, CAST(coalesce(sum(l.c) FILTER (WHERE NOT isfinite(l.v) OR l.v < f.lo OR l.v > f.hi), 0) AS BIGINT) AS o
  FROM vals l JOIN feats f ON l.m = f.m AND l.feature = f.f
  GROUP BY ALL
),
missing AS (
  SELECT z.m, z.w, z.feature, z.c FROM nulls z JOIN feats f ON z.m = f.m AND z.feature = f.f
)%s
SELECT coalesce(o.m, z.m), coalesce(o.w, z.w), coalesce(o.feature, z.feature), %s, coalesce(o.o, 0), %s
FROM checked o FULL JOIN missing z ON o.m = z.m AND o.w = z.w AND o.feature = z.feature%s`, featsSQL, src, b.nullCounts(names),
		typeErrs.cte, typeErrs.nulls, typeErrs.count, typeErrs.join)
	return s.scanFeatureQuality(ctx, q, b.args, false)
}

// typeErrorSQL is how numericQuality counts type errors: a CTE, the per-(m, w, feature) null and type-error count
// expressions and the join that brings the CTE in (none for typed columns, which cannot hold them).
type typeErrorSQL struct{ cte, nulls, count, join string }

// typeErrors counts, in a text-valued feature map, the entries present but not numbers (TRY_CAST fails): the
// map source reads them as missing, so they are in the nulls CTE and numericQuality moves them out of it.
func (s *Store) typeErrors() typeErrorSQL {
	if s.cfg.FeatureMapColumn == "" {
		return typeErrorSQL{nulls: "coalesce(z.c, 0)", count: "CAST(0 AS BIGINT)"}
	}
	return typeErrorSQL{
		cte: `,
typeerr AS (
  SELECT m, w, e.key AS feature, count(*) AS c
  FROM (SELECT m, w, unnest(map_entries(fm)) AS e FROM src)
  WHERE e.value IS NOT NULL AND TRY_CAST(e.value AS DOUBLE) IS NULL
  GROUP BY ALL
)`,
		nulls: "coalesce(z.c, 0) - coalesce(t.c, 0)",
		count: "coalesce(t.c, 0)",
		join: `
LEFT JOIN typeerr t ON t.m = coalesce(o.m, z.m) AND t.w = coalesce(o.w, z.w) AND t.feature = coalesce(o.feature, z.feature)`,
	}
}

// categoricalQuality counts, per (model, window, feature), the NULL values and the values not among the
// feature's reference categories. A feature without reference categories counts no new categories.
func (s *Store) categoricalQuality(ctx context.Context, scope store.Scope, w store.Windowing, feats []store.QualityFeature) ([]store.FeatureQuality, string, error) {
	rows := make([]catFeatRow, len(feats))
	known := []catRow{}
	var pairsList [][2]string
	for i, f := range feats {
		rows[i] = catFeatRow{M: f.Model, F: f.Feature}
		for _, c := range f.Known {
			known = append(known, catRow{M: f.Model, F: f.Feature, C: c})
		}
		pairsList = append(pairsList, [2]string{f.Model, f.Feature})
	}
	b := &sqlBuilder{s: s}
	head, err := b.categoricalSource(scope, w, rows, known, featureNames(pairsList))
	if err != nil {
		return nil, "", err
	}
	q := fmt.Sprintf(`%s,
checked AS (
  SELECT l.m, l.w, l.feature,
    CAST(coalesce(sum(l.c) FILTER (WHERE c.c IS NULL AND k.m IS NOT NULL), 0) AS BIGINT) AS o
  FROM vals l JOIN feats f ON l.m = f.m AND l.feature = f.f
  LEFT JOIN cats c ON l.m = c.m AND l.feature = c.f AND l.v = c.c
  LEFT JOIN (SELECT DISTINCT m, f FROM cats) k ON l.m = k.m AND l.feature = k.f
  GROUP BY ALL
),
missing AS (
  SELECT z.m, z.w, z.feature, z.c FROM nulls z JOIN feats f ON z.m = f.m AND z.feature = f.f
)
SELECT coalesce(o.m, z.m), coalesce(o.w, z.w), coalesce(o.feature, z.feature), coalesce(z.c, 0), coalesce(o.o, 0), CAST(0 AS BIGINT)
FROM checked o FULL JOIN missing z ON o.m = z.m AND o.w = z.w AND o.feature = z.feature`, head)
	return s.scanFeatureQuality(ctx, q, b.args, true)
}

func (s *Store) scanFeatureQuality(ctx context.Context, q string, args []any, categorical bool) ([]store.FeatureQuality, string, error) {
	res, err := s.queryRows(ctx, q, args...)
	if err != nil {
		return nil, q, err
	}
	defer res.Close()
	var out []store.FeatureQuality
	for res.Next() {
		var r store.FeatureQuality
		var o int64
		if err := res.Scan(&r.Model, &r.Window, &r.Feature, &r.Nulls, &o, &r.TypeErrors); err != nil {
			return nil, q, err
		}
		if categorical {
			r.NewCategory = o
		} else {
			r.OutOfRange = o
		}
		out = append(out, r)
	}
	return out, q, res.Err()
}
