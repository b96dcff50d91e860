package spark_test

import (
	"database/sql"
	"math"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store/spark"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

var d = spark.Dialect{}

// queryFloats runs q and returns its one DOUBLE column (nil for NULL).
func queryFloats(t *testing.T, r *spark.Runner, q string, args ...any) []*float64 {
	t.Helper()
	rows, err := r.Query(ctx, q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	var out []*float64
	for rows.Next() {
		var v sql.NullFloat64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v.Valid {
			out = append(out, &v.Float64)
		} else {
			out = append(out, nil)
		}
	}
	return out
}

// sameFloats compares within 1e-15 relative, NaN equal to NaN, NULL (nil) to NULL.
func sameFloats(got []*float64, want []any) bool {
	if len(got) != len(want) {
		return false
	}
	for i, w := range want {
		if w == nil || got[i] == nil {
			if w != nil || got[i] != nil {
				return false
			}
			continue
		}
		g, x := *got[i], w.(float64)
		if math.IsNaN(x) != math.IsNaN(g) || (!math.IsNaN(x) && g != x && math.Abs(g-x) > 1e-15*math.Abs(x)) {
			return false
		}
	}
	return true
}

func deref(v []*float64) []any {
	out := make([]any, len(v))
	for i, p := range v {
		if p != nil {
			out[i] = *p
		}
	}
	return out
}

// The dialect's fragments compute on a real Spark what their contracts say; expected values by hand.
func TestDialectOnServer(t *testing.T) {
	r := testRunner(t, "")
	nan := math.NaN()
	check := func(name, q string, want []any, args ...any) {
		t.Helper()
		if got := queryFloats(t, r, q, args...); !sameFloats(got, want) {
			t.Errorf("%s: %v, want %v", name, deref(got), want)
		}
	}
	vals := func(list string) string {
		return "FROM (SELECT posexplode(array(" + list + ")) AS (i, v)) ORDER BY i"
	}
	check("IsFinite", "SELECT CAST(CAST("+d.IsFinite("v")+" AS INT) AS DOUBLE) "+
		vals("1D, CAST('NaN' AS DOUBLE), CAST('Infinity' AS DOUBLE), CAST('-Infinity' AS DOUBLE), CAST(NULL AS DOUBLE)"),
		[]any{1.0, 0.0, 0.0, 0.0, nil})
	check("TryDouble", "SELECT "+d.TryDouble("v")+" "+vals("'1.5', 'abc', '-2e3', 'NaN', '', CAST(NULL AS STRING), '1.2.3'"),
		[]any{1.5, nil, -2000.0, nan, nil, nil, nil})
	// Sorted values 1, 2, 3, 4, 10; at p = 0, 0.1, 0.5, 0.9, 1 the order statistic ⌊p·4⌋ (0-based) and the one
	// after it; numpy's linear quantiles of the same values are 1, 1.4, 3, 7.6, 10.
	probs := []float64{0, 0.1, 0.5, 0.9, 1}
	sorted := "(SELECT " + d.SortedValues("v", "v IS NOT NULL") + " AS s FROM (SELECT explode(array(10D, 3D, 1D, 4D, 2D, NULL)) AS v))"
	for next, want := range map[bool][]any{false: {1.0, 1.0, 3.0, 4.0, 10.0}, true: {2.0, 2.0, 4.0, 10.0, 10.0}} {
		check("OrderStatistics", "SELECT explode("+d.OrderStatistics("s", ":p1", next)+") FROM "+sorted, want, probs)
	}
	check("OrderStatistics of nothing", "SELECT element_at("+d.OrderStatistics("s", ":p1", false)+", 1) FROM (SELECT "+
		d.SortedValues("v", "v > 100")+" AS s FROM (SELECT explode(array(1D)) AS v))", []any{nil}, []float64{0.5})
	check("QuantileAgg", "SELECT explode("+d.QuantileAgg("v", probs)+") FROM (SELECT explode(array(10D, 3D, 1D, 4D, 2D)) AS v)",
		[]any{1.0, 1.4, 3.0, 7.6, 10.0})
	// Edges 1, 2, 3 (3 slots, a balanced tree): how many are <= v.
	if n := d.EdgeSlots(3); n != 3 || d.EdgeSlots(4) != 7 {
		t.Fatalf("EdgeSlots(3) = %d, EdgeSlots(4) = %d", n, d.EdgeSlots(4))
	}
	check("BinIndex", "SELECT CAST("+d.BinIndex("v", "e", 3)+" AS DOUBLE) FROM (SELECT posexplode(array(0.5D, 1D, 2.5D, 3D, 100D)) AS (i, v), array(1D, 2D, 3D) AS e) ORDER BY i",
		[]any{0.0, 1.0, 2.0, 3.0, 3.0})
	// Daily windows from 2026-01-01 00:00 UTC: 00:00 and 06:00 that day are window 0, 2025-12-31 23:00 is −1,
	// for a naive and for a zoned column alike (the session is UTC).
	origin, day := int64(1767225600000000), float64(86400e6)
	for _, typ := range []string{"TIMESTAMP_NTZ", "TIMESTAMP"} {
		check("WindowIndex "+typ, "SELECT CAST("+d.WindowIndex("ts", ":p1", ":p2")+" AS DOUBLE) FROM (SELECT posexplode(array('2026-01-01 00:00:00', '2026-01-01 06:00:00', '2025-12-31 23:00:00')) AS (i, t)) "+
			"LATERAL VIEW explode(array(CAST(t AS "+typ+"))) x AS ts ORDER BY i", []any{0.0, 0.0, -1.0}, origin, day)
	}
	check("TimeBound naive", "SELECT CAST(count(*) AS DOUBLE) FROM (SELECT explode(array(TIMESTAMP_NTZ'2026-01-01 00:00:00', TIMESTAMP_NTZ'2026-01-01 23:59:59.999999', TIMESTAMP_NTZ'2026-01-02 00:00:00')) AS ts) "+
		"WHERE ts >= "+d.TimeBound(":p1", false)+" AND ts < "+d.TimeBound(":p2", false), []any{2.0}, "2026-01-01 00:00:00", "2026-01-02 00:00:00")
	check("TimeBound zoned", "SELECT CAST(count(*) AS DOUBLE) FROM (SELECT explode(array(TIMESTAMP'2026-01-01 00:00:00', TIMESTAMP'2026-01-02 00:00:00')) AS ts) "+
		"WHERE ts >= "+d.TimeBound(":p1", true)+" AND ts < "+d.TimeBound(":p2", true), []any{1.0}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")

	// A relation from one bound JSON value: one row per element, NULLs kept, the largest double exact.
	storetest.CheckRelation(t, r, d)
}
