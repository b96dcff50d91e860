package duckdb

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// sqlBuilder assembles one aggregate statement. Identifiers come only from the validated settings and catalogue
// and are quoted; every value (times, model, segment, bin edges, categories) is a bound parameter, appended to
// args in the order its placeholder appears in the text.
type sqlBuilder struct {
	s    *Store
	args []any
}

// jsonRelation renders a CTE body that turns one bound JSON parameter into a relation, so that per-(model,
// feature) bin edges and categories travel as a single bound value rather than as SQL text.
func (b *sqlBuilder) jsonRelation(rows any, structType string) (string, error) {
	raw, err := json.Marshal(rows)
	if err != nil {
		return "", err
	}
	b.args = append(b.args, string(raw))
	return fmt.Sprintf(`SELECT unnest(from_json(?::JSON, '[%s]'), recursive := true)`, structType), nil
}

// longSource renders the src and long CTEs: the scoped rows of the table, each feature column cast to one type
// (DOUBLE or VARCHAR) and unpivoted to (m, w, feature, v). includeNulls keeps NULL values as rows (profiles
// count them); the count statements drop them instead — in a fleet most columns are NULL for most models, so
// that halves the rows to bin — and take null counts from nullCounts.
func (b *sqlBuilder) longSource(scope store.Scope, w store.Windowing, names []string, numeric, includeNulls bool) string {
	cfg := b.s.cfg
	if cfg.FeatureMapColumn != "" {
		return b.mapSource(scope, w, numeric, includeNulls)
	}
	table := cfg.Table
	if scope.Table != "" {
		table = scope.Table
	}
	cast := "VARCHAR"
	if numeric {
		cast = "DOUBLE"
	}
	windowExpr := b.windowExpr(w)
	cols := make([]string, len(names))
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = quote(n)
		cols[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", quote(n), cast, quote(n))
	}
	table, whereSQL := b.scopeFilter(scope)
	nulls := ""
	if includeNulls {
		nulls = " INCLUDE NULLS"
	}
	return fmt.Sprintf(`src AS (
  SELECT CAST(%s AS VARCHAR) AS m, %s AS w, %s
  FROM %s%s
),
long AS (
  SELECT m, w, feature, v FROM src UNPIVOT%s (v FOR feature IN (%s))
)`, quote(cfg.ModelColumn), windowExpr, strings.Join(cols, ", "), quote(table), whereSQL, nulls, strings.Join(quoted, ", "))
}

// windowExpr renders the window index of a row, binding the origin and width.
func (b *sqlBuilder) windowExpr(w store.Windowing) string {
	if w.Width <= 0 {
		return "CAST(0 AS BIGINT)"
	}
	b.args = append(b.args, w.Origin.UnixMicro(), float64(w.Width.Microseconds()))
	return fmt.Sprintf("CAST(floor((epoch_us(%s) - ?) / ?) AS BIGINT)", quote(b.s.cfg.TimeColumn))
}

// scopeFilter returns the table a scope reads and its WHERE clause (time range, model, segment), binding values.
func (b *sqlBuilder) scopeFilter(scope store.Scope) (string, string) {
	cfg := b.s.cfg
	table := cfg.Table
	if scope.Table != "" {
		table = scope.Table
	}
	var where []string
	if !scope.From.IsZero() {
		// Bounds are bound as text and cast to the column's own type: a time.Time parameter arrives as
		// TIMESTAMPTZ, and comparing a TIMESTAMP column with it casts every row and defeats DuckDB's row-group
		// skipping (zone maps), several times slower on a large log.
		typ, arg := b.s.timeParam()
		where = append(where, fmt.Sprintf("%s >= CAST(? AS %s)", quote(cfg.TimeColumn), typ), fmt.Sprintf("%s < CAST(? AS %s)", quote(cfg.TimeColumn), typ))
		b.args = append(b.args, arg(scope.From), arg(scope.To))
	}
	if scope.Model != "" {
		where = append(where, fmt.Sprintf("CAST(%s AS VARCHAR) = ?", quote(cfg.ModelColumn)))
		b.args = append(b.args, scope.Model)
	}
	if scope.Segment != nil {
		where = append(where, fmt.Sprintf("CAST(%s AS VARCHAR) = ?", quote(scope.Segment.Column)))
		b.args = append(b.args, scope.Segment.Value)
	}
	whereSQL := ""
	if len(where) > 0 {
		whereSQL = "\n  WHERE " + strings.Join(where, " AND ")
	}
	return table, whereSQL
}

// mapSource is longSource for a MAP(VARCHAR, …) feature column: one row per map entry, the value cast to DOUBLE
// (TRY_CAST: a value that is not a number counts as missing) or VARCHAR. A key absent from a row's map is a
// missing value, counted by mapNullCounts.
func (b *sqlBuilder) mapSource(scope store.Scope, w store.Windowing, numeric, includeNulls bool) string {
	cfg := b.s.cfg
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	value := "CAST(e.value AS VARCHAR)"
	if numeric {
		value = "TRY_CAST(e.value AS DOUBLE)"
	}
	filter := "\n  WHERE v IS NOT NULL"
	if includeNulls {
		filter = ""
	}
	return fmt.Sprintf(`src AS (
  SELECT CAST(%s AS VARCHAR) AS m, %s AS w, %s AS fm
  FROM %s%s
),
long AS (
  SELECT m, w, feature, v FROM (
    SELECT m, w, e.key AS feature, %s AS v FROM (SELECT m, w, unnest(map_entries(fm)) AS e FROM src)
  )%s
)`, quote(cfg.ModelColumn), windowExpr, quote(cfg.FeatureMapColumn), quote(table), whereSQL, value, filter)
}

// nullCounts renders the nulls CTE: per (m, w, feature), how many rows of src have the feature NULL — one
// plain GROUP BY over the wide rows, cheaper than carrying every NULL through the unpivot.
func (b *sqlBuilder) nullCounts(names []string) string {
	if b.s.cfg.FeatureMapColumn != "" {
		return mapNullCounts
	}
	counts := make([]string, len(names))
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = quote(n)
		counts[i] = fmt.Sprintf("count(%s) AS %s", quote(n), quote(n))
	}
	return fmt.Sprintf(`nulls AS (
  SELECT m, w, feature, n - c AS c
  FROM (SELECT m, w, count(*) AS n, %s FROM src GROUP BY ALL) UNPIVOT (c FOR feature IN (%s))
)`, strings.Join(counts, ", "), strings.Join(quoted, ", "))
}

// binSearch renders an expression giving the number of edges e[1..n] (a sorted list column, padded to n) that are
// <= v: a balanced tree of CASEs, so each row does log2(n) comparisons however many bins there are.
func binSearch(v, e string, lo, hi int) string {
	if lo > hi {
		return fmt.Sprint(lo - 1)
	}
	mid := (lo + hi) / 2
	return fmt.Sprintf("CASE WHEN %s >= %s[%d] THEN %s ELSE %s END", v, e, mid, binSearch(v, e, mid+1, hi), binSearch(v, e, lo, mid-1))
}

// paddedLength is the smallest 2^d − 1 >= n, so the search tree is balanced.
func paddedLength(n int) int {
	p := 1
	for p-1 < n {
		p *= 2
	}
	return p - 1
}

// featureNames lists the distinct feature names of a set of (model, feature) pairs, in first-seen order.
func featureNames(pairs [][2]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pairs {
		if !seen[p[1]] {
			seen[p[1]] = true
			out = append(out, p[1])
		}
	}
	return out
}

// mapNullCounts is nullCounts for a MAP feature column: the rows of a (model, window) minus the entries with a
// value, per feature of the request (feats).
const mapNullCounts = `nulls AS (
  SELECT r.m, r.w, f.f AS feature, r.n - coalesce(p.c, 0) AS c
  FROM (SELECT m, w, count(*) AS n FROM src GROUP BY ALL) r
  JOIN feats f ON r.m = f.m
  LEFT JOIN (SELECT m, w, feature, count(*) AS c FROM long GROUP BY ALL) p ON p.m = r.m AND p.w = r.w AND p.feature = f.f
)`
