package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Names the generated SQL chooses never meet a user's: the common table expressions are prefixed mm_ (a user
// table named like one would otherwise be shadowed by it), and a user's column names never become output names
// of a SELECT — feature columns are read as c1, c2, … beside the internal m (model), w (window) and fm (feature
// map) — so that a feature called m, w, n or feature cannot collide with the statement's own columns.

// builder assembles one statement. Identifiers come only from the validated settings and catalogue and are
// quoted; every value (times, model, segment, bin edges, categories) is a bound parameter, appended to args in
// the order its placeholder appears in the text.
type builder struct {
	s    *Store
	d    Dialect
	args []any
	// materialized is put between `mm_lab AS` and its body: MaterializedDialect's keyword where one statement
	// reads the labelled relation twice, else "".
	materialized string
}

func (s *Store) newBuilder() *builder { return &builder{s: s, d: s.d} }

// bind appends a value and returns its placeholder.
func (b *builder) bind(v any) string {
	b.args = append(b.args, v)
	return b.d.Placeholder(len(b.args))
}

func (b *builder) quote(ident string) string { return b.d.Quote(ident) }

// relation renders a query whose rows are rows (marshalled to one bound JSON array of objects with the keys of
// cols), so that per-(model, feature) edges and categories travel as one bound value rather than as SQL text.
func (b *builder) relation(rows any, cols []Column) (string, error) {
	raw, err := json.Marshal(rows)
	if err != nil {
		return "", err
	}
	return b.d.Relation(b.bind(string(raw)), cols), nil
}

// pairColumns are the columns of a relation of modelFeature pairs.
var pairColumns = []Column{{Name: "m", Type: TextColumn}, {Name: "f", Type: TextColumn}}

// featureSource renders what a per-feature statement starts from: the relation of its per-(model, feature) rows
// (columns cols, for mm_feats) and, after it, the long source of the features of pairs (see longSource), whose
// distinct names it also returns.
func (b *builder) featureSource(rows any, cols []Column, pairs []modelFeature, scope store.Scope, w store.Windowing, numeric bool) (feats, src string, names []string, err error) {
	if feats, err = b.relation(rows, cols); err != nil {
		return "", "", nil, err
	}
	names = featureNames(pairs)
	src, err = b.longSource(scope, w, names, numeric)
	return feats, src, names, err
}

// pairJoin renders the join of mm_long l to mm_feats f that keeps the requested (model, feature) pairs, or ""
// where every row of mm_long already is one: wide columns (only the requested ones are unpivoted) of a scope
// restricted to one model, every pair that model's and none twice. On the 10 M-row benchmark store, churn's
// reference profile hashed its 7 M long rows into that join for nothing.
func (b *builder) pairJoin(scope store.Scope, pairs []modelFeature) string {
	const join = " JOIN mm_feats f ON l.m = f.m AND l.feature = f.f"
	if b.s.cfg.FeatureMapColumn != "" || scope.Model == "" || len(featureNames(pairs)) != len(pairs) {
		return join
	}
	for _, p := range pairs {
		if p.M != scope.Model {
			return join
		}
	}
	return ""
}

// windowExpr renders the window index of a row, binding the origin and width (µs); 0 for every row without a width.
func (b *builder) windowExpr(w store.Windowing) string {
	if w.Width <= 0 {
		return "CAST(0 AS BIGINT)"
	}
	origin := b.bind(w.Origin.UnixMicro())
	width := b.bind(float64(w.Width.Microseconds()))
	return b.d.WindowIndex(b.quote(b.s.cfg.TimeColumn), origin, width)
}

// timeText renders a time bound as text of the time column's type: naive timestamps hold UTC wall-clock times,
// zoned ones get an absolute RFC 3339 instant.
func timeText(t time.Time, zoned bool) string {
	if zoned {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return t.UTC().Format("2006-01-02 15:04:05.999999")
}

// scopeFilter returns the table a scope reads (quoted) and its WHERE clause (time range, model, segment),
// binding values.
func (b *builder) scopeFilter(scope store.Scope) (string, string) {
	cfg := b.s.cfg
	table := cfg.Table
	if scope.Table != "" {
		table = scope.Table
	}
	var where []string
	if !scope.From.IsZero() {
		zoned := b.s.zonedTime()
		ts := b.quote(cfg.TimeColumn)
		where = append(where, ts+" >= "+b.d.TimeBound(b.bind(timeText(scope.From, zoned)), zoned),
			ts+" < "+b.d.TimeBound(b.bind(timeText(scope.To, zoned)), zoned))
	}
	if scope.Model != "" {
		where = append(where, b.d.Text(b.quote(cfg.ModelColumn))+" = "+b.bind(scope.Model))
	}
	if scope.Segment != nil {
		where = append(where, b.d.Text(b.quote(scope.Segment.Column))+" = "+b.bind(scope.Segment.Value))
	}
	whereSQL := ""
	if len(where) > 0 {
		whereSQL = "\n  WHERE " + strings.Join(where, " AND ")
	}
	return b.quote(table), whereSQL
}

// longSource renders the mm_src and mm_long CTEs: the scoped rows of the table with each feature cast to one
// type (double or text) and unpivoted to (m, w, feature, v), NULL values left out — in a fleet most columns are
// NULL for most models, so that halves the rows to bin — and counted by nullCounts instead.
func (b *builder) longSource(scope store.Scope, w store.Windowing, names []string, numeric bool) (string, error) {
	if b.s.cfg.FeatureMapColumn != "" {
		return b.mapSource(scope, w, numeric)
	}
	return fmt.Sprintf(`mm_src AS (
  %s
),
mm_long AS (
  SELECT m, w, feature, v FROM %s
)`, b.wideRows(scope, w, names, numeric, nil), b.d.Unpivot("mm_src", []string{"m", "w"}, unpivotColumns(names), "feature", "v", false)), nil
}

// wideRows renders the scoped rows of the table as (m, w, c1, c2, …): the model as text, the window index and
// each feature of names cast to double (numeric) or text, as featureAlias names it. cond, when not nil, renders
// one more condition on the rows (in terms of the table's columns) after the scope's, binding in text order.
func (b *builder) wideRows(scope store.Scope, w store.Windowing, names []string, numeric bool, cond func() string) string {
	cfg := b.s.cfg
	cast := b.d.Text
	if numeric {
		cast = b.d.Double
	}
	windowExpr := b.windowExpr(w)
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = cast(b.quote(n)) + " AS " + featureAlias(i)
	}
	table, whereSQL := b.scopeFilter(scope)
	switch {
	case cond != nil && whereSQL == "":
		whereSQL = "\n  WHERE " + cond()
	case cond != nil:
		whereSQL += " AND " + cond()
	}
	return fmt.Sprintf(`SELECT %s AS m, %s AS w, %s
  FROM %s%s`, b.d.Text(b.quote(cfg.ModelColumn)), windowExpr, strings.Join(cols, ", "), table, whereSQL)
}

// featureAlias is the internal name of the i-th feature column in mm_src.
func featureAlias(i int) string { return fmt.Sprintf("c%d", i+1) }

func unpivotColumns(names []string) []UnpivotColumn {
	out := make([]UnpivotColumn, len(names))
	for i, n := range names {
		out[i] = UnpivotColumn{Col: featureAlias(i), Name: n}
	}
	return out
}

// mapSource is longSource for a feature map column: one row per map entry, keyed by the lower-cased key (the
// names Features lists), the value cast to double (a value that is not a number counts as missing) or text. A
// key absent from a row's map is a missing value, counted by mapNullCounts.
func (b *builder) mapSource(scope store.Scope, w store.Windowing, numeric bool) (string, error) {
	md, err := b.s.mapDialect()
	if err != nil {
		return "", err
	}
	cfg := b.s.cfg
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	value := b.d.Text("e.val")
	if numeric {
		value = b.d.TryDouble("e.val")
	}
	return fmt.Sprintf(`mm_src AS (
  SELECT %s AS m, %s AS w, %s AS fm
  FROM %s%s
),
mm_long AS (
  SELECT m, w, feature, v FROM (
    SELECT e.m, e.w, lower(e.k) AS feature, %s AS v FROM (%s) e
  ) x
  WHERE v IS NOT NULL
)`, b.d.Text(b.quote(cfg.ModelColumn)), windowExpr, b.quote(cfg.FeatureMapColumn), table, whereSQL, value,
		md.MapEntries("mm_src", []string{"m", "w"}, "fm", "k", "val")), nil
}

// nullCounts renders the mm_nulls CTE: per (m, w, feature), how many rows of mm_src have the feature NULL — one
// plain GROUP BY over the wide rows, cheaper than carrying every NULL through the unpivot.
func (b *builder) nullCounts(names []string) string {
	if b.s.cfg.FeatureMapColumn != "" {
		return b.mapNullCounts()
	}
	counts := make([]string, len(names))
	for i := range names {
		counts[i] = fmt.Sprintf("count(%[1]s) AS %[1]s", featureAlias(i))
	}
	inner := fmt.Sprintf("(SELECT m, w, count(*) AS n, %s FROM mm_src %s)", strings.Join(counts, ", "), b.d.GroupBy(2))
	return fmt.Sprintf(`mm_nulls AS (
  SELECT m, w, feature, n - c AS c
  FROM %s
)`, b.d.Unpivot(inner, []string{"m", "w", "n"}, unpivotColumns(names), "feature", "c", true))
}

// mapNullCounts is nullCounts for a feature map column: the rows of a (model, window) minus the entries with a
// value, per feature of the request (mm_feats).
func (b *builder) mapNullCounts() string {
	return fmt.Sprintf(`mm_nulls AS (
  SELECT r.m, r.w, f.f AS feature, r.n - coalesce(p.c, 0) AS c
  FROM (SELECT m, w, count(*) AS n FROM mm_src %s) r
  JOIN mm_feats f ON r.m = f.m
  LEFT JOIN (SELECT m, w, feature, count(*) AS c FROM mm_long %s) p ON p.m = r.m AND p.w = r.w AND p.feature = f.f
)`, b.d.GroupBy(2), b.d.GroupBy(3))
}

// modelFeature is one (model, feature) pair of a request, as the mm_feats relation carries it.
type modelFeature struct {
	M string `json:"m"`
	F string `json:"f"`
}

// featureNames lists the distinct feature names of (model, feature) pairs, in first-seen order.
func featureNames(pairs []modelFeature) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pairs {
		if !seen[p.F] {
			seen[p.F] = true
			out = append(out, p.F)
		}
	}
	return out
}
