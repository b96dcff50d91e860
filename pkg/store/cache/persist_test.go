package cache

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
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

// The file holds the most recently used parts that fit in its bound and reads them back bit for bit (NaN included,
// pointers, the statements); a part gob would not read back as it is (a label lag of 0 h, an empty non-nil slice)
// is left out.
func TestCacheFileBoundAndRoundTrip(t *testing.T) {
	p, off := newPersister(Persist{Dir: t.TempDir(), Instance: "i", Fingerprint: "settings"})
	if p == nil {
		t.Fatal(off)
	}
	lag := func(h float64) entry[store.Performance] {
		return entry[store.Performance]{Part: store.Performance{Windows: []store.WindowPerformance{{Model: "m", Served: 3, LagP50Hours: &h}}},
			SQL: []string{"SELECT 1"}, Until: 12, Labels: store.LabelState{Rows: 2, LatestMicros: 9, HasLabelTable: true}}
	}
	empty := entry[store.Quality]{Part: store.Quality{Windows: []store.WindowQuality{}}}
	negZero := countsPart(1, math.Copysign(0, -1))
	kept := newLRU(1 << 20)
	for _, e := range []struct {
		key   string
		value any
		bytes int64
	}{ // least recently used first
		{"old", countsPart(200, 1), countsPart(200, 1).size(countsShape)}, // beyond the bound
		{"lag 0 h", lag(0), 300}, {"empty", empty, 300}, {"-0", negZero, 300},
		{"lag 1.5 h", lag(1.5), 300}, {"nan", countsPart(1, math.NaN()), 300}, {"new", countsPart(2, 0.25), 300},
	} {
		kept.put(e.key, e.value, e.bytes)
	}
	bound := int64(3000)
	p.dirty.Store(true)
	p.write(kept, bound, false)
	if fi, err := os.Stat(p.path); err != nil || fi.Size() > bound {
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
	if !reflect.DeepEqual(keys, []string{"new", "nan", "lag 1.5 h"}) {
		t.Fatalf("parts in the file %v, want [new nan lag 1.5 h] (most recent first; inexact and beyond the bound left out)", keys)
	}
	if !reflect.DeepEqual(got[0].value, countsPart(2, 0.25)) || !reflect.DeepEqual(got[2].value, lag(1.5)) {
		t.Fatalf("read back %+v and %+v", got[0].value, got[2].value)
	}
	if s := got[1].value.(entry[store.Counts]).Part.Numeric[0].Sum; !math.IsNaN(s) {
		t.Fatalf("NaN read back as %v", s)
	}

	// Another fingerprint (settings) reads the file as foreign: nothing, and no warning.
	other, _ := newPersister(Persist{Dir: filepath.Dir(p.path), Instance: "i", Fingerprint: "other settings"})
	if parts, err := other.read(); err != errForeign || parts != nil {
		t.Fatalf("another fingerprint read %d parts, error %v", len(parts), err)
	}
}

// exactGob accepts what gob reads back as it is and rejects what it does not.
func TestExactGob(t *testing.T) {
	one, zero := 1.0, 0.0
	for _, c := range []struct {
		v    any
		want bool
	}{
		{store.NumericProfile{Lower: []float64{0, 1}, Values: nil}, true},
		{store.NumericProfile{Values: []float64{}}, false},
		{store.NumericProfile{Lower: []float64{math.Copysign(0, -1)}}, false},
		{store.WindowPerformance{LagP50Hours: &one}, true},
		{store.WindowPerformance{LagP50Hours: &zero}, false},
		{store.CategoricalProfile{Categories: []store.CategoryCount{{Value: "", Count: 0}}}, true},
		{store.Counts{SQL: []string{}}, false},
	} {
		if got := exactGob(c.v); got != c.want {
			t.Errorf("exactGob(%+v) = %v, want %v", c.v, got, c.want)
		}
	}
}

// A write that fails part-way (a full disk, simulated by a file size limit: EFBIG) keeps the previous file, warns
// and writes nothing more; the cache goes on in memory.
func TestCacheFileFullDisk(t *testing.T) {
	p, off := newPersister(Persist{Dir: t.TempDir(), Instance: "i", Fingerprint: "settings"})
	if p == nil {
		t.Fatal(off)
	}
	kept := newLRU(1 << 30)
	kept.put("small", countsPart(2, 0.5), 300)
	p.dirty.Store(true)
	p.write(kept, 1<<30, false)
	before, err := os.ReadFile(p.path)
	if err != nil {
		t.Fatal(err)
	}
	kept.put("large", countsPart(50_000, 0.5), 5<<20)
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	full := limit
	full.Cur = 64 << 10 // the Go runtime ignores SIGXFSZ: a write beyond it fails with EFBIG
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Skip("cannot limit the file size:", err)
	}
	p.dirty.Store(true)
	p.write(kept, 1<<30, false)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(p.path); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the previous file changed (%v)", err)
	}
	if !p.off || !strings.Contains(p.warning, "could not be written") {
		t.Fatalf("after a failed write: off %v, warning %q", p.off, p.warning)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(p.path), ".modelmonitor-*.tmp")); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}
