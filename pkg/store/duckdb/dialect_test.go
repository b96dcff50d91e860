package duckdb

import (
	"testing"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Every fragment the DuckDB dialect renders, pinned as text (what sqlstore's statements are made of).
func TestDialectRendersDuckDBSQL(t *testing.T) {
	d := Dialect{}
	for _, c := range []struct{ name, got, want string }{
		{"Placeholder", d.Placeholder(3), `?`},
		{"Quote", d.Quote(`a"b`), `"a""b"`},
		{"Text", d.Text(`"x"`), `CAST("x" AS VARCHAR)`},
		{"Double", d.Double(`"x"`), `CAST("x" AS DOUBLE)`},
		{"TryDouble", d.TryDouble(`e.val`), `TRY_CAST(e.val AS DOUBLE)`},
		{"IsFinite", d.IsFinite(`l.v`), `isfinite(l.v)`},
		{"Filtered", d.Filtered(`count(*)`, `y = 1`), `count(*) FILTER (WHERE y = 1)`},
		{"GroupBy", d.GroupBy(3), `GROUP BY ALL`},
		{"Relation", d.Relation("?", []sqlstore.Column{{Name: "m", Type: sqlstore.TextColumn}, {Name: "lo", Type: sqlstore.DoubleColumn},
			{Name: "top", Type: sqlstore.BoolColumn}, {Name: "e", Type: sqlstore.EdgesColumn, Slots: 7}}),
			`SELECT unnest(from_json(?::JSON, '[{"m":"VARCHAR","lo":"DOUBLE","top":"BOOLEAN","e":"DOUBLE[]"}]'), recursive := true)`},
		{"WindowIndex", d.WindowIndex(`"ts"`, "?", "?"), `CAST(floor((epoch_us("ts") - ?) / ?) AS BIGINT)`},
		{"EpochMicros", d.EpochMicros(`max(label_ts)`), `epoch_us(max(label_ts))`},
		{"TimeBound", d.TimeBound("?", false), `CAST(? AS TIMESTAMP)`},
		{"TimeBound zoned", d.TimeBound("?", true), `CAST(? AS TIMESTAMPTZ)`},
		{"Unpivot", d.Unpivot("mm_src", []string{"m", "w"}, []sqlstore.UnpivotColumn{{Col: "c1", Name: "age"}, {Col: "c2", Name: "tenure"}}, "feature", "v", false),
			`mm_src UNPIVOT (v FOR feature IN (c1 AS 'age', c2 AS 'tenure'))`},
		{"Unpivot with nulls", d.Unpivot("mm_src", nil, []sqlstore.UnpivotColumn{{Col: "c1", Name: "age"}}, "feature", "v", true),
			`mm_src UNPIVOT INCLUDE NULLS (v FOR feature IN (c1 AS 'age'))`},
		{"UnpivotPairs", d.UnpivotPairs("src", []sqlstore.UnpivotPair{{Cols: [2]string{"b1", "v1"}, Name: "age"}, {Cols: [2]string{"b2", "v2"}, Name: "o'k"}}, "feature", [2]string{"bin", "v"}),
			`src UNPIVOT INCLUDE NULLS ((bin, v) FOR feature IN ((b1, v1) AS 'age', (b2, v2) AS 'o''k'))`},
		{"ListElement", d.ListElement("?", "k1"), `CAST(? AS DOUBLE[])[k1]`},
		{"ListPosition", d.ListPosition("?", "c1"), `coalesce(list_position(CAST(? AS VARCHAR[]), c1), 0)`},
		{"BinIndex", d.BinIndex("v", "e", 3), `CASE WHEN v >= e[2] THEN CASE WHEN v >= e[3] THEN 3 ELSE 2 END ELSE CASE WHEN v >= e[1] THEN 1 ELSE 0 END END`},
		{"SortedValues", d.SortedValues("l.v", "isfinite(l.v)"), `list_sort(list(l.v) FILTER (WHERE isfinite(l.v)))`},
		{"OrderStatistics", d.OrderStatistics("s", "?", false),
			"CASE WHEN len(s) > 0 THEN list_transform(CAST(? AS DOUBLE[]), p -> s[1 + floor(p * (len(s) - 1))::BIGINT]) END"},
		{"OrderStatistics next", d.OrderStatistics("s", "?", true),
			"CASE WHEN len(s) > 0 THEN list_transform(CAST(? AS DOUBLE[]), p -> s[least(1 + floor(p * (len(s) - 1))::BIGINT + 1, len(s))]) END"},
		{"QuantileAgg", d.QuantileAgg("lag_h", []float64{0.5, 0.9}), `quantile_cont(lag_h, [0.5, 0.9])`},
		{"LatestBy", d.LatestBy("label", "label_ts"), `arg_max(label, label_ts)`},
		{"TopN", d.TopN(sqlstore.TopN{Select: []string{"m", "count(v) OVER (PARTITION BY m) AS n"}, Names: []string{"m", "n"}, From: "t",
			PartitionBy: "m", OrderBy: "c DESC", Keep: "v IS NULL", Limit: "?"}),
			"SELECT m, count(v) OVER (PARTITION BY m) AS n\nFROM t\nQUALIFY v IS NULL OR row_number() OVER (PARTITION BY m ORDER BY c DESC) <= ?"},
		{"MapEntries", d.MapEntries("mm_src", []string{"m", "w"}, "fm", "k", "val"),
			`SELECT m, w, e.key AS k, e.value AS val FROM (SELECT m, w, unnest(map_entries(fm)) AS e FROM mm_src)`},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
	for maxEdges, want := range map[int]int{0: 0, 1: 1, 2: 3, 3: 3, 4: 7, 100: 127, 127: 127, 128: 255} {
		if got := d.EdgeSlots(maxEdges); got != want {
			t.Errorf("EdgeSlots(%d) = %d, want %d", maxEdges, got, want)
		}
	}
}

// Catalogue types map to feature types, times and feature maps as DuckDB spells them.
func TestDialectReadsDuckDBTypes(t *testing.T) {
	d := Dialect{}
	for typ, want := range map[string]store.FeatureType{"DOUBLE": store.Numeric, "DECIMAL(18,3)": store.Numeric, "BIGINT": store.Numeric,
		"UTINYINT": store.Numeric, "VARCHAR": store.Categorical, "BOOLEAN": store.Categorical, "ENUM('a', 'b')": store.Categorical,
		"TIMESTAMP": "", "INTEGER[]": "", "MAP(VARCHAR, DOUBLE)": ""} {
		if got, ok := d.FeatureType(typ); got != want || ok != (want != "") {
			t.Errorf("FeatureType(%s) = %q %v, want %q", typ, got, ok, want)
		}
	}
	for typ, want := range map[string][2]bool{"TIMESTAMP": {true, false}, "TIMESTAMP WITH TIME ZONE": {true, true}, "DATE": {true, false},
		"TIMESTAMP_NS": {true, false}, "VARCHAR": {false, false}} {
		if ok, zoned := d.TimeType(typ); ok != want[0] || zoned != want[1] {
			t.Errorf("TimeType(%s) = %v %v, want %v", typ, ok, zoned, want)
		}
	}
	for typ, want := range map[string]store.FeatureType{"MAP(VARCHAR, DOUBLE)": store.Numeric, "MAP(VARCHAR, VARCHAR)": store.Categorical,
		"MAP(INTEGER, DOUBLE)": "", "MAP(VARCHAR, INTEGER[])": "", "VARCHAR": ""} {
		if got, ok := d.MapValueType(typ); got != want || ok != (want != "") {
			t.Errorf("MapValueType(%s) = %q %v, want %q", typ, got, ok, want)
		}
	}
}
