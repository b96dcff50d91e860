package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Quality returns the data-quality counts: one GROUP BY over the scoped rows for the row-level checks (rows,
// duplicate prediction ids, NULL score, NULL prediction), then one statement per feature type for nulls,
// out-of-range values (numeric) and new categories (categorical) — gridQuality's per-model aggregates of the wide
// rows where the dialect is a GridDialect and the features are columns, else the long forms (numericQuality,
// categoricalQuality). Aggregates only; the reference ranges and categories are bound values.
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
func (s *Store) missingCount(col string) string {
	if col == "" {
		return "CAST(0 AS BIGINT)"
	}
	return fmt.Sprintf("count(*) - count(%s)", s.quote(col))
}

func (s *Store) windowQuality(ctx context.Context, scope store.Scope, w store.Windowing) ([]store.WindowQuality, string, error) {
	cfg := s.cfg
	b := s.newBuilder()
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	dup := "CAST(0 AS BIGINT)"
	if cfg.PredictionIDColumn != "" {
		dup = fmt.Sprintf("count(%[1]s) - count(DISTINCT %[1]s)", s.quote(cfg.PredictionIDColumn))
	}
	q := fmt.Sprintf(`SELECT %s AS m, %s AS w, count(*) AS n, %s AS dup, %s AS null_score, %s AS null_prediction
FROM %s%s
%s`, s.d.Text(s.quote(cfg.ModelColumn)), windowExpr, dup, s.missingCount(cfg.ScoreColumn), s.missingCount(cfg.PredictionColumn),
		table, whereSQL, s.d.GroupBy(2))
	var out []store.WindowQuality
	err := s.collect(ctx, q, b.args, func(r Rows) error {
		var row store.WindowQuality
		if err := r.Scan(&row.Model, &row.Window, &row.Rows, &row.DuplicateIDs, &row.NullScore, &row.NullPrediction); err != nil {
			return err
		}
		out = append(out, row)
		return nil
	})
	return out, q, err
}

type boundRow struct {
	M  string   `json:"m"`
	F  string   `json:"f"`
	Lo *float64 `json:"lo"`
	Hi *float64 `json:"hi"`
}

// numericQuality counts — gridQuality's statement where the dialect is a GridDialect and the features are
// columns, else this long form — per (model, window, feature), the NULL values (from mm_nulls) and the values outside
// the reference range: below lo, above hi, or not finite (NaN, ±Inf). A feature without a range (lo/hi NULL)
// counts only its non-finite values.
func (s *Store) numericQuality(ctx context.Context, scope store.Scope, w store.Windowing, feats []store.QualityFeature) ([]store.FeatureQuality, string, error) {
	if gd, ok := s.d.(GridDialect); ok && s.cfg.FeatureMapColumn == "" {
		return s.gridQuality(ctx, gd, scope, w, feats, false)
	}
	rows := make([]boundRow, len(feats))
	pairs := make([]modelFeature, len(feats))
	for i, f := range feats {
		rows[i] = boundRow{M: f.Model, F: f.Feature, Lo: f.Min, Hi: f.Max}
		pairs[i] = modelFeature{M: f.Model, F: f.Feature}
	}
	b := s.newBuilder()
	d := s.d
	cols := append(slices.Clone(pairColumns), Column{Name: "lo", Type: DoubleColumn}, Column{Name: "hi", Type: DoubleColumn})
	featsSQL, src, names, err := b.featureSource(rows, cols, pairs, scope, w, true)
	if err != nil {
		return nil, "", err
	}
	typeErrs, err := s.typeErrors()
	if err != nil {
		return nil, "", err
	}
	q := fmt.Sprintf(`WITH mm_feats AS (%s),
%s,
%s,
%s,
mm_checked AS (
  SELECT l.m, l.w, l.feature, CAST(coalesce(%s, 0) AS BIGINT) AS o
  FROM mm_vals l JOIN mm_feats f ON l.m = f.m AND l.feature = f.f
  %s
),
mm_missing AS (
  SELECT z.m, z.w, z.feature, z.c FROM mm_nulls z JOIN mm_feats f ON z.m = f.m AND z.feature = f.f
)%s
SELECT coalesce(o.m, z.m), coalesce(o.w, z.w), coalesce(o.feature, z.feature), %s, coalesce(o.o, 0), %s
FROM mm_checked o FULL JOIN mm_missing z ON o.m = z.m AND o.w = z.w AND o.feature = z.feature%s`, featsSQL, src,
		valueCounts(d), b.nullCounts(names),
		d.Filtered("sum(l.c)", "NOT "+d.IsFinite("l.v")+" OR l.v < f.lo OR l.v > f.hi"), d.GroupBy(3),
		typeErrs.cte, typeErrs.nulls, typeErrs.count, typeErrs.join)
	return s.scanFeatureQuality(ctx, q, b.args, false)
}

// typeErrorSQL is how numericQuality counts type errors: a CTE, the per-(m, w, feature) null and type-error count
// expressions and the join that brings the CTE in (none for typed columns, which cannot hold them).
type typeErrorSQL struct{ cte, nulls, count, join string }

// typeErrors counts, in a text-valued feature map, the entries present but not numbers (TryDouble gives NULL):
// the map source reads them as missing, so they are in mm_nulls and numericQuality moves them out of it.
func (s *Store) typeErrors() (typeErrorSQL, error) {
	if s.cfg.FeatureMapColumn == "" {
		return typeErrorSQL{nulls: "coalesce(z.c, 0)", count: "CAST(0 AS BIGINT)"}, nil
	}
	md, err := s.mapDialect()
	if err != nil {
		return typeErrorSQL{}, err
	}
	return typeErrorSQL{
		cte: fmt.Sprintf(`,
mm_typeerr AS (
  SELECT e.m, e.w, lower(e.k) AS feature, count(*) AS c
  FROM (%s) e
  WHERE e.val IS NOT NULL AND %s IS NULL
  %s
)`, md.MapEntries("mm_src", []string{"m", "w"}, "fm", "k", "val"), s.d.TryDouble("e.val"), s.d.GroupBy(3)),
		nulls: "coalesce(z.c, 0) - coalesce(t.c, 0)",
		count: "coalesce(t.c, 0)",
		join: `
LEFT JOIN mm_typeerr t ON t.m = coalesce(o.m, z.m) AND t.w = coalesce(o.w, z.w) AND t.feature = coalesce(o.feature, z.feature)`,
	}, nil
}

// categoricalQuality counts — gridQuality's statement where the dialect is a GridDialect and the features are
// columns, else this long form — per (model, window, feature), the NULL values and the values not among the
// feature's reference categories. A feature without reference categories counts no new categories.
func (s *Store) categoricalQuality(ctx context.Context, scope store.Scope, w store.Windowing, feats []store.QualityFeature) ([]store.FeatureQuality, string, error) {
	if gd, ok := s.d.(GridDialect); ok && s.cfg.FeatureMapColumn == "" {
		return s.gridQuality(ctx, gd, scope, w, feats, true)
	}
	rows := make([]catFeatRow, len(feats))
	known := []catRow{}
	pairs := make([]modelFeature, len(feats))
	for i, f := range feats {
		rows[i] = catFeatRow{M: f.Model, F: f.Feature}
		for _, c := range f.Known {
			known = append(known, catRow{M: f.Model, F: f.Feature, C: c})
		}
		pairs[i] = modelFeature{M: f.Model, F: f.Feature}
	}
	b := s.newBuilder()
	head, err := b.categoricalSource(scope, w, rows, known, featureNames(pairs))
	if err != nil {
		return nil, "", err
	}
	q := fmt.Sprintf(`%s,
mm_checked AS (
  SELECT l.m, l.w, l.feature,
    CAST(coalesce(%s, 0) AS BIGINT) AS o
  FROM mm_vals l JOIN mm_feats f ON l.m = f.m AND l.feature = f.f
  LEFT JOIN mm_cats c ON l.m = c.m AND l.feature = c.f AND l.v = c.c
  LEFT JOIN (SELECT DISTINCT m, f FROM mm_cats) k ON l.m = k.m AND l.feature = k.f
  %s
),
mm_missing AS (
  SELECT z.m, z.w, z.feature, z.c FROM mm_nulls z JOIN mm_feats f ON z.m = f.m AND z.feature = f.f
)
SELECT coalesce(o.m, z.m), coalesce(o.w, z.w), coalesce(o.feature, z.feature), coalesce(z.c, 0), coalesce(o.o, 0), CAST(0 AS BIGINT)
FROM mm_checked o FULL JOIN mm_missing z ON o.m = z.m AND o.w = z.w AND o.feature = z.feature`, head,
		s.d.Filtered("sum(l.c)", "c.c IS NULL AND k.m IS NOT NULL"), s.d.GroupBy(3))
	return s.scanFeatureQuality(ctx, q, b.args, true)
}

func (s *Store) scanFeatureQuality(ctx context.Context, q string, args []any, categorical bool) ([]store.FeatureQuality, string, error) {
	var out []store.FeatureQuality
	err := s.collect(ctx, q, args, func(r Rows) error {
		var row store.FeatureQuality
		var o int64
		if err := r.Scan(&row.Model, &row.Window, &row.Feature, &row.Nulls, &o, &row.TypeErrors); err != nil {
			return err
		}
		if categorical {
			row.NewCategory = o
		} else {
			row.OutOfRange = o
		}
		out = append(out, row)
		return nil
	})
	return out, q, err
}
