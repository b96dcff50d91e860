package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// gridCounts is the numeric count statement of a GridDialect. mm_bins has one branch per model: its scoped rows
// with its features as doubles, each binned where it is read by its grid (gridCell, then gridBin), the (bin,
// finite value) pairs unpivoted and grouped by (window, feature, bin) — NULLs fall in BinNull and NaN/±Inf in
// BinNonFinite, whose sum, minimum and maximum stay NULL. mm_small lists the (model, window, feature) samples of
// at most store.ValuesMaxRows finite rows; only their rows are read again (the scan restricted to their models
// and windows, nothing when there is none) for the BinValue rows of their distinct values.
func (s *Store) gridCounts(ctx context.Context, gd GridDialect, scope store.Scope, w store.Windowing, bins []store.NumericBins) ([]store.NumericCount, string, error) {
	models, perModel := byModel(bins, func(nb store.NumericBins) string { return nb.Model })
	limit := map[modelFeature]int{}
	pairs := make([]modelFeature, len(bins))
	for i, nb := range bins {
		pairs[i] = modelFeature{M: nb.Model, F: nb.Feature}
		limit[pairs[i]] = len(nb.Edges)
	}
	b := s.newBuilder()
	branches := make([]string, len(models))
	for i, m := range models {
		branches[i] = b.gridBranch(gd, scope, w, m, perModel[m])
	}
	names := featureNames(pairs)
	small := fmt.Sprintf(`SELECT m, w, feature FROM mm_bins WHERE bin >= 0 %s HAVING sum(n) <= %d`, b.d.GroupBy(3), store.ValuesMaxRows)
	src := b.wideRows(scope, w, names, true, func() string {
		return b.d.Text(b.quote(s.cfg.ModelColumn)) + " IN (SELECT m FROM mm_small)"
	})
	q := fmt.Sprintf(`WITH mm_bins AS (
%s
),
mm_small AS (%s),
mm_src AS (
  %s
),
mm_long AS (
  SELECT m, w, feature, v FROM %s
)
SELECT m, w, feature, bin, n, s, lo, hi FROM mm_bins
UNION ALL
SELECT l.m, l.w, l.feature, %d AS bin, count(*) AS n, l.v AS s, NULL AS lo, NULL AS hi
FROM mm_long l JOIN mm_small z ON l.m = z.m AND l.w = z.w AND l.feature = z.feature
WHERE %s
GROUP BY l.m, l.w, l.feature, l.v`, strings.Join(branches, "\nUNION ALL\n"), small, src,
		b.d.Unpivot("(SELECT * FROM mm_src WHERE (m, w) IN (SELECT m, w FROM mm_small))", []string{"m", "w"}, unpivotColumns(names), "feature", "v", false),
		store.BinValue, b.d.IsFinite("l.v"))
	out, err := s.scanNumericCounts(ctx, q, b.args, limit)
	return out, q, err
}

// gridBranch renders one model's branch of mm_bins: (m, w, feature, bin, n, s, lo, hi) from the model's scoped
// rows, its features binned in the wide rows and the (bin, finite value) pairs unpivoted.
func (b *builder) gridBranch(gd GridDialect, scope store.Scope, w store.Windowing, model string, bins []store.NumericBins) string {
	return b.modelBranch(model, "bin, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi", func() string {
		names := make([]string, len(bins))
		binned := make([]string, len(bins))
		pairs := make([]UnpivotPair, len(bins))
		grids := make([]grid, len(bins))
		for i, nb := range bins {
			c, k := featureAlias(i), fmt.Sprintf("k%d", i+1)
			names[i], grids[i] = nb.Feature, newGrid(nb.Edges)
			pairs[i] = UnpivotPair{Cols: [2]string{"b" + c, "v" + c}, Name: nb.Feature}
			binned[i] = fmt.Sprintf("%s AS b%s, CASE WHEN %s THEN %s END AS v%s", b.gridBin(gd, c, k, grids[i]), c, b.d.IsFinite(c), c, c)
		}
		cells := make([]string, len(bins))
		for i := range bins {
			c := featureAlias(i)
			cells[i] = fmt.Sprintf("%s, %s AS k%d", c, b.gridCell(c, grids[i]), i+1)
		}
		from := fmt.Sprintf("(SELECT w, %s FROM (SELECT w, %s FROM (%s) mm_x) mm_k)", strings.Join(binned, ", "), strings.Join(cells, ", "),
			b.modelRows(scope, w, names, true, model))
		return gd.UnpivotPairs(from, pairs, "feature", [2]string{"bin", "v"})
	})
}

// gridCategoricalCounts is the categorical count statement of a GridDialect. mm_codes has one branch per model:
// its scoped rows with each feature replaced by a code where it is read — −1 for NULL, else the position of the
// value in the feature's known categories (a bound list), 0 for a value outside them — the codes unpivoted and
// counted per (window, feature, code). The codes are then named: NULL is KindNull, a top category KindCategory
// (with its text), another known one KindOther, an unknown one KindUnseen when the known list is complete, else
// KindOther.
func (s *Store) gridCategoricalCounts(ctx context.Context, gd GridDialect, scope store.Scope, w store.Windowing, bins []store.CategoricalBins) ([]store.CategoryWindowCount, string, error) {
	models, perModel := byModel(bins, func(cb store.CategoricalBins) string { return cb.Model })
	feats, cats := categoryRows(bins, true)
	b := s.newBuilder()
	featsSQL, err := b.relation(feats, append(slices.Clone(pairColumns), Column{Name: "complete", Type: BoolColumn}))
	if err != nil {
		return nil, "", err
	}
	catsSQL, err := b.relation(cats, append(slices.Clone(pairColumns), Column{Name: "c", Type: TextColumn},
		Column{Name: "top", Type: BoolColumn}, Column{Name: "i", Type: DoubleColumn}))
	if err != nil {
		return nil, "", err
	}
	branches := make([]string, len(models))
	for i, m := range models {
		branches[i] = b.codeBranch(gd, scope, w, m, perModel[m])
	}
	q := fmt.Sprintf(`WITH mm_feats AS (%s),
mm_cats AS (%s),
mm_codes AS (
%s
)
SELECT b.m, b.w, b.feature,
  CASE WHEN b.code < 0 THEN %d WHEN c.top THEN %d WHEN c.c IS NOT NULL THEN %d WHEN f.complete THEN %d ELSE %d END AS kind,
  CASE WHEN c.top THEN c.c END AS category, CAST(sum(b.n) AS BIGINT) AS n
FROM mm_codes b JOIN mm_feats f ON b.m = f.m AND b.feature = f.f
LEFT JOIN mm_cats c ON b.m = c.m AND b.feature = c.f AND b.code = c.i
%s`, featsSQL, catsSQL, strings.Join(branches, "\nUNION ALL\n"),
		store.KindNull, store.KindCategory, store.KindOther, store.KindUnseen, store.KindOther, b.d.GroupBy(5))
	out, err := s.scanCategoryCounts(ctx, q, b.args)
	return out, q, err
}

// codeBranch renders one model's branch of mm_codes: (m, w, feature, code, n) from the model's scoped rows, each
// feature coded where it is read and the codes unpivoted.
func (b *builder) codeBranch(gd GridDialect, scope store.Scope, w store.Windowing, model string, bins []store.CategoricalBins) string {
	return b.modelBranch(model, "code, count(*) AS n", func() string {
		names := make([]string, len(bins))
		codes := make([]string, len(bins))
		for i, cb := range bins {
			c := featureAlias(i)
			names[i] = cb.Feature
			known := cb.Known
			if known == nil {
				known = []string{}
			}
			codes[i] = fmt.Sprintf("CASE WHEN %s IS NULL THEN -1 ELSE %s END AS %s", c, gd.ListPosition(b.bind(known), c), c)
		}
		from := fmt.Sprintf("(SELECT w, %s FROM (%s) mm_x)", strings.Join(codes, ", "), b.modelRows(scope, w, names, false, model))
		return b.d.Unpivot(from, []string{"w"}, unpivotColumns(names), "feature", "code", true)
	})
}

// modelBranch renders `SELECT <model> AS m, w, feature, <cols> FROM <from()> GROUP BY …` (keys m, w, feature and
// the first of cols), the model bound first and from called after it, so that its values bind in text order.
func (b *builder) modelBranch(model, cols string, from func() string) string {
	label := b.bind(model)
	return fmt.Sprintf("  SELECT %s AS m, w, feature, %s\n  FROM %s\n  %s", label, cols, from(), b.d.GroupBy(4))
}

// byModel groups bins by their model (model reads it), the models in first-seen order.
func byModel[T any](bins []T, model func(T) string) ([]string, map[string][]T) {
	var models []string
	per := map[string][]T{}
	for _, x := range bins {
		m := model(x)
		if _, ok := per[m]; !ok {
			models = append(models, m)
		}
		per[m] = append(per[m], x)
	}
	return models, per
}

// modelRows renders the scoped rows of one model (wideRows, the model's condition bound after the scope's).
func (b *builder) modelRows(scope store.Scope, w store.Windowing, names []string, numeric bool, model string) string {
	return b.wideRows(scope, w, names, numeric, func() string {
		return b.d.Text(b.quote(b.s.cfg.ModelColumn)) + " = " + b.bind(model)
	})
}
