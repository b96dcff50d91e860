package cache

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store"
)

// countsPart is a kept counts entry with n numeric rows of one window.
func countsPart(n int, sum float64) entry[store.Counts] {
	rows := make([]store.NumericCount, n)
	for i := range rows {
		rows[i] = store.NumericCount{Model: "m", Window: 3, Feature: "x", Bin: i, Count: int64(i + 1), Sum: sum, Min: 0.1, Max: 0.7}
	}
	return entry[store.Counts]{Sig: signal{Rows: int64(n), Labelled: 1}, Part: store.Counts{Numeric: rows}, SQL: []string{"SELECT 1"}}
}

// The file holds the most recently used parts that fit in its bound, reads back exactly what was written (nil and
// empty slices, pointers to zero, shared statements) and leaves out a part JSON cannot hold (NaN).
func TestCacheFileBoundAndRoundTrip(t *testing.T) {
	p, off := newPersister(Persist{Dir: t.TempDir(), Instance: "i", Fingerprint: "settings"})
	if p == nil {
		t.Fatal(off)
	}
	zero := 0.0
	perf := entry[store.Performance]{Part: store.Performance{Windows: []store.WindowPerformance{{Model: "m", Served: 3, LagP50Hours: &zero}},
		Buckets: []store.ScoreBucket{}}, SQL: []string{"SELECT 1"}, Until: 12, Labels: store.LabelState{Rows: 2, LatestMicros: 9, HasLabelTable: true}}
	kept := newLRU(1 << 20)
	kept.put("old", countsPart(200, 1), countsPart(200, 1).size(countsShape)) // least recently used: beyond the bound
	kept.put("nan", countsPart(1, math.NaN()), 300)
	kept.put("perf", perf, perf.size(performanceShape))
	kept.put("new", countsPart(2, 0.25), 300)
	bound := int64(2000)
	p.dirty.Store(true)
	p.write(kept, bound, false)
	if fi, err := os.Stat(p.path); err != nil || fi.Size() > bound+64 { // the trailer comes on top of the bound
		t.Fatalf("file %v %v: want at most %d bytes", fi, err, bound)
	}
	got, err := p.read()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, e := range got {
		keys = append(keys, e.key)
	}
	if !reflect.DeepEqual(keys, []string{"new", "perf"}) {
		t.Fatalf("parts in the file %v, want [new perf] (most recent first; NaN and beyond the bound left out)", keys)
	}
	if !reflect.DeepEqual(got[1].value, perf) || !reflect.DeepEqual(got[0].value, countsPart(2, 0.25)) {
		t.Fatalf("read back %+v\nwant %+v", got[1].value, perf)
	}
	if w := got[1].value.(entry[store.Performance]).Part.Windows[0].LagP50Hours; w == nil || *w != 0 {
		t.Fatalf("a lag of 0 h read back as %v", w)
	}

	// Another fingerprint (settings) reads the file as foreign: nothing, and no warning.
	other, _ := newPersister(Persist{Dir: filepath.Dir(p.path), Instance: "i", Fingerprint: "other settings"})
	if parts, err := other.read(); err != errForeign || parts != nil {
		t.Fatalf("another fingerprint read %d parts, error %v", len(parts), err)
	}
}
