package spark

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Dialect renders the store's SQL fragments in Spark SQL 4 (ANSI mode, Spark's default since 4.0): named
// parameter markers, backquoted identifiers, try_cast, FILTER, from_json + inline for relations from one bound
// JSON value, stack for unpivots, explode for a MAP feature column, array_sort(collect_list) and percentile for
// quantiles (percentile_approx for a group above ExactQuantileMaxValues), max_by, and a ranked subquery for
// TopN (Spark has no QUALIFY). Each method's comment shows what it renders. The zero Dialect's quantiles are
// always exact.
type Dialect struct {
	// ExactQuantileMaxValues is the most finite values of a (model, feature) whose reference quantiles are
	// exact (0: no limit); QuantileAccuracy is percentile_approx's accuracy above it (settings
	// exactQuantileMaxValues and quantileAccuracy).
	ExactQuantileMaxValues int64
	QuantileAccuracy       int
}

var (
	_ sqlstore.Dialect               = Dialect{}
	_ sqlstore.MapDialect            = Dialect{}
	_ sqlstore.ApproxQuantileDialect = Dialect{}
)

// Name is "Spark".
func (Dialect) Name() string { return "Spark" }

// Placeholder renders the named marker `:p<n>`; the runner binds the n-th argument under the name p<n> (Spark
// Connect's SQL named_arguments), so a marker may appear more than once.
func (Dialect) Placeholder(n int) string { return ":p" + strconv.Itoa(n) }

// Quote renders “ `ts` “, doubling embedded backquotes.
func (Dialect) Quote(ident string) string { return quoteIdent(ident) }

func quoteIdent(ident string) string { return "`" + strings.ReplaceAll(ident, "`", "``") + "`" }

// Text renders `CAST(x AS STRING)`.
func (Dialect) Text(expr string) string { return "CAST(" + expr + " AS STRING)" }

// Double renders `CAST(x AS DOUBLE)`.
func (Dialect) Double(expr string) string { return "CAST(" + expr + " AS DOUBLE)" }

// TryDouble renders `try_cast(x AS DOUBLE)`: NULL where the value is not a number (in ANSI mode CAST fails the
// statement instead).
func (Dialect) TryDouble(expr string) string { return "try_cast(" + expr + " AS DOUBLE)" }

// IsFinite renders `(abs(x) < CAST('Infinity' AS DOUBLE))`: Spark has no isfinite, and orders NaN above
// +Infinity (https://spark.apache.org/docs/latest/sql-ref-datatypes.html#nan-semantics), so NaN and ±Inf are
// false and NULL stays NULL.
func (Dialect) IsFinite(expr string) string {
	return "(abs(" + expr + ") < CAST('Infinity' AS DOUBLE))"
}

// Filtered renders `agg FILTER (WHERE cond)`.
func (Dialect) Filtered(agg, cond string) string { return agg + " FILTER (WHERE " + cond + ")" }

// GroupBy renders `GROUP BY 1, 2, 3` (ordinals, spark.sql.groupByOrdinal, on by default).
func (Dialect) GroupBy(keys int) string { return sqlstore.OrdinalGroupBy(keys) }

// Relation renders `SELECT inline(from_json(:p1, 'ARRAY<STRUCT<`+"`m`"+`: STRING, `+"`e`"+`: ARRAY<DOUBLE>>>'))`:
// the bound JSON text becomes one row per array element, one column per key. The planner folds it into a
// local relation small enough to broadcast to the executors with the statement.
func (Dialect) Relation(param string, cols []sqlstore.Column) string {
	fields := make([]string, len(cols))
	for i, c := range cols {
		typ := "STRING"
		switch c.Type {
		case sqlstore.DoubleColumn:
			typ = "DOUBLE"
		case sqlstore.BoolColumn:
			typ = "BOOLEAN"
		case sqlstore.EdgesColumn:
			typ = "ARRAY<DOUBLE>"
		}
		fields[i] = quoteIdent(c.Name) + ": " + typ
	}
	return fmt.Sprintf("SELECT inline(from_json(%s, '%s'))", param, "ARRAY<STRUCT<"+strings.Join(fields, ", ")+">>")
}

// EpochMicros renders `unix_micros(CAST(x AS TIMESTAMP))`; a TIMESTAMP_NTZ or DATE column is read in the
// session's time zone, which the runner sets to UTC.
func (Dialect) EpochMicros(ts string) string { return "unix_micros(CAST(" + ts + " AS TIMESTAMP))" }

// WindowIndex renders `CAST(floor((unix_micros(CAST(ts AS TIMESTAMP)) - :p1) / :p2) AS BIGINT)` (a BIGINT origin,
// a DOUBLE width: the division is in doubles).
func (d Dialect) WindowIndex(ts, origin, width string) string {
	return fmt.Sprintf("CAST(floor((%s - %s) / %s) AS BIGINT)", d.EpochMicros(ts), origin, width)
}

// TimeBound renders `CAST(:p1 AS TIMESTAMP_NTZ)` for a naive column and `CAST(:p1 AS TIMESTAMP)` for a zoned one
// (Spark's TIMESTAMP is an instant; the bound text is then RFC 3339 with its offset).
func (Dialect) TimeBound(param string, zoned bool) string {
	if zoned {
		return "CAST(" + param + " AS TIMESTAMP)"
	}
	return "CAST(" + param + " AS TIMESTAMP_NTZ)"
}

// Unpivot renders a derived table with one row per input row and column through stack:
// `(SELECT src.`+"`m`"+`, src.`+"`w`"+`, u.`+"`feature`"+`, u.`+"`v`"+` FROM src LATERAL VIEW stack(2, 'age', src.`+"`c1`"+`,
// 'tenure', src.`+"`c2`"+`) u AS `+"`feature`"+`, `+"`v`"+` WHERE u.`+"`v`"+` IS NOT NULL) AS unpivoted`
// (the WHERE only without includeNulls).
func (d Dialect) Unpivot(from string, keepCols []string, cols []sqlstore.UnpivotColumn, nameCol, valueCol string, includeNulls bool) string {
	sel := make([]string, 0, len(keepCols)+2)
	for _, k := range keepCols {
		sel = append(sel, "src."+d.Quote(k))
	}
	sel = append(sel, "u."+d.Quote(nameCol), "u."+d.Quote(valueCol))
	pairs := make([]string, len(cols))
	for i, c := range cols {
		pairs[i] = stringLiteral(c.Name) + ", src." + d.Quote(c.Col)
	}
	where := ""
	if !includeNulls {
		where = " WHERE u." + d.Quote(valueCol) + " IS NOT NULL"
	}
	return fmt.Sprintf("(SELECT %s FROM %s AS src LATERAL VIEW stack(%d, %s) u AS %s, %s%s) AS unpivoted",
		strings.Join(sel, ", "), from, len(cols), strings.Join(pairs, ", "), d.Quote(nameCol), d.Quote(valueCol), where)
}

// stringLiteral renders a validated name (letters, digits, _) as a string literal; quotes and backslashes, which
// Spark's string literals treat specially, are escaped all the same.
func stringLiteral(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// EdgeSlots is the smallest 2^d − 1 >= maxEdges, so that BinIndex's tree is balanced.
func (Dialect) EdgeSlots(maxEdges int) int { return sqlstore.BalancedSlots(maxEdges) }

// BinIndex renders a balanced tree of CASEs over `e[i]` (0-based, Spark's subscript), log2(slots+1) comparisons
// a row: for slots 3, `CASE WHEN v >= e[1] THEN CASE WHEN v >= e[2] THEN 3 ELSE 2 END ELSE CASE WHEN v >= e[0]
// THEN 1 ELSE 0 END END`. Spark's width_bucket is equal-width only, and a scan of the array (size(filter(…)))
// costs slots comparisons a row.
func (Dialect) BinIndex(v, edges string, slots int) string {
	return sqlstore.BinarySearch(v, func(i int) string { return edges + "[" + strconv.Itoa(i-1) + "]" }, slots)
}

// SortedValues renders `array_sort(collect_list(v) FILTER (WHERE cond))`: every value of the group, sorted,
// exact (the same order statistics as DuckDB and PostgreSQL).
func (Dialect) SortedValues(v, cond string) string {
	return "array_sort(collect_list(" + v + ") FILTER (WHERE " + cond + "))"
}

// OrderStatistics renders s[⌊p·(n − 1)⌋] (0-based; next: one further, capped at n − 1) for every probability p
// of probs, NULL for an empty or NULL array:
// `CASE WHEN size(s) > 0 THEN transform(CAST(:p1 AS ARRAY<DOUBLE>), p -> s[CAST(floor(p * (size(s) - 1)) AS INT)]) END`.
func (Dialect) OrderStatistics(sorted, probs string, next bool) string {
	k := fmt.Sprintf("CAST(floor(p * (size(%s) - 1)) AS INT)", sorted)
	if next {
		k = fmt.Sprintf("least(%s + 1, size(%s) - 1)", k, sorted)
	}
	return fmt.Sprintf("CASE WHEN size(%s) > 0 THEN transform(CAST(%s AS ARRAY<DOUBLE>), p -> %s[%s]) END", sorted, probs, sorted, k)
}

// ExactQuantileLimit is ExactQuantileMaxValues and the rank error of percentile_approx at QuantileAccuracy:
// "1.0/accuracy is the relative error of the approximation"
// (https://spark.apache.org/docs/latest/api/sql/index.html#percentile_approx), i.e. each quantile's rank is within
// n/accuracy of the exact one for n values.
func (d Dialect) ExactQuantileLimit() (int64, float64) {
	if d.ExactQuantileMaxValues <= 0 || d.QuantileAccuracy <= 0 {
		return 0, 0
	}
	return d.ExactQuantileMaxValues, 1 / float64(d.QuantileAccuracy)
}

// ApproxQuantiles renders `percentile_approx(v, CAST(:p1 AS ARRAY<DOUBLE>), 10000) FILTER (WHERE cond)`: a
// Greenwald–Khanna sketch per partition, merged (no sort, no shuffle of the values), whose results are values of
// v. The accuracy is a validated integer, rendered as a literal (Spark needs a constant).
func (d Dialect) ApproxQuantiles(v, cond, probs string) string {
	return fmt.Sprintf("percentile_approx(%s, CAST(%s AS ARRAY<DOUBLE>), %d) FILTER (WHERE %s)", v, probs, d.QuantileAccuracy, cond)
}

// QuantileAgg renders `percentile(v, array(0.5, 0.9))`: Spark's exact percentile interpolates linearly between
// the order statistics, as numpy's default does.
func (Dialect) QuantileAgg(v string, probs []float64) string {
	ps := make([]string, len(probs))
	for i, p := range probs {
		ps[i] = "CAST(" + strconv.FormatFloat(p, 'g', -1, 64) + " AS DOUBLE)"
	}
	return fmt.Sprintf("percentile(%s, array(%s))", v, strings.Join(ps, ", "))
}

// LatestBy renders `max_by(value, order)` (rows whose order is NULL are ignored).
func (Dialect) LatestBy(value, order string) string { return "max_by(" + value + ", " + order + ")" }

// TopN renders a ranked derived table (Spark has no QUALIFY):
// `SELECT a, b FROM (SELECT x AS a, y AS b, row_number() OVER (PARTITION BY … ORDER BY …) AS topn_rank FROM …)
// AS ranked WHERE (keep) OR topn_rank <= :p1`.
func (Dialect) TopN(q sqlstore.TopN) string { return sqlstore.RankedTopN(q, q.Limit) }

// FeatureType types a column from Spark's type name as DESCRIBE prints it (upper-cased): the integer types,
// FLOAT, DOUBLE and DECIMAL(p,s) are numeric; STRING, VARCHAR(n), CHAR(n) and BOOLEAN categorical.
func (Dialect) FeatureType(catalogType string) (store.FeatureType, bool) {
	t := strings.ToUpper(strings.TrimSpace(catalogType))
	base, _, _ := strings.Cut(t, "(")
	switch base {
	case "TINYINT", "BYTE", "SMALLINT", "SHORT", "INT", "INTEGER", "BIGINT", "LONG", "FLOAT", "REAL", "DOUBLE", "DECIMAL", "DEC", "NUMERIC":
		return store.Numeric, true
	case "STRING", "VARCHAR", "CHAR", "BOOLEAN":
		return store.Categorical, true
	}
	return "", false
}

// TimeType: TIMESTAMP (Spark's instant, TIMESTAMP_LTZ) is zoned; TIMESTAMP_NTZ and DATE are naive.
func (Dialect) TimeType(catalogType string) (ok, zoned bool) {
	switch strings.ToUpper(strings.TrimSpace(catalogType)) {
	case "TIMESTAMP", "TIMESTAMP_LTZ":
		return true, true
	case "TIMESTAMP_NTZ", "DATE":
		return true, false
	}
	return false, false
}

// MapValueType: MAP<STRING,T> is a feature map whose values are typed as FeatureType types T.
func (d Dialect) MapValueType(catalogType string) (store.FeatureType, bool) {
	t := strings.ReplaceAll(strings.ToUpper(catalogType), " ", "")
	if !strings.HasPrefix(t, "MAP<STRING,") || !strings.HasSuffix(t, ">") {
		return "", false
	}
	return d.FeatureType(strings.TrimSuffix(strings.TrimPrefix(t, "MAP<STRING,"), ">"))
}

// MapTypes: `MAP<STRING, a number or text type>`.
func (Dialect) MapTypes() string { return "MAP<STRING, a number or text type>" }

// MapEntries renders one row per map entry (a NULL or empty map gives none); from is a CTE name or an aliased
// subquery, so its columns are named unqualified:
// `SELECT `+"`m`"+`, `+"`w`"+`, `+"`k`"+`, `+"`val`"+` FROM mm_src LATERAL VIEW explode(`+"`fm`"+`) mm_entries AS `+"`k`"+`, `+"`val`"+“.
func (d Dialect) MapEntries(from string, keepCols []string, mapCol, keyCol, valueCol string) string {
	sel := make([]string, 0, len(keepCols)+2)
	for _, k := range keepCols {
		sel = append(sel, d.Quote(k))
	}
	sel = append(sel, d.Quote(keyCol), d.Quote(valueCol))
	return fmt.Sprintf("SELECT %s FROM %s LATERAL VIEW explode(%s) mm_entries AS %s, %s",
		strings.Join(sel, ", "), from, d.Quote(mapCol), d.Quote(keyCol), d.Quote(valueCol))
}
