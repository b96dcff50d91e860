package store

import (
	"reflect"
	"testing"
)

// addRows: kept − before + after by key, kept's rows first in their order, then new keys in the order they come
// (before's, then after's); several rows of one key on a side are summed; rows that come to zero are dropped; nil
// when nothing is left. Hand-derived: A = 5 − 1 − 1 = 3 (kept, twice in before), B = −2 + 3 = 1 (new, first in
// before), C = 4 (new, after only), D = −1 + 1 = 0 (dropped), E = 7 − 7 = 0 (kept, dropped).
func TestAddRows(t *testing.T) {
	type row struct {
		k string
		n int64
	}
	key := func(r row) string { return r.k }
	add := func(dst *row, src row, sign int64) { dst.n += sign * src.n }
	zero := func(r row) bool { return r.n == 0 }
	kept := []row{{"E", 7}, {"A", 5}}
	got := addRows(kept, []row{{"A", 1}, {"B", 2}, {"D", 1}, {"A", 1}, {"E", 7}}, []row{{"B", 3}, {"C", 4}, {"D", 1}}, key, add, zero)
	if want := []row{{"A", 3}, {"B", 1}, {"C", 4}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("addRows = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(kept, []row{{"E", 7}, {"A", 5}}) {
		t.Fatalf("kept modified: %v", kept)
	}
	if got := addRows([]row{{"A", 1}}, []row{{"A", 1}}, nil, key, add, zero); got != nil {
		t.Fatalf("nothing left: %v, want nil", got)
	}
	if got := addRows(kept, nil, nil, key, add, zero); !reflect.DeepEqual(got, kept) {
		t.Fatalf("no delta: %v, want kept", got)
	}
}
