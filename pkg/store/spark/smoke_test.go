package spark_test

import "testing"

func TestSmoke(t *testing.T) {
	r := testRunner(t, "")
	rows, err := r.Query(ctx, "SELECT :p1 AS a, :p2 AS b, :p3 AS c, :p4 AS d, CAST(:p5 AS ARRAY<DOUBLE>) AS e, current_timezone() AS tz", "x", int64(3), 1.5, true, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, tz string
		var b int64
		var c float64
		var d bool
		var e []float64
		if err := rows.Scan(&a, &b, &c, &d, &e, &tz); err != nil {
			t.Fatal(err)
		}
		t.Log(a, b, c, d, e, tz)
	}
}
