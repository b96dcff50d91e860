package duckdb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Dialect renders DuckDB's SQL for the statements of sqlstore. Its performance choices: the numeric counts of wide
// feature columns bin each column where it is read, by a grid look-up in bound lists (sqlstore.GridDialect:
// ListElement, UnpivotPairs), rather than unpivoting every value and joining each distinct one to its feature's
// edges; where that long form remains (feature maps), edges are lists (DOUBLE[]) searched by a balanced CASE tree
// — not fixed-size arrays DOUBLE[n], whose every `e[i]` DuckDB 1.5.6 evaluates as array_extract(CAST(e AS
// DOUBLE[]), i), copying all n edges at each level of the tree (on the 10 M-row benchmark store, churn's numeric
// count statement took 20 s of CPU time with arrays; lists together with a grouped look-up of small samples, since
// reverted because PostgreSQL ran it far slower, took 9 s) — and quantiles come from one sorted list per group
// (list_sort) rather than quantile_cont (measured ~6× faster in DuckDB 1.5.6 with 99 probabilities: it sorts once
// instead of selecting per probability).
type Dialect struct{}

var (
	_ sqlstore.MapDialect            = Dialect{} // and so a sqlstore.Dialect
	_ sqlstore.GridDialect           = Dialect{}
	_ sqlstore.SortedDistinctDialect = Dialect{}
	_ sqlstore.OutOfMemoryDialect    = Dialect{}
	_ sqlstore.MaterializedDialect   = Dialect{}
)

// Name is "DuckDB".
func (Dialect) Name() string { return "DuckDB" }

// Placeholder is `?` whatever n: DuckDB's positional marker, bound in text order.
func (Dialect) Placeholder(int) string { return "?" }

// Quote renders `"ident"`, doubling embedded quotes.
func (Dialect) Quote(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }

// Text renders `CAST(x AS VARCHAR)`.
func (Dialect) Text(expr string) string { return "CAST(" + expr + " AS VARCHAR)" }

// Double renders `CAST(x AS DOUBLE)`.
func (Dialect) Double(expr string) string { return "CAST(" + expr + " AS DOUBLE)" }

// TryDouble renders `TRY_CAST(x AS DOUBLE)`.
func (Dialect) TryDouble(expr string) string { return "TRY_CAST(" + expr + " AS DOUBLE)" }

// IsFinite renders `isfinite(x)`.
func (Dialect) IsFinite(expr string) string { return "isfinite(" + expr + ")" }

// Filtered renders `agg FILTER (WHERE cond)`.
func (Dialect) Filtered(agg, cond string) string { return agg + " FILTER (WHERE " + cond + ")" }

// GroupBy renders `GROUP BY ALL` (the keys are the SELECT's non-aggregate columns).
func (Dialect) GroupBy(int) string { return "GROUP BY ALL" }

// Relation renders `SELECT unnest(from_json(?::JSON, '[{"m":"VARCHAR","e":"DOUBLE[]"}]'), recursive := true)`; an
// EdgesColumn is a list of its Slots doubles.
func (Dialect) Relation(param string, cols []sqlstore.Column) string {
	fields := make([]string, len(cols))
	for i, c := range cols {
		fields[i] = strconv.Quote(c.Name) + ":" + strconv.Quote(columnType(c))
	}
	return fmt.Sprintf(`SELECT unnest(from_json(%s::JSON, '[{%s}]'), recursive := true)`, param, strings.Join(fields, ","))
}

func columnType(c sqlstore.Column) string {
	switch c.Type {
	case sqlstore.DoubleColumn:
		return "DOUBLE"
	case sqlstore.BoolColumn:
		return "BOOLEAN"
	case sqlstore.EdgesColumn:
		return "DOUBLE[]"
	}
	return "VARCHAR"
}

// WindowIndex renders `CAST(floor((epoch_us("ts") - ?) / ?) AS BIGINT)`.
func (Dialect) WindowIndex(ts, origin, width string) string {
	return fmt.Sprintf("CAST(floor((epoch_us(%s) - %s) / %s) AS BIGINT)", ts, origin, width)
}

// EpochMicros renders `epoch_us(x)`.
func (Dialect) EpochMicros(ts string) string { return "epoch_us(" + ts + ")" }

// TimeBound renders `CAST(? AS TIMESTAMP)`, or `CAST(? AS TIMESTAMPTZ)` when zoned.
func (Dialect) TimeBound(param string, zoned bool) string {
	if zoned {
		return "CAST(" + param + " AS TIMESTAMPTZ)"
	}
	return "CAST(" + param + " AS TIMESTAMP)"
}

// Unpivot renders `src UNPIVOT INCLUDE NULLS (v FOR feature IN (c1 AS 'age', c2 AS 'tenure'))` (without
// INCLUDE NULLS when NULL values are dropped); DuckDB keeps every other column, so keepCols is implied.
func (Dialect) Unpivot(from string, _ []string, cols []sqlstore.UnpivotColumn, nameCol, valueCol string, includeNulls bool) string {
	in := make([]string, len(cols))
	for i, c := range cols {
		in[i] = c.Col + " AS " + literal(c.Name)
	}
	nulls := ""
	if includeNulls {
		nulls = " INCLUDE NULLS"
	}
	return fmt.Sprintf("%s UNPIVOT%s (%s FOR %s IN (%s))", from, nulls, valueCol, nameCol, strings.Join(in, ", "))
}

// UnpivotPairs renders `src UNPIVOT INCLUDE NULLS ((bin, v) FOR feature IN ((b1, v1) AS 'age', (b2, v2) AS
// 'tenure'))`.
func (Dialect) UnpivotPairs(from string, pairs []sqlstore.UnpivotPair, nameCol string, valueCols [2]string) string {
	in := make([]string, len(pairs))
	for i, p := range pairs {
		in[i] = "(" + p.Cols[0] + ", " + p.Cols[1] + ") AS " + literal(p.Name)
	}
	return fmt.Sprintf("%s UNPIVOT INCLUDE NULLS ((%s, %s) FOR %s IN (%s))", from, valueCols[0], valueCols[1], nameCol, strings.Join(in, ", "))
}

// ListElement renders `CAST(? AS DOUBLE[])[k]`.
func (Dialect) ListElement(list, k string) string { return "CAST(" + list + " AS DOUBLE[])[" + k + "]" }

// ListPosition renders `coalesce(list_position(CAST(? AS VARCHAR[]), x), 0)`.
func (Dialect) ListPosition(list, x string) string {
	return "coalesce(list_position(CAST(" + list + " AS VARCHAR[]), " + x + "), 0)"
}

// literal renders a validated name as a string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// EdgeSlots is the smallest 2^d − 1 >= maxEdges, so that BinIndex's tree is balanced.
func (Dialect) EdgeSlots(maxEdges int) int { return sqlstore.BalancedSlots(maxEdges) }

// BinIndex renders a balanced tree of CASEs over `e[i]` (1-based), each row doing log2(slots+1) comparisons:
// for slots 3, `CASE WHEN v >= e[2] THEN CASE WHEN v >= e[3] THEN 3 ELSE 2 END ELSE CASE WHEN v >= e[1] THEN 1
// ELSE 0 END END`.
func (Dialect) BinIndex(v, edges string, slots int) string {
	return sqlstore.BinarySearch(v, func(i int) string { return edges + "[" + strconv.Itoa(i) + "]" }, slots)
}

// SortedValues renders `list_sort(list(v) FILTER (WHERE cond))`.
func (Dialect) SortedValues(v, cond string) string {
	return "list_sort(list(" + v + ") FILTER (WHERE " + cond + "))"
}

// DistinctOfSorted renders `SELECT m, feature, len(u) AS distinct_n, CASE WHEN len(u) BETWEEN 1 AND limit THEN
// list_sort(u) END AS vals FROM (SELECT m, feature, list_distinct(sorted) AS u FROM from) t` (list_distinct keeps
// no order).
func (Dialect) DistinctOfSorted(from, sorted string, limit int) string {
	return fmt.Sprintf("SELECT m, feature, len(u) AS distinct_n, CASE WHEN len(u) BETWEEN 1 AND %d THEN list_sort(u) END AS vals\n  FROM (SELECT m, feature, list_distinct(%s) AS u FROM %s) t", limit, sorted, from)
}

// OrderStatistics renders s[1 + ⌊p·(len(s) − 1)⌋] (next: one further, capped at len(s)) for every probability p of
// probs, NULL for an empty list:
// `CASE WHEN len(s) > 0 THEN list_transform(CAST(? AS DOUBLE[]), p -> s[1 + floor(p * (len(s) - 1))::BIGINT]) END`.
func (Dialect) OrderStatistics(sorted, probs string, next bool) string {
	k := fmt.Sprintf("1 + floor(p * (len(%s) - 1))::BIGINT", sorted)
	if next {
		k = fmt.Sprintf("least(%s + 1, len(%s))", k, sorted)
	}
	return fmt.Sprintf("CASE WHEN len(%s) > 0 THEN list_transform(CAST(%s AS DOUBLE[]), p -> %s[%s]) END", sorted, probs, sorted, k)
}

// QuantileAgg renders `quantile_cont(v, [0.5, 0.9])`.
func (Dialect) QuantileAgg(v string, probs []float64) string {
	ps := make([]string, len(probs))
	for i, p := range probs {
		ps[i] = strconv.FormatFloat(p, 'g', -1, 64)
	}
	return fmt.Sprintf("quantile_cont(%s, [%s])", v, strings.Join(ps, ", "))
}

// LatestBy renders `arg_max(value, order)`.
func (Dialect) LatestBy(value, order string) string { return "arg_max(" + value + ", " + order + ")" }

// TopN renders `SELECT … FROM … QUALIFY keep OR row_number() OVER (PARTITION BY … ORDER BY …) <= ?`.
func (Dialect) TopN(q sqlstore.TopN) string {
	return fmt.Sprintf("SELECT %s\nFROM %s\nQUALIFY %s OR row_number() OVER (PARTITION BY %s ORDER BY %s) <= %s",
		strings.Join(q.Select, ", "), q.From, q.Keep, q.PartitionBy, q.OrderBy, q.Limit)
}

// FeatureType: DuckDB's number types (DECIMAL, DOUBLE, FLOAT, the integers) are numeric; VARCHAR, BOOLEAN and
// ENUM are categorical.
func (Dialect) FeatureType(catalogType string) (store.FeatureType, bool) {
	t := strings.ToUpper(catalogType)
	switch {
	case strings.HasPrefix(t, "DECIMAL"), t == "DOUBLE", t == "FLOAT", t == "REAL", strings.HasSuffix(t, "INT"),
		t == "BIGINT", t == "HUGEINT", t == "UHUGEINT", t == "INTEGER", t == "SMALLINT", t == "TINYINT",
		t == "UBIGINT", t == "UINTEGER", t == "USMALLINT", t == "UTINYINT":
		return store.Numeric, true
	case t == "VARCHAR", t == "BOOLEAN", strings.HasPrefix(t, "ENUM"):
		return store.Categorical, true
	}
	return "", false
}

// TimeType: TIMESTAMP… and DATE are times; TIMESTAMP WITH TIME ZONE is zoned.
func (Dialect) TimeType(catalogType string) (ok, zoned bool) {
	t := strings.ToUpper(catalogType)
	return strings.HasPrefix(t, "TIMESTAMP") || t == "DATE", strings.Contains(t, "TIME ZONE")
}

// MapValueType: MAP(VARCHAR, T) is a feature map whose values are typed as FeatureType types T.
func (d Dialect) MapValueType(catalogType string) (store.FeatureType, bool) {
	t := strings.ToUpper(catalogType)
	if !strings.HasPrefix(t, "MAP(VARCHAR, ") || !strings.HasSuffix(t, ")") {
		return "", false
	}
	return d.FeatureType(strings.TrimSuffix(strings.TrimPrefix(t, "MAP(VARCHAR, "), ")"))
}

// MapTypes: `MAP(VARCHAR, a number or text type) (cast a JSON column to a MAP in a view)`.
func (Dialect) MapTypes() string {
	return "MAP(VARCHAR, a number or text type) (cast a JSON column to a MAP in a view)"
}

// MapEntries renders `SELECT m, w, e.key AS k, e.value AS val FROM (SELECT m, w, unnest(map_entries(fm)) AS e
// FROM src)`.
func (Dialect) MapEntries(from string, keepCols []string, mapCol, keyCol, valueCol string) string {
	keep := strings.Join(keepCols, ", ")
	return fmt.Sprintf("SELECT %s, e.key AS %s, e.value AS %s FROM (SELECT %s, unnest(map_entries(%s)) AS e FROM %s)",
		keep, keyCol, valueCol, keep, mapCol, from)
}

// OutOfMemory says err is DuckDB's out-of-memory error (its memory_limit, memoryLimitMB, reached).
func (Dialect) OutOfMemory(err error) bool {
	var e *duckdbdriver.Error
	return errors.As(err, &e) && e.Type == duckdbdriver.ErrorTypeOutOfMemory
}

// Materialized renders DuckDB's keyword for a CTE computed once: "MATERIALIZED ".
func (Dialect) Materialized() string { return "MATERIALIZED " }
