package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

var d Dialect

// Every fragment renders exactly this SQL.
func TestDialectStrings(t *testing.T) {
	cases := []struct{ got, want string }{
		{d.Name(), "PostgreSQL"},
		{d.Placeholder(3), "$3"},
		{d.Quote(`a"b`), `"a""b"`},
		{d.Text("x"), "CAST(x AS text)"},
		{d.Double("x"), "CAST(x AS double precision)"},
		{d.TryDouble("x"), `CASE WHEN pg_typeof(x) = ANY('{double precision,real,integer,bigint,smallint,numeric}'::regtype[]) THEN CAST(CAST(x AS text) AS double precision) WHEN CAST(x AS text) ~* '^\s*[+-]?([0-9]+\.?[0-9]*([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?|infinity|inf|nan)\s*$' THEN CAST(CAST(x AS text) AS double precision) END`},
		{d.IsFinite("v"), `(v > '-Infinity'::float8 AND v < 'Infinity'::float8)`},
		{d.Filtered("count(*)", "v > 0"), "count(*) FILTER (WHERE v > 0)"},
		{d.GroupBy(3), "GROUP BY 1, 2, 3"},
		{d.GroupBy(0), ""},
		{d.Relation("$1", []sqlstore.Column{{Name: "m", Type: sqlstore.TextColumn}, {Name: "lo", Type: sqlstore.DoubleColumn},
			{Name: "top", Type: sqlstore.BoolColumn}, {Name: "e", Type: sqlstore.EdgesColumn, Slots: 9}}),
			`SELECT * FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS r("m" text, "lo" double precision, "top" boolean, "e" double precision[])`},
		{d.EpochMicros(`"ts"`), `CAST(extract(epoch FROM "ts") * 1000000 AS bigint)`},
		{d.WindowIndex(`"ts"`, "$1", "$2"), `CAST(floor((CAST(extract(epoch FROM "ts") * 1000000 AS bigint) - CAST($1 AS bigint)) / CAST($2 AS double precision)) AS bigint)`},
		{d.TimeBound("$4", false), "CAST(CAST($4 AS text) AS timestamp)"},
		{d.TimeBound("$4", true), "CAST(CAST($4 AS text) AS timestamptz)"},
		{d.Unpivot("src", []string{"m", "w"}, []sqlstore.UnpivotColumn{{Col: "c1", Name: "age"}, {Col: "c2", Name: "o'k"}}, "feature", "v", false),
			`(SELECT src."m", src."w", u."feature", u."v" FROM src AS src CROSS JOIN LATERAL (VALUES ('age', src."c1"), ('o''k', src."c2")) AS u("feature", "v") WHERE u."v" IS NOT NULL) AS unpivoted`},
		{d.Unpivot("src", []string{"m"}, []sqlstore.UnpivotColumn{{Col: "c1", Name: "age"}}, "feature", "v", true),
			`(SELECT src."m", u."feature", u."v" FROM src AS src CROSS JOIN LATERAL (VALUES ('age', src."c1")) AS u("feature", "v")) AS unpivoted`},
		{itoa(d.EdgeSlots(9)), "9"},
		{d.BinIndex("v", "b.e", 9), "width_bucket(v, b.e)"},
		{d.SortedValues("v", "f"), "array_agg(v ORDER BY v) FILTER (WHERE f)"},
		{d.OrderStatistics("s", "$2", false), "(SELECT array_agg((s)[1 + CAST(floor(q.p * (cardinality((s)) - 1)) AS integer)] ORDER BY q.i) " +
			"FROM unnest(CAST($2 AS double precision[])) WITH ORDINALITY AS q(p, i) WHERE cardinality((s)) > 0)"},
		{d.OrderStatistics("s", "$2", true), "(SELECT array_agg((s)[least(1 + CAST(floor(q.p * (cardinality((s)) - 1)) AS integer) + 1, cardinality((s)))] ORDER BY q.i) " +
			"FROM unnest(CAST($2 AS double precision[])) WITH ORDINALITY AS q(p, i) WHERE cardinality((s)) > 0)"},
		{d.QuantileAgg("v", []float64{0.5, 0.9}), "percentile_cont(ARRAY[0.5, 0.9]::double precision[]) WITHIN GROUP (ORDER BY v)"},
		{d.LatestBy("label", "label_ts"), "(array_agg(label ORDER BY label_ts DESC) FILTER (WHERE label_ts IS NOT NULL))[1]"},
		{d.TopN(sqlstore.TopN{Select: []string{"m AS m", "v AS v", "count(*) AS n"}, Names: []string{"m", "v", "n"}, From: "long GROUP BY 1, 2",
			PartitionBy: "m", OrderBy: "count(*) DESC, v", Keep: "v IS NULL", Limit: "$5"}),
			"SELECT m, v, n FROM (SELECT m AS m, v AS v, count(*) AS n, row_number() OVER (PARTITION BY m ORDER BY count(*) DESC, v) AS topn_rank FROM long GROUP BY 1, 2) AS ranked WHERE (v IS NULL) OR topn_rank <= CAST($5 AS bigint)"},
		{d.MapEntries("mm_src", []string{"m", "w"}, "fm", "k", "val"),
			`SELECT "m", "w", e.key AS "k", e.value AS "val" FROM mm_src CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(CAST("fm" AS jsonb)) = 'object' THEN CAST("fm" AS jsonb) END) AS e`},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, c.got, c.want)
		}
	}
}

func itoa(n int) string { return fmt.Sprint(n) }

// Catalogue types as Runner.Columns formats them.
func TestDialectTypes(t *testing.T) {
	for typ, want := range map[string]store.FeatureType{
		"DOUBLE PRECISION": store.Numeric, "REAL": store.Numeric, "INTEGER": store.Numeric, "BIGINT": store.Numeric,
		"SMALLINT": store.Numeric, "NUMERIC(10,2)": store.Numeric, "NUMERIC": store.Numeric,
		"TEXT": store.Categorical, "CHARACTER VARYING(20)": store.Categorical, "CHARACTER(1)": store.Categorical,
		"BOOLEAN": store.Categorical, "TIMESTAMP WITHOUT TIME ZONE": "", "JSONB": "", "DOUBLE PRECISION[]": "", "BYTEA": "",
	} {
		got, ok := d.FeatureType(typ)
		if got != want || ok != (want != "") {
			t.Errorf("FeatureType(%s) = %q, %v; want %q", typ, got, ok, want)
		}
	}
	for typ, want := range map[string][2]bool{
		"TIMESTAMP WITHOUT TIME ZONE": {true, false}, "TIMESTAMP(3) WITHOUT TIME ZONE": {true, false},
		"TIMESTAMP WITH TIME ZONE": {true, true}, "TIMESTAMP(6) WITH TIME ZONE": {true, true}, "DATE": {true, false},
		"TEXT": {false, false}, "TIME WITHOUT TIME ZONE": {false, false},
	} {
		if ok, zoned := d.TimeType(typ); ok != want[0] || zoned != want[1] {
			t.Errorf("TimeType(%s) = %v, %v; want %v", typ, ok, zoned, want)
		}
	}
	for typ, want := range map[string]bool{"JSONB": true, "JSON": true, "TEXT": false, "HSTORE": false} {
		if got, ok := d.MapValueType(typ); ok != want || (ok && got != store.Categorical) {
			t.Errorf("MapValueType(%s) = %q, %v", typ, got, ok)
		}
	}
}

// queryFloats runs a statement returning one nullable double per row.
func queryFloats(t *testing.T, r *Runner, q string, args ...any) []*float64 {
	t.Helper()
	rows, err := r.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
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
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func same(a, b []*float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch {
		case a[i] == nil || b[i] == nil:
			if a[i] != b[i] {
				return false
			}
		case math.IsNaN(*a[i]):
			if !math.IsNaN(*b[i]) {
				return false
			}
		case *a[i] != *b[i]:
			return false
		}
	}
	return true
}

func f(v float64) *float64 { return &v }

// The fragments compute, on the real server, the values their contracts promise (hand-derived).
func TestDialectOnServer(t *testing.T) {
	r, _ := testRunner(t, "fragments")
	nan, inf := math.NaN(), math.Inf(1)

	// Bin lookup: how many of the edges 1, 2, 3 are <= v.
	got := queryFloats(t, r, `SELECT `+d.BinIndex("v", "ARRAY[1, 2, 3]::float8[]", 3)+`::float8 FROM unnest(ARRAY[0.5, 1, 2.5, 3, 10]::float8[]) WITH ORDINALITY AS t(v, i) ORDER BY i`)
	if want := []*float64{f(0), f(1), f(2), f(3), f(3)}; !same(got, want) {
		t.Errorf("BinIndex: %v", storetest.Deref(got))
	}

	// numpy.quantile([1, 2, 3, 4, 10], [0, 0.1, 0.5, 0.9, 1]) = [1, 1.4, 3, 7.6, 10] (h = p·4) interpolates between
	// the order statistics s[⌊h⌋] = [1, 1, 3, 4, 10] and s[min(⌊h⌋ + 1, 4)] = [2, 2, 4, 10, 10] (0-based).
	sorted := `(SELECT ` + d.SortedValues("v", "true") + ` AS s FROM unnest(ARRAY[10, 3, 1, 4, 2]::float8[]) AS t(v)) x`
	probs := []float64{0, 0.1, 0.5, 0.9, 1}
	for next, want := range map[bool][]*float64{false: {f(1), f(1), f(3), f(4), f(10)}, true: {f(2), f(2), f(4), f(10), f(10)}} {
		got = queryFloats(t, r, `SELECT unnest(`+d.OrderStatistics("s", "$1", next)+`) FROM `+sorted, probs)
		if !same(got, want) {
			t.Errorf("OrderStatistics(next %v): %v", next, storetest.Deref(got))
		}
	}
	want := []*float64{f(1), f(1.4), f(3), f(7.6), f(10)}
	got = queryFloats(t, r, `SELECT unnest(`+d.QuantileAgg("v", []float64{0, 0.1, 0.5, 0.9, 1})+`) FROM unnest(ARRAY[10, 3, 1, 4, 2]::float8[]) AS t(v)`)
	if !close(got, want, 1e-15) {
		t.Errorf("QuantileAgg: %v", storetest.Deref(got))
	}
	// No value at all: NULL quantiles.
	got = queryFloats(t, r, `SELECT `+d.OrderStatistics("s", "$1", false)+`[1] FROM (SELECT `+d.SortedValues("v", "v > 100")+` AS s FROM unnest(ARRAY[1]::float8[]) AS t(v)) x`, []float64{0.5})
	if !same(got, []*float64{nil}) {
		t.Errorf("OrderStatistics of nothing: %v", storetest.Deref(got))
	}

	got = queryFloats(t, r, `SELECT `+d.TryDouble("v")+` FROM unnest(ARRAY['1.5', 'abc', ' -2e3 ', 'NaN', '', NULL, '.5', '1.2.3', '-Infinity']) WITH ORDINALITY AS t(v, i) ORDER BY i`)
	if want := []*float64{f(1.5), nil, f(-2000), f(nan), nil, nil, f(0.5), nil, f(-inf)}; !same(got, want) {
		t.Errorf("TryDouble: %v", storetest.Deref(got))
	}
	// Values of numeric types take the branch without the match, with the same values (through their text, as
	// before: real's 1e38 is read as the double 1e38, not as float4's 9.99999968e37); a boolean is not a number.
	for typ, vals := range map[string]string{"double precision": "1.5, 'NaN', '-Infinity', 1e308", "real": "1.5, 'NaN', '-Infinity', 1e38",
		"integer": "1, 2, -3, 2147483647", "bigint": "1, 2, -3, 9007199254740993", "smallint": "1, 2, -3, 32767",
		"numeric": "1.5, 'NaN', '-Infinity', 1e300"} {
		got = queryFloats(t, r, `SELECT `+d.TryDouble("v")+` FROM unnest(ARRAY[`+vals+`, NULL]::`+typ+`[]) WITH ORDINALITY AS t(v, i) ORDER BY i`)
		want := map[string][]*float64{"double precision": {f(1.5), f(nan), f(-inf), f(1e308)}, "real": {f(1.5), f(nan), f(-inf), f(1e38)},
			"integer": {f(1), f(2), f(-3), f(2147483647)}, "bigint": {f(1), f(2), f(-3), f(9007199254740992)}, "smallint": {f(1), f(2), f(-3), f(32767)},
			"numeric": {f(1.5), f(nan), f(-inf), f(1e300)}}[typ]
		if !same(got, append(want, nil)) {
			t.Errorf("TryDouble of %s: %v", typ, storetest.Deref(got))
		}
	}
	got = queryFloats(t, r, `SELECT `+d.TryDouble("v")+` FROM unnest(ARRAY[true, false]) AS t(v)`)
	if !same(got, []*float64{nil, nil}) {
		t.Errorf("TryDouble of boolean: %v", storetest.Deref(got))
	}
	got = queryFloats(t, r, `SELECT CAST(`+d.IsFinite("v")+` AS integer)::float8 FROM unnest(ARRAY[1, 'NaN', 'Infinity', '-Infinity', NULL]::float8[]) WITH ORDINALITY AS t(v, i) ORDER BY i`)
	if want := []*float64{f(1), f(0), f(0), f(0), nil}; !same(got, want) {
		t.Errorf("IsFinite: %v", storetest.Deref(got))
	}

	// Window index of 2026-01-01 00:00, 06:00 and 2025-12-31 23:00 (UTC) with daily windows from 2026-01-01:
	// 0, 0, −1, the same for a zoned column.
	origin := int64(1767225600000000) // 2026-01-01T00:00:00Z in µs
	day := float64(86400e6)
	for _, typ := range []string{"timestamp", "timestamptz"} {
		got = queryFloats(t, r, `SELECT `+d.WindowIndex("ts", "$1", "$2")+`::float8 FROM unnest(ARRAY['2026-01-01 00:00:00+00', '2026-01-01 06:00:00+00', '2025-12-31 23:00:00+00']::`+typ+`[]) WITH ORDINALITY AS t(ts, i) ORDER BY i`, origin, day)
		if want := []*float64{f(0), f(0), f(-1)}; !same(got, want) {
			t.Errorf("WindowIndex on %s: %v", typ, storetest.Deref(got))
		}
	}
	got = queryFloats(t, r, `SELECT count(*)::float8 FROM unnest(ARRAY['2026-01-01 00:00:00', '2026-01-01 23:59:59.999999', '2026-01-02 00:00:00']::timestamp[]) AS t(ts)
		WHERE ts >= `+d.TimeBound("$1", false)+` AND ts < `+d.TimeBound("$2", false), "2026-01-01 00:00:00", "2026-01-02 00:00:00")
	if !same(got, []*float64{f(2)}) {
		t.Errorf("TimeBound: %v", storetest.Deref(got))
	}
	got = queryFloats(t, r, `SELECT count(*)::float8 FROM unnest(ARRAY['2026-01-01 00:00:00+00', '2026-01-02 00:00:00+00']::timestamptz[]) AS t(ts)
		WHERE ts >= `+d.TimeBound("$1", true)+` AND ts < `+d.TimeBound("$2", true), "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
	if !same(got, []*float64{f(1)}) {
		t.Errorf("TimeBound zoned: %v", storetest.Deref(got))
	}
}

func close(a, b []*float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == nil || b[i] == nil || math.Abs(*a[i]-*b[i]) > tol*math.Max(1, math.Abs(*b[i])) {
			return false
		}
	}
	return true
}

// Relation, Unpivot, LatestBy, TopN and MapEntries produce the rows their contracts describe.
func TestDialectRelationsOnServer(t *testing.T) {
	r, _ := testRunner(t, "fragments")
	ctx := context.Background()
	type row = []any
	collect := func(q string, n int, args ...any) []row {
		t.Helper()
		rows, err := r.Query(ctx, q, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			vals := make([]any, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	storetest.CheckRelation(t, r, d)

	src := `(SELECT * FROM (VALUES ('m1', 1.0::float8, NULL::float8), ('m2', NULL, 4.0)) AS t(m, c1, c2))`
	un := collect(`SELECT m, feature, v FROM `+d.Unpivot(src, []string{"m"}, []sqlstore.UnpivotColumn{{Col: "c1", Name: "age"}, {Col: "c2", Name: "tenure"}}, "feature", "v", true)+` ORDER BY 1, 2`, 3)
	if want := []row{{"m1", "age", 1.0}, {"m1", "tenure", nil}, {"m2", "age", nil}, {"m2", "tenure", 4.0}}; !reflect.DeepEqual(un, want) {
		t.Errorf("Unpivot with nulls: %v", un)
	}
	un = collect(`SELECT m, feature, v FROM `+d.Unpivot(src, []string{"m"}, []sqlstore.UnpivotColumn{{Col: "c1", Name: "age"}, {Col: "c2", Name: "tenure"}}, "feature", "v", false)+` ORDER BY 1, 2`, 3)
	if want := []row{{"m1", "age", 1.0}, {"m2", "tenure", 4.0}}; !reflect.DeepEqual(un, want) {
		t.Errorf("Unpivot without nulls: %v", un)
	}

	latest := collect(`SELECT id, `+d.LatestBy("label", "label_ts")+` FROM (VALUES ('p1', 0, 1), ('p1', 1, 3), ('p1', 0, 2), ('p2', 1, NULL), ('p2', 0, 5)) AS t(id, label, label_ts) GROUP BY 1 ORDER BY 1`, 2)
	if want := []row{{"p1", int32(1)}, {"p2", int32(0)}}; !reflect.DeepEqual(latest, want) {
		t.Errorf("LatestBy: %v", latest)
	}

	top := collect(d.TopN(sqlstore.TopN{Select: []string{"m AS m", "v AS v", "count(*) AS n"}, Names: []string{"m", "v", "n"},
		From: "(VALUES ('a', 'x'), ('a', 'x'), ('a', 'y'), ('a', 'z'), ('a', NULL), ('b', 'q')) AS t(m, v) GROUP BY 1, 2", PartitionBy: "m",
		OrderBy: "count(*) DESC, v", Keep: "v IS NULL", Limit: "$1"})+" ORDER BY 1, 2", 3, 1)
	if want := []row{{"a", "x", int64(2)}, {"a", nil, int64(1)}, {"b", "q", int64(1)}}; !reflect.DeepEqual(top, want) {
		t.Errorf("TopN: %v", top)
	}

	entries := collect(`SELECT m, k, val FROM (`+d.MapEntries(`(SELECT * FROM (VALUES ('m1', '{"age": 41, "plan": "gold", "gone": null}'::jsonb), ('m2', '[1, 2]'::jsonb), ('m3', NULL), ('m4', '{}'))`+
		` AS t(m, fm)) AS x`, []string{"m"}, "fm", "k", "val")+`) e ORDER BY 1, 2`, 3)
	if want := []row{{"m1", "age", "41"}, {"m1", "gone", nil}, {"m1", "plan", "gold"}}; !reflect.DeepEqual(entries, want) {
		t.Errorf("MapEntries: %v", entries)
	}
}
