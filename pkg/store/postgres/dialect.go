package postgres

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Dialect renders the store's SQL fragments for PostgreSQL 15 with the server's own tools: width_bucket over a
// thresholds array for bin lookup, percentile_cont and sorted arrays for quantiles, FILTER for conditional
// aggregates, jsonb_to_recordset for relations from one bound parameter, LATERAL VALUES for unpivots and
// jsonb_each_text for a JSONB feature column. Each method's comment shows what it renders.
type Dialect struct{}

var _ sqlstore.MapDialect = Dialect{} // and so a sqlstore.Dialect

// Name is "PostgreSQL".
func (Dialect) Name() string { return "PostgreSQL" }

// Placeholder renders `$n`.
func (Dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// Quote renders `"ts"`, `"a""b"`.
func (Dialect) Quote(ident string) string { return quoteIdent(ident) }

// Text renders `CAST(x AS text)`.
func (Dialect) Text(expr string) string { return "CAST(" + expr + " AS text)" }

// Double renders `CAST(x AS double precision)`.
func (Dialect) Double(expr string) string { return "CAST(" + expr + " AS double precision)" }

// numberPattern matches the text PostgreSQL's float8 input accepts as a number (float8in: decimal or exponent
// notation, NaN, Infinity/inf with a sign, surrounding blanks), case-insensitively.
const numberPattern = `^\s*[+-]?([0-9]+\.?[0-9]*([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?|infinity|inf|nan)\s*$`

// numericTypes are the types whose text PostgreSQL's float8 input always reads (digits, NaN, ±Infinity), so
// TryDouble need not match it against numberPattern.
const numericTypes = `'{double precision,real,integer,bigint,smallint,numeric}'::regtype[]`

// TryDouble renders a cast that gives NULL where the text is not a number (PostgreSQL 15 has no TRY_CAST and
// no pg_input_is_valid, so text is matched against numberPattern first). A value of a numeric type skips the
// match: pg_typeof is the expression's declared type, and the text of a number is always a number; both
// branches compile for any type (a boolean or text column takes the second):
// `CASE WHEN pg_typeof(x) = ANY('{double precision,…,numeric}'::regtype[]) THEN CAST(CAST(x AS text) AS double
// precision) WHEN CAST(x AS text) ~* '<numberPattern>' THEN CAST(CAST(x AS text) AS double precision) END`.
// The match was two thirds of the fleet performance statement's server CPU on the 1 M benchmark store (15.0 s;
// 9.2 s with the numeric branch, 5.0 s with plain casts: README "PostgreSQL beside DuckDB").
func (d Dialect) TryDouble(expr string) string {
	t := d.Text(expr)
	return fmt.Sprintf("CASE WHEN pg_typeof(%s) = ANY(%s) THEN CAST(%s AS double precision) WHEN %s ~* '%s' THEN CAST(%s AS double precision) END",
		expr, numericTypes, t, t, numberPattern, t)
}

// IsFinite renders `(x > '-Infinity'::float8 AND x < 'Infinity'::float8)`: PostgreSQL 15 has isfinite only for
// dates and times, and orders NaN above +Infinity, so NaN and ±Inf are false and NULL stays NULL.
func (Dialect) IsFinite(expr string) string {
	return fmt.Sprintf("(%s > '-Infinity'::float8 AND %s < 'Infinity'::float8)", expr, expr)
}

// Filtered renders `count(*) FILTER (WHERE cond)`.
func (Dialect) Filtered(agg, cond string) string { return agg + " FILTER (WHERE " + cond + ")" }

// GroupBy renders `GROUP BY 1, 2, 3` (PostgreSQL 15 has no GROUP BY ALL).
func (Dialect) GroupBy(keys int) string { return sqlstore.OrdinalGroupBy(keys) }

// Relation renders `SELECT * FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS r("m" text, "e" double precision[])`.
// A JSON array becomes a PostgreSQL array of the column type.
func (d Dialect) Relation(param string, cols []sqlstore.Column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		typ := "text"
		switch c.Type {
		case sqlstore.DoubleColumn:
			typ = "double precision"
		case sqlstore.BoolColumn:
			typ = "boolean"
		case sqlstore.EdgesColumn:
			typ = "double precision[]" // PostgreSQL arrays carry no fixed length
		}
		defs[i] = d.Quote(c.Name) + " " + typ
	}
	return fmt.Sprintf("SELECT * FROM jsonb_to_recordset(CAST(%s AS jsonb)) AS r(%s)", param, strings.Join(defs, ", "))
}

// EpochMicros renders `CAST(extract(epoch FROM x) * 1000000 AS bigint)`: extract returns an exact numeric, and
// reads a timestamp without time zone as UTC wall-clock time.
func (Dialect) EpochMicros(ts string) string {
	return "CAST(extract(epoch FROM " + ts + ") * 1000000 AS bigint)"
}

// WindowIndex renders `CAST(floor((<EpochMicros(ts)> - CAST($1 AS bigint)) / CAST($2 AS double precision)) AS
// bigint)`; the casts fix the parameter types, which PostgreSQL would otherwise infer as bigint for both (and
// divide as integers).
func (d Dialect) WindowIndex(ts, origin, width string) string {
	return fmt.Sprintf("CAST(floor((%s - CAST(%s AS bigint)) / CAST(%s AS double precision)) AS bigint)", d.EpochMicros(ts), origin, width)
}

// TimeBound renders `CAST(CAST($1 AS text) AS timestamp)`, or `… AS timestamptz)` for a zoned column: the text
// is parsed by the server into the column's own type, so the comparison uses the column as it is (and its
// indexes).
func (Dialect) TimeBound(param string, zoned bool) string {
	typ := "timestamp"
	if zoned {
		typ = "timestamptz"
	}
	return "CAST(CAST(" + param + " AS text) AS " + typ + ")"
}

// Unpivot renders a derived table with one row per input row and column:
// `(SELECT src."m", src."w", u."feature", u."v" FROM src CROSS JOIN LATERAL (VALUES ('age', src."c1"),
// ('tenure', src."c2")) AS u("feature", "v") WHERE u."v" IS NOT NULL) AS unpivoted`
// (the WHERE only without includeNulls). The names are rendered as string literals with quotes doubled.
func (d Dialect) Unpivot(from string, keepCols []string, cols []sqlstore.UnpivotColumn, nameCol, valueCol string, includeNulls bool) string {
	sel := make([]string, 0, len(keepCols)+2)
	for _, k := range keepCols {
		sel = append(sel, "src."+d.Quote(k))
	}
	sel = append(sel, "u."+d.Quote(nameCol), "u."+d.Quote(valueCol))
	values := make([]string, len(cols))
	for i, c := range cols {
		values[i] = fmt.Sprintf("(%s, src.%s)", literal(c.Name), d.Quote(c.Col))
	}
	where := ""
	if !includeNulls {
		where = " WHERE u." + d.Quote(valueCol) + " IS NOT NULL"
	}
	return fmt.Sprintf("(SELECT %s FROM %s AS src CROSS JOIN LATERAL (VALUES %s) AS u(%s, %s)%s) AS unpivoted",
		strings.Join(sel, ", "), from, strings.Join(values, ", "), d.Quote(nameCol), d.Quote(valueCol), where)
}

// EdgeSlots is maxEdges: width_bucket needs no padding to a balanced size.
func (Dialect) EdgeSlots(maxEdges int) int { return maxEdges }

// BinIndex renders `width_bucket(v, e)`: the number of thresholds of the sorted array e that are <= v (0 below
// the first, the array's length from the last), PostgreSQL's own bucket search.
func (Dialect) BinIndex(v, edges string, _ int) string {
	return "width_bucket(" + v + ", " + edges + ")"
}

// SortedValues renders `array_agg(v ORDER BY v) FILTER (WHERE cond)`.
func (Dialect) SortedValues(v, cond string) string {
	return "array_agg(" + v + " ORDER BY " + v + ") FILTER (WHERE " + cond + ")"
}

// OrderStatistics renders, for every bound probability p in order, the order statistic numpy's linear quantile
// interpolates from: s[1 + ⌊p·(n − 1)⌋] of the sorted array s (1-based), or with next the one after it, capped at
// s[n]; NULL when s is NULL or empty:
// `(SELECT array_agg((s)[k] ORDER BY q.i) FROM unnest(CAST($1 AS double precision[])) WITH ORDINALITY AS q(p, i)
// WHERE cardinality((s)) > 0)`, k = `1 + CAST(floor(q.p * (cardinality((s)) - 1)) AS integer)`.
func (Dialect) OrderStatistics(sorted, probs string, next bool) string {
	s := "(" + sorted + ")"
	k := fmt.Sprintf("1 + CAST(floor(q.p * (cardinality(%s) - 1)) AS integer)", s)
	if next {
		k = fmt.Sprintf("least(%s + 1, cardinality(%s))", k, s)
	}
	return fmt.Sprintf("(SELECT array_agg(%s[%s] ORDER BY q.i) FROM unnest(CAST(%s AS double precision[])) WITH ORDINALITY AS q(p, i) "+
		"WHERE cardinality(%s) > 0)", s, k, probs, s)
}

// QuantileAgg renders `percentile_cont(ARRAY[0.5, 0.9]::double precision[]) WITHIN GROUP (ORDER BY v)`:
// PostgreSQL's continuous percentile is numpy's linear interpolation.
func (Dialect) QuantileAgg(v string, probs []float64) string {
	ps := make([]string, len(probs))
	for i, p := range probs {
		ps[i] = strconv.FormatFloat(p, 'g', -1, 64)
	}
	return fmt.Sprintf("percentile_cont(ARRAY[%s]::double precision[]) WITHIN GROUP (ORDER BY %s)", strings.Join(ps, ", "), v)
}

// LatestBy renders `(array_agg(value ORDER BY order DESC) FILTER (WHERE order IS NOT NULL))[1]`: the value of
// the row with the largest non-NULL order (PostgreSQL has no arg_max).
func (Dialect) LatestBy(value, order string) string {
	return fmt.Sprintf("(array_agg(%s ORDER BY %s DESC) FILTER (WHERE %s IS NOT NULL))[1]", value, order, order)
}

// TopN renders a ranked derived table (PostgreSQL has no QUALIFY):
// `SELECT a, b FROM (SELECT x AS a, y AS b, row_number() OVER (PARTITION BY … ORDER BY …) AS topn_rank FROM …)
// AS ranked WHERE (keep) OR topn_rank <= CAST($1 AS bigint)`.
func (Dialect) TopN(q sqlstore.TopN) string {
	return sqlstore.RankedTopN(q, "CAST("+q.Limit+" AS bigint)")
}

// FeatureType types a column from its catalogue type as Runner.Columns formats it: integer, floating-point and
// numeric types are numeric; text, character types, boolean and enums (USER-DEFINED) categorical.
func (Dialect) FeatureType(t string) (store.FeatureType, bool) {
	t = strings.ToUpper(t)
	base, _, _ := strings.Cut(t, "(")
	switch strings.TrimSpace(base) {
	case "DOUBLE PRECISION", "REAL", "SMALLINT", "INTEGER", "BIGINT", "NUMERIC":
		return store.Numeric, true
	case "TEXT", "CHARACTER VARYING", "CHARACTER", "BOOLEAN", "\"CHAR\"", "NAME", "CITEXT":
		return store.Categorical, true
	}
	return "", false
}

// TimeType accepts timestamp, timestamptz (zoned) and date columns, with or without a precision.
func (Dialect) TimeType(t string) (ok, zoned bool) {
	t = strings.ToUpper(t)
	switch {
	case strings.HasPrefix(t, "TIMESTAMP") && strings.HasSuffix(t, "WITH TIME ZONE"):
		return true, true
	case strings.HasPrefix(t, "TIMESTAMP"), t == "DATE":
		return true, false
	}
	return false, false
}

// MapValueType accepts a JSONB (or JSON) column: one key per feature, values read as text, so features are
// categorical unless the registry says numeric (then a value that is not a number is a type error).
func (Dialect) MapValueType(t string) (store.FeatureType, bool) {
	switch strings.ToUpper(t) {
	case "JSONB", "JSON":
		return store.Categorical, true
	}
	return "", false
}

// MapTypes: `JSONB or JSON (one object per row, a key per feature)`.
func (Dialect) MapTypes() string { return "JSONB or JSON (one object per row, a key per feature)" }

// MapEntries renders one row per key of a JSON object column, values as text (JSON null → NULL; a row whose
// column is not an object has no entries). from is a CTE name or an aliased subquery, so its columns are named
// unqualified:
// `SELECT "m", "w", e.key AS "k", e.value AS "val" FROM mm_src CROSS JOIN LATERAL
// jsonb_each_text(CASE WHEN jsonb_typeof(CAST("fm" AS jsonb)) = 'object' THEN CAST("fm" AS jsonb) END) AS e`.
func (d Dialect) MapEntries(from string, keepCols []string, mapCol, keyCol, valueCol string) string {
	sel := make([]string, 0, len(keepCols)+2)
	for _, k := range keepCols {
		sel = append(sel, d.Quote(k))
	}
	obj := "CAST(" + d.Quote(mapCol) + " AS jsonb)"
	sel = append(sel, "e.key AS "+d.Quote(keyCol), "e.value AS "+d.Quote(valueCol))
	return fmt.Sprintf("SELECT %s FROM %s CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(%s) = 'object' THEN %s END) AS e",
		strings.Join(sel, ", "), from, obj, obj)
}

// literal renders a string literal with quotes doubled (standard_conforming_strings is on since PostgreSQL 9.1).
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
