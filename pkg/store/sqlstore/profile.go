package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Profile summarises the reference: for numeric features the row counts, moments and quantiles at probs; for
// categorical features the categoryCap most frequent categories, the null count and the distinct count. One
// statement per feature type serves every model and feature of the request. NULL values are counted from
// mm_nulls, as Counts counts them, so that a key absent from a feature map is a NULL like a NULL column value.
func (s *Store) Profile(ctx context.Context, scope store.Scope, features []store.Feature, probs []float64, categoryCap int) (store.Profile, error) {
	var p store.Profile
	num, cat := splitFeatures(features)
	if len(num) > 0 {
		rows, qs, err := s.numericProfileByModels(ctx, scope, num, probs)
		if err != nil {
			return p, err
		}
		p.Numeric, p.SQL = rows, append(p.SQL, qs...)
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

// OutOfMemoryDialect is implemented by dialects whose engine reports running out of memory as an error the
// statement can be retried after (DuckDB: its memory_limit, memoryLimitMB). The numeric profile's exact quantiles
// sort each (model, feature)'s reference values in a list aggregate, which DuckDB 1.5.6 holds in memory (it cannot
// spill it): the whole fleet's reference outgrows the limit long before one model's does (100 M predictions: the
// reference week's ~19 M rows at the default 4096 MB).
type OutOfMemoryDialect interface {
	Dialect
	// OutOfMemory says err is the engine's out-of-memory error.
	OutOfMemory(err error) bool
}

// numericProfileByModels is numericProfile, split by model where the engine runs out of memory: the models of
// feats (in byte order) in two halves, each profiled alike (so again split if it too runs out), down to one
// model, whose error stands. The groups are independent, so the rows are the ones one statement gives (in its
// order: by model, then feature); the statements are those that answered, in that order. The extra work is each
// failed attempt (the engine fails it once the lists outgrow the limit) and each half's own scan of the reference.
func (s *Store) numericProfileByModels(ctx context.Context, scope store.Scope, feats []modelFeature, probs []float64) ([]store.NumericProfile, []string, error) {
	rows, q, err := s.numericProfile(ctx, scope, feats, probs)
	if err == nil {
		return rows, []string{q}, nil
	}
	od, ok := s.d.(OutOfMemoryDialect)
	models, per := byModel(feats, func(f modelFeature) string { return f.M })
	if !ok || !od.OutOfMemory(err) || len(models) < 2 || ctx.Err() != nil {
		return nil, nil, err
	}
	slices.Sort(models)
	var out []store.NumericProfile
	var sqls []string
	for _, half := range [][]string{models[:len(models)/2], models[len(models)/2:]} {
		var part []modelFeature
		for _, m := range half {
			part = append(part, per[m]...)
		}
		r, qs, err := s.numericProfileByModels(ctx, scope, part, probs)
		if err != nil {
			return nil, nil, err
		}
		out, sqls = append(out, r...), append(sqls, qs...)
	}
	return out, sqls, nil
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

// Moments that cannot overflow. A variance aggregate squares its values, so one finite value above ~1e154 makes
// it overflow (DuckDB fails the whole statement: "STDDEV_POP is out of range"), and a sum of values near 1e308
// overflows the mean. Every group therefore gets its moments twice: over the values as they are, restricted to
// |v| <= plainMomentLimit (where n·(2·1e100)² stays finite for any row count a store can hold), and over the
// values scaled by 2^-momentScaleExp (exact: a power of two; 1.8e308 becomes ~5e145, whose squares stay finite).
// The group's largest |v| picks one: the plain moments when it is within the limit — the same numbers as
// before for every ordinary feature — else the scaled ones, scaled back. Values below ~1e-145 lose precision in
// the scaled pair, which only serves groups holding a value above 1e100, next to which they vanish anyway.
const (
	plainMomentLimit = "1e100"
	momentScaleExp   = 540
)

var (
	momentDown = strconv.FormatFloat(math.Ldexp(1, -momentScaleExp), 'g', -1, 64)
	momentUp   = strconv.FormatFloat(math.Ldexp(1, momentScaleExp), 'g', -1, 64)
)

// momentAggregates renders the aggregates mean, std (population), amax, mean_s and std_s of v over its finite
// values, for momentColumns to choose from.
func momentAggregates(d Dialect, v string) string {
	finite := d.IsFinite(v)
	plain := "abs(" + v + ") <= " + plainMomentLimit
	scaled := v + " * " + momentDown
	return strings.Join([]string{
		d.Filtered("max(abs("+v+"))", finite) + " AS amax",
		d.Filtered("avg("+v+")", plain) + " AS mean",
		d.Filtered("stddev_pop("+v+")", plain) + " AS std",
		d.Filtered("avg("+scaled+")", finite) + " AS mean_s",
		d.Filtered("stddev_pop("+scaled+")", finite) + " AS std_s",
	}, ",\n    ")
}

// momentColumns renders the chosen mean and std from momentAggregates' columns.
func momentColumns() string {
	pick := func(plain, scaled string) string {
		return fmt.Sprintf("CASE WHEN amax <= %s THEN %s ELSE %s * %s END", plainMomentLimit, plain, scaled, momentUp)
	}
	return pick("mean", "mean_s") + " AS mean, " + pick("std", "std_s") + " AS std"
}

// SortedDistinctDialect is implemented by dialects whose numeric profile finds the distinct finite values in
// each group's sorted list (SortedValues) instead of unpivoting and grouping the reference's values a second time.
// On DuckDB 1.5.6 (10 M-row benchmark store, the numeric profile of the benchmarks' reference week, CPU s at load
// ≈ 6.5) that took churn's from 1.9–2.1 to 1.3 and the fleet's from 5.9–6.0 to 4.4.
type SortedDistinctDialect interface {
	Dialect
	// DistinctOfSorted renders a statement over the rows of from (columns m, feature and the SortedValues list
	// sorted) giving per row m, feature, distinct_n (the number of distinct values of the list, NULL for a NULL
	// list) and vals (those values ascending where there are 1 to limit of them, else NULL):
	// `SELECT m, feature, len(u) AS distinct_n, CASE WHEN len(u) BETWEEN 1 AND 5 THEN list_sort(u) END AS vals
	// FROM (SELECT m, feature, list_distinct(sorted) AS u FROM from) t`.
	DistinctOfSorted(from, sorted string, limit int) string
}

func (s *Store) numericProfile(ctx context.Context, scope store.Scope, feats []modelFeature, probs []float64) ([]store.NumericProfile, string, error) {
	b := s.newBuilder()
	d := s.d
	featsSQL, src, names, err := b.featureSource(feats, pairColumns, feats, scope, store.Windowing{}, true)
	if err != nil {
		return nil, "", err
	}
	finite := d.IsFinite("l.v")
	pairs := b.pairJoin(scope, feats)
	aq := s.approxQuantiles(b, pairs, finite, probs)
	// mm_distinct counts the distinct finite values and lists them where there are at most DistinctValuesCap
	// (the list aggregate only collects values of such features).
	distinct := fmt.Sprintf(`mm_vals AS (
  SELECT m, feature, v, count(*) OVER (PARTITION BY m, feature) AS distinct_n
  FROM (SELECT l.m, l.feature, l.v FROM mm_long l%s WHERE %s %s) u
),
mm_distinct AS (
  SELECT m, feature, max(distinct_n) AS distinct_n, %s AS vals FROM mm_vals %s
)`, pairs, finite, d.GroupBy(3), d.SortedValues("v", fmt.Sprintf("distinct_n <= %d", store.DistinctValuesCap)), d.GroupBy(2))
	if sd, ok := d.(SortedDistinctDialect); ok {
		distinct = "mm_distinct AS (\n  " + sd.DistinctOfSorted("mm_agg", "sorted", store.DistinctValuesCap) + "\n)"
	}
	q := fmt.Sprintf(`WITH mm_feats AS (%s),
%s,
%s,%s
mm_agg AS (
  SELECT l.m, l.feature, count(*) AS present,
    %s AS non_finite,
    %s AS finite,
    %s,
    %s AS lo, %s AS hi,
    %s AS sorted%s
  FROM mm_long l%s%s
  %s
),
%s
SELECT z.m, z.feature, z.c + coalesce(present, 0) AS rows_all, coalesce(non_finite, 0), coalesce(finite, 0), %s, lo, hi,
  %s AS lower_stat, %s AS upper_stat, coalesce(v.distinct_n, 0), v.vals%s
FROM mm_nulls z JOIN mm_feats f ON z.m = f.m AND z.feature = f.f
LEFT JOIN mm_agg a ON a.m = z.m AND a.feature = z.feature
LEFT JOIN mm_distinct v ON v.m = z.m AND v.feature = z.feature
ORDER BY 1, 2`, featsSQL, src, b.nullCounts(names), aq.sizes,
		d.Filtered("count(*)", "NOT "+finite), d.Filtered("count(*)", finite),
		momentAggregates(d, "l.v"), d.Filtered("min(l.v)", finite), d.Filtered("max(l.v)", finite),
		d.SortedValues("l.v", finite+aq.exactOnly), aq.aggregate, pairs, aq.join, d.GroupBy(2), distinct,
		momentColumns(), aq.or(d.OrderStatistics("sorted", b.bind(probs), false)), aq.or(d.OrderStatistics("sorted", b.bind(probs), true)),
		aq.flag)
	var out []store.NumericProfile
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var p store.NumericProfile
		var mean, std, lo, hi sql.NullFloat64
		var approximate bool
		dest := []any{&p.Model, &p.Feature, &p.Rows, &p.NonFinite, &p.Finite, &mean, &std, &lo, &hi, &p.Lower, &p.Upper, &p.Distinct, &p.Values}
		if aq.flag != "" {
			dest = append(dest, &approximate)
		}
		if err := r.Scan(dest...); err != nil {
			return err
		}
		p.Mean, p.Std, p.Min, p.Max = mean.Float64, std.Float64, lo.Float64, hi.Float64
		if approximate {
			p.QuantileRankError = aq.rankError
		}
		out = append(out, p)
		return nil
	})
	return out, q, err
}

// approxParts are the pieces numericProfile adds for an ApproxQuantileDialect with a limit: the finite values
// of each (model, feature) counted first (mm_sizes, joined to the values), the exact sort restricted to groups
// within the limit, the sketch to the others, the quantiles taken from the sketch where there is one, and a
// last column saying so. All empty (the statement unchanged) for other dialects. mm_sizes reads mm_long through
// pairs (pairJoin's join).
type approxParts struct {
	sizes, exactOnly, aggregate, join, flag string
	rankError                               float64
}

func (s *Store) approxQuantiles(b *builder, pairs, finite string, probs []float64) approxParts {
	ad, ok := s.d.(ApproxQuantileDialect)
	if !ok {
		return approxParts{}
	}
	limit, rankError := ad.ExactQuantileLimit()
	if limit <= 0 {
		return approxParts{}
	}
	limitP := b.bind(limit)
	return approxParts{
		sizes: fmt.Sprintf(`
mm_sizes AS (
  SELECT l.m, l.feature, count(*) AS n FROM mm_long l%s WHERE %s %s
),`, pairs, finite, s.d.GroupBy(2)),
		exactOnly: " AND sz.n <= " + limitP,
		aggregate: ",\n    " + ad.ApproxQuantiles("l.v", finite+" AND sz.n > "+limitP, b.bind(probs)) + " AS approx",
		join:      "\n  LEFT JOIN mm_sizes sz ON sz.m = l.m AND sz.feature = l.feature",
		flag:      ", approx IS NOT NULL AS approximate",
		rankError: rankError,
	}
}

// or renders the approximate quantiles where the group has them, else the exact order statistics expr.
func (a approxParts) or(expr string) string {
	if a.flag == "" {
		return expr
	}
	return "coalesce(approx, " + expr + ")"
}

func (s *Store) categoricalProfile(ctx context.Context, scope store.Scope, feats []modelFeature, categoryCap int) ([]store.CategoricalProfile, string, error) {
	b := s.newBuilder()
	featsSQL, src, names, err := b.featureSource(feats, pairColumns, feats, scope, store.Windowing{}, false)
	if err != nil {
		return nil, "", err
	}
	top := s.d.TopN(TopN{
		Select: []string{"m", "feature", "v", "c", "sum(c) OVER (PARTITION BY m, feature) AS rows_all",
			"count(v) OVER (PARTITION BY m, feature) AS distinct_n"},
		Names:       []string{"m", "feature", "v", "c", "rows_all", "distinct_n"},
		From:        "mm_agg",
		PartitionBy: "m, feature",
		OrderBy:     "(v IS NULL), c DESC, v",
		Keep:        "v IS NULL",
		Limit:       b.bind(categoryCap),
	})
	q := fmt.Sprintf(`WITH mm_feats AS (%s),
%s,
%s,
mm_agg AS (
  SELECT l.m, l.feature, l.v, count(*) AS c FROM mm_long l%s %s
  UNION ALL
  SELECT z.m, z.feature, NULL AS v, z.c FROM mm_nulls z JOIN mm_feats f ON z.m = f.m AND z.feature = f.f WHERE z.c > 0
)
%s
ORDER BY m, feature, c DESC, v`, featsSQL, src, b.nullCounts(names), b.pairJoin(scope, feats), s.d.GroupBy(3), top)
	index := map[modelFeature]int{}
	var out []store.CategoricalProfile
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var mf modelFeature
		var v sql.NullString
		var c, total, distinct int64
		if err := r.Scan(&mf.M, &mf.F, &v, &c, &total, &distinct); err != nil {
			return err
		}
		i, ok := index[mf]
		if !ok {
			i = len(out)
			index[mf] = i
			out = append(out, store.CategoricalProfile{Model: mf.M, Feature: mf.F, Rows: total, Distinct: distinct})
		}
		if !v.Valid {
			out[i].Nulls = c
			return nil
		}
		out[i].Categories = append(out[i].Categories, store.CategoryCount{Value: v.String, Count: c})
		return nil
	})
	return out, q, err
}
