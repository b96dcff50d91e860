package storetest

import (
	"database/sql"
	"fmt"
	"reflect"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// CheckRelation runs the dialect's Relation on the engine behind r: one bound JSON array (the placeholder of
// parameter 1) becomes one row per element with each column of its type — text, double (null kept as NULL),
// boolean and an edges array (empty kept empty, the largest double exact) — as sqlstore's statements bind
// their edges and per-model values.
func CheckRelation(t *testing.T, r sqlstore.Runner, d sqlstore.Dialect) {
	t.Helper()
	rel := d.Relation(d.Placeholder(1), []sqlstore.Column{{Name: "m", Type: sqlstore.TextColumn}, {Name: "x", Type: sqlstore.DoubleColumn},
		{Name: "top", Type: sqlstore.BoolColumn}, {Name: "e", Type: sqlstore.EdgesColumn, Slots: 3}})
	q := "SELECT m, x, top, e FROM (" + rel + ") r ORDER BY m"
	rows, err := r.Query(ctx, q, `[{"m":"a","x":1.5,"top":true,"e":[1,2,1.7976931348623157e308]},{"m":"b","x":null,"top":false,"e":[]}]`)
	if err != nil {
		t.Fatalf("Relation: %v\n%s", err, q)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var m string
		var x sql.NullFloat64
		var top bool
		var e []float64
		if err := rows.Scan(&m, &x, &top, &e); err != nil {
			t.Fatalf("Relation: %v", err)
		}
		xs := "NULL"
		if x.Valid {
			xs = fmt.Sprint(x.Float64)
		}
		got = append(got, fmt.Sprintf("%s %s %v %v", m, xs, top, e))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("Relation: %v", err)
	}
	if want := []string{"a 1.5 true [1 2 1.7976931348623157e+308]", "b NULL false []"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Relation: %q, want %q", got, want)
	}
}
