// Package sqlstore implements store.Store once for every SQL engine: it writes the shape of each aggregate
// statement (reference profile, binned counts, data-quality counts, performance counts, score histograms,
// catalogue look-ups) and leaves to a Dialect the few fragments whose syntax differs between engines (DuckDB,
// PostgreSQL 15, Spark SQL 4) and to a Runner how a statement is executed and its rows come back.
//
// An engine adapter is therefore a Dialect (pure string rendering, pinned by string tests), a Runner and an Open
// function; it never copies a statement.
package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Dialect renders the SQL fragments that differ between engines. Every method is pure: it returns SQL text
// built from its arguments, which are SQL expressions or placeholders the caller already rendered (never
// values). Identifiers reaching a Dialect have passed settings.ValidIdentifier or come from the discovered schema.
//
// The doc comment of each method shows what the DuckDB dialect renders; the other dialects render the same
// meaning in their own syntax.
type Dialect interface {
	// Name is the engine's name for error messages, e.g. "DuckDB".
	Name() string

	// Placeholder renders the n-th bound parameter of a statement, n counted from 1 in the order the builder
	// binds them: DuckDB `?` (the builder binds in text order, so positional markers line up), PostgreSQL `$n`.
	Placeholder(n int) string
	// Quote renders an identifier quoted, doubling embedded quotes: `"ts"`, `"a""b"`.
	Quote(ident string) string

	// Text casts an expression to the engine's string type: `CAST(x AS VARCHAR)`.
	Text(expr string) string
	// Double casts an expression to a 64-bit float: `CAST(x AS DOUBLE)`.
	Double(expr string) string
	// TryDouble casts to a 64-bit float, NULL where the value is not a number: `TRY_CAST(x AS DOUBLE)`.
	TryDouble(expr string) string
	// IsFinite is true for a finite double, false for NaN and ±Inf, NULL for NULL: `isfinite(x)`.
	IsFinite(expr string) string
	// Filtered restricts an aggregate to the rows where cond holds: `count(*) FILTER (WHERE cond)`.
	Filtered(agg, cond string) string
	// GroupBy groups a SELECT by its first keys output columns (the statements list their keys first):
	// `GROUP BY ALL` (DuckDB, Spark ≥ 3.4); PostgreSQL `GROUP BY 1, 2, 3`.
	GroupBy(keys int) string

	// Relation renders a query whose rows come from one bound parameter (placeholder param) holding a JSON array
	// of objects with the keys of cols, e.g. `[{"m":"churn","f":"age"}]`, one output column per key:
	// `SELECT unnest(from_json(?::JSON, '[{"m":"VARCHAR","f":"VARCHAR"}]'), recursive := true)`.
	Relation(param string, cols []Column) string

	// WindowIndex renders the window index of a timestamp column, floor((µs since epoch − origin) / width) as a
	// 64-bit integer; origin is the placeholder of an int64 (µs since the Unix epoch), width of a float64 (µs):
	// `CAST(floor((epoch_us("ts") - ?) / ?) AS BIGINT)`.
	WindowIndex(ts, origin, width string) string
	// EpochMicros renders a timestamp as microseconds since the Unix epoch (UTC): `epoch_us(x)`.
	EpochMicros(ts string) string
	// TimeBound renders a time bound bound as text (placeholder param) and cast to the column's own type, so the
	// comparison needs no cast of the column (which would defeat row-group skipping): `CAST(? AS TIMESTAMP)`,
	// or `CAST(? AS TIMESTAMPTZ)` when zoned. The text is `2006-01-02 15:04:05.999999` (UTC wall clock) for a
	// naive column and RFC 3339 for a zoned one.
	TimeBound(param string, zoned bool) string

	// Unpivot renders a FROM item turning the columns of from into rows (keepCols, nameCol, valueCol): one row
	// per input row and column, nameCol the column's Name as text, valueCol its value. Without includeNulls the
	// rows whose value is NULL are left out:
	// `src UNPIVOT INCLUDE NULLS (v FOR feature IN ("c1" AS 'age', "c2" AS 'tenure'))`.
	Unpivot(from string, keepCols []string, cols []UnpivotColumn, nameCol, valueCol string, includeNulls bool) string

	// EdgeSlots is the length every per-feature edge array is padded to (with math.MaxFloat64, which no finite
	// value but itself reaches) when the longest has maxEdges edges. DuckDB pads to the next 2^d − 1 so BinIndex
	// is a balanced tree of comparisons; an engine with a bucket function returns maxEdges.
	EdgeSlots(maxEdges int) int
	// BinIndex renders how many of the edges[1..slots] (a sorted double array expression) are <= v: 0 below the
	// first edge, slots from the last. DuckDB: a balanced CASE tree over `e[i]`, log2(slots) comparisons a row;
	// PostgreSQL: `width_bucket(v, e)`.
	BinIndex(v, edges string, slots int) string

	// SortedValues renders an aggregate collecting the values where cond holds, sorted ascending, for Quantiles:
	// `list_sort(list(v) FILTER (WHERE cond))`.
	SortedValues(v, cond string) string
	// OrderStatistics renders, from a SortedValues result s of n values, the list of the order statistics
	// numpy's linear quantile at each probability p of placeholder probs (a bound []float64) interpolates from:
	// s[⌊p·(n−1)⌋] (0-based), or with next the one after it, s[min(⌊p·(n−1)⌋ + 1, n − 1)]; NULL when there is no
	// value. DuckDB: `CASE WHEN len(s) > 0 THEN list_transform(CAST(? AS DOUBLE[]), p -> s[1 + floor(p * (len(s) - 1))::BIGINT]) END`.
	OrderStatistics(sorted, probs string, next bool) string
	// QuantileAgg renders an aggregate of the numpy-linear quantiles of v at fixed probabilities, as a list:
	// `quantile_cont(v, [0.5, 0.9])`.
	QuantileAgg(v string, probs []float64) string

	// LatestBy renders an aggregate giving value on the row with the largest order: `arg_max(value, order)`.
	LatestBy(value, order string) string
	// TopN renders a query keeping, per partition, the first q.Limit rows by q.OrderBy and every row where
	// q.Keep holds: DuckDB `SELECT … FROM … QUALIFY keep OR row_number() OVER (PARTITION BY … ORDER BY …) <= ?`.
	TopN(q TopN) string

	// FeatureType says how a column of this catalogue type is binned; ok is false for types that are not
	// features (timestamps, nested types).
	FeatureType(catalogType string) (t store.FeatureType, ok bool)
	// TimeType says whether a column of this catalogue type is a timestamp (or date) usable as the time column,
	// and whether it holds absolute instants (TIMESTAMP WITH TIME ZONE).
	TimeType(catalogType string) (ok, zoned bool)
}

// MapDialect is implemented by dialects that can read features from one MAP (DuckDB) or JSON object
// (PostgreSQL jsonb) column, one key per feature.
type MapDialect interface {
	Dialect
	// MapValueType says whether a column of this catalogue type is a feature map, and how its values are binned
	// (a text-valued map gives categorical features unless the registry says numeric).
	MapValueType(catalogType string) (t store.FeatureType, ok bool)
	// MapTypes names, for error messages, the catalogue types MapValueType accepts, in the engine's own terms:
	// `MAP(VARCHAR, a number or text type) (cast a JSON column to a MAP in a view)`.
	MapTypes() string
	// MapEntries renders a query with one row per entry of the map column mapCol of each row of from: the
	// keepCols, then keyCol (the key as text, exactly as stored) and valueCol (the value):
	// `SELECT m, w, e.key AS k, e.value AS val FROM (SELECT m, w, unnest(map_entries(fm)) AS e FROM src)`.
	MapEntries(from string, keepCols []string, mapCol, keyCol, valueCol string) string
}

// MaterializedDialect is implemented by dialects that can compute a CTE once for a statement that reads it twice
// (`name AS MATERIALIZED (…)`: DuckDB). Performance then reads its labelled relation — the scoped rows joined to
// the latest label of each prediction, a scan of the whole labels table — once for the per-window counts and the
// score buckets together (one statement, the buckets' rows told apart by a kind column), instead of once per
// statement. Other dialects run the two statements.
type MaterializedDialect interface {
	Dialect
	// Materialized is the keyword, with a trailing space: "MATERIALIZED ".
	Materialized() string
}

// ApproxQuantileDialect is implemented by dialects that take a large group's reference quantiles from a
// streaming sketch instead of sorting every value of the group (Spark, where SortedValues holds a group's values
// in one task). Profile then sorts only the groups with at most ExactQuantileLimit finite values and sketches
// the others, and says which in NumericProfile.QuantileRankError.
type ApproxQuantileDialect interface {
	Dialect
	// ExactQuantileLimit is the most finite values of a group whose quantiles are exact (0: always exact), and
	// the bound on the rank error of an approximate quantile, as a share of the group's values.
	ExactQuantileLimit() (maxValues int64, rankError float64)
	// ApproxQuantiles renders an aggregate of the approximate quantiles of v where cond holds at the
	// probabilities of placeholder probs (a bound []float64), each a value of v, as a list:
	// `percentile_approx(v, CAST(:p1 AS ARRAY<DOUBLE>), 10000) FILTER (WHERE cond)`.
	ApproxQuantiles(v, cond, probs string) string
}

// Column is one column of a Relation: its JSON key (also the output column name) and type.
type Column struct {
	Name string
	Type ColumnType
	// Slots is the array length of an EdgeArray column.
	Slots int
}

// ColumnType is the type of a Relation column.
type ColumnType int

const (
	TextColumn   ColumnType = iota // string
	DoubleColumn                   // 64-bit float (JSON number or null)
	BoolColumn                     // boolean
	EdgesColumn                    // array of Slots 64-bit floats (DuckDB: a DOUBLE[] list)
)

// UnpivotColumn is one column of an Unpivot: the column of the input (Col, an unquoted alias the builder
// chose) and the text its rows carry in the name column (Name, a feature name).
type UnpivotColumn struct {
	Col, Name string
}

// TopN is the query of Dialect.TopN. Select lists the output columns as `expr AS name`; Names their names in
// the same order (a dialect without QUALIFY selects them from a ranked subquery).
type TopN struct {
	Select      []string
	Names       []string
	From        string
	PartitionBy string
	OrderBy     string
	Keep        string // rows kept whatever their rank, e.g. `v IS NULL`
	Limit       string // placeholder of the bound int rank limit
}

// Runner runs statements for a Store: database/sql for DuckDB and PostgreSQL; Spark Connect adapts its
// DataFrames to Rows.
type Runner interface {
	// Query runs one statement with its bound values (string, bool, int, int64, float64, []float64) and returns
	// its rows. A cancelled or expired ctx stops the statement and is reported as such.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// Columns lists the columns of a table (lower-case name → upper-case catalogue type, as the Dialect's type
	// methods read it), nil when the table does not exist.
	Columns(ctx context.Context, table string) (map[string]string, error)
	// Ping checks that the engine answers.
	Ping(ctx context.Context) error
	// Close releases the engine's resources.
	Close() error
}

// Rows iterates a statement's result, as *sql.Rows does. Scan accepts *string, *int, *int64, *float64, *bool,
// *sql.NullString, *sql.NullFloat64 and *[]float64 (an array of doubles; NULL gives nil, NULL elements are left
// out).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// BalancedSlots is the smallest 2^d − 1 >= maxEdges: the edge count whose BinarySearch tree is balanced.
func BalancedSlots(maxEdges int) int {
	p := 1
	for p-1 < maxEdges {
		p *= 2
	}
	return p - 1
}

// BinarySearch renders a balanced tree of CASEs counting how many of the edges 1..slots are <= v, for a dialect
// without a bucket function: edge(i) renders the i-th edge (1-based), each row does log2(slots+1) comparisons.
// For slots 3: `CASE WHEN v >= e2 THEN CASE WHEN v >= e3 THEN 3 ELSE 2 END ELSE CASE WHEN v >= e1 THEN 1 ELSE 0
// END END`.
func BinarySearch(v string, edge func(i int) string, slots int) string {
	return binSearch(v, edge, 1, slots)
}

func binSearch(v string, edge func(int) string, lo, hi int) string {
	if lo > hi {
		return strconv.Itoa(lo - 1)
	}
	mid := (lo + hi) / 2
	return fmt.Sprintf("CASE WHEN %s >= %s THEN %s ELSE %s END", v, edge(mid), binSearch(v, edge, mid+1, hi), binSearch(v, edge, lo, mid-1))
}

// OrdinalGroupBy renders `GROUP BY 1, 2, 3` for a dialect whose GROUP BY takes output column ordinals; "" for
// no keys.
func OrdinalGroupBy(keys int) string {
	if keys <= 0 {
		return ""
	}
	n := make([]string, keys)
	for i := range n {
		n[i] = strconv.Itoa(i + 1)
	}
	return "GROUP BY " + strings.Join(n, ", ")
}

// RankedTopN renders TopN for a dialect without QUALIFY, as a ranked derived table; limit is the rank limit's
// SQL (q.Limit, or a cast of it):
// `SELECT a, b FROM (SELECT x AS a, y AS b, row_number() OVER (PARTITION BY … ORDER BY …) AS topn_rank FROM …)
// AS ranked WHERE (keep) OR topn_rank <= limit`.
func RankedTopN(q TopN, limit string) string {
	keep := ""
	if q.Keep != "" {
		keep = "(" + q.Keep + ") OR "
	}
	return fmt.Sprintf("SELECT %s FROM (SELECT %s, row_number() OVER (PARTITION BY %s ORDER BY %s) AS topn_rank FROM %s) AS ranked WHERE %stopn_rank <= %s",
		strings.Join(q.Names, ", "), strings.Join(q.Select, ", "), q.PartitionBy, q.OrderBy, q.From, keep, limit)
}
