package cache

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/duckdb"
)

var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// openStore writes a small DuckDB log over six days — binary models "a" and "b", multiclass "m", a numeric and a
// categorical feature, in-row labels, two segment columns — whose values come from a seeded generator (hash(i)),
// so every argument of every aggregate changes its answer somewhere.
func openStore(t *testing.T) store.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-03-01' + INTERVAL (i * 7) MINUTE AS ts,
			['a', 'b', 'm'][i % 3 + 1] AS model_id, 'v1' AS model_version, 'p' || i AS prediction_id,
			CASE WHEN hash(i) % 3 = 0 THEN 'EU' ELSE 'NA' END AS region, CASE WHEN i % 5 = 0 THEN 'web' ELSE 'app' END AS channel,
			CASE WHEN hash(i, 1) % 17 = 0 THEN NULL ELSE (hash(i, 2) % 1000) / 100.0 + i / 500.0 END AS x,
			['p', 'q', 'r', 's'][(hash(i, 3) % 4)::BIGINT + 1] AS c,
			CASE WHEN i % 3 = 2 THEN (hash(i, 4) % 3)::DOUBLE ELSE (hash(i, 5) % 2)::DOUBLE END AS prediction,
			(hash(i, 6) % 1000) / 1000.0 AS score,
			CASE WHEN hash(i, 7) % 4 = 0 THEN NULL WHEN i % 3 = 2 THEN (hash(i, 8) % 3)::DOUBLE ELSE (hash(i, 9) % 2)::DOUBLE END AS label
			FROM range(1234) t(i)`,
		`CREATE TABLE model_registry (model_id VARCHAR, task VARCHAR, feature VARCHAR, feature_type VARCHAR,
			importance DOUBLE, owner VARCHAR, tier VARCHAR)`,
		`INSERT INTO model_registry VALUES ('a', 'binary', 'x', 'numeric', 0.6, 'o', 't'), ('a', 'binary', 'c', 'categorical', 0.4, 'o', 't'),
			('b', 'binary', 'x', 'numeric', 1, 'o', 't'), ('m', 'multiclass', 'c', 'categorical', 1, 'o', 't')`,
		`CREATE TABLE training_set AS SELECT * FROM inference_log WHERE ts < TIMESTAMP '2026-03-03'`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := settings.Defaults()
	cfg.Path, cfg.LabelColumn, cfg.LabelsTable = path, "label", ""
	st, err := duckdb.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// call is one store call, run against any store.Store.
type call struct {
	name string
	run  func(store.Store) (any, error)
}

// randomCall draws a call of a kept method with arguments from small pools, so that the same call comes back
// while calls that differ in a single argument are common too.
func randomCall(r *rand.Rand) call {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	scope := store.Scope{Model: pick("", "a", "b", "m")}
	switch r.IntN(4) {
	case 0:
		scope.Table = "training_set"
	default:
		from := r.IntN(5)
		scope.From, scope.To = day0.AddDate(0, 0, from), day0.AddDate(0, 0, from+1+r.IntN(6-from))
	}
	if r.IntN(3) == 0 {
		scope.Segment = &query.Segment{Column: pick("region", "channel"), Value: pick("EU", "NA", "web")}
	}
	w := store.Windowing{}
	if scope.Table == "" && r.IntN(2) == 0 {
		w = store.Windowing{Origin: scope.From, Width: time.Duration(1+r.IntN(2)) * 24 * time.Hour}
	}
	th := []float64{0.3, 0.5}[r.IntN(2)]
	feats := []store.Feature{{Model: "a", Name: "x", Type: store.Numeric}, {Model: "a", Name: "c", Type: store.Categorical},
		{Model: "b", Name: "x", Type: store.Numeric}}[:1+r.IntN(3)]
	desc := fmt.Sprintf("%+v %+v th=%v feats=%d", scope, w, th, len(feats))
	if scope.Segment != nil {
		desc += " segment=" + scope.Segment.Column + "/" + scope.Segment.Value
	}
	switch r.IntN(9) {
	case 0:
		return call{"Models", func(s store.Store) (any, error) { return s.Models(context.Background()) }}
	case 1:
		m := scope.Model
		return call{"Features " + m, func(s store.Store) (any, error) { return s.Features(context.Background(), m) }}
	case 2:
		col, limit := pick("region", "channel"), 1+r.IntN(2)
		return call{fmt.Sprintf("SegmentValues %s %s %d", desc, col, limit), func(s store.Store) (any, error) {
			return s.SegmentValues(context.Background(), scope, col, limit)
		}}
	case 3:
		probs := [][]float64{{0.5}, {0.1, 0.9}}[r.IntN(2)]
		cap := 1 + r.IntN(3)
		return call{fmt.Sprintf("Profile %s %v %d", desc, probs, cap), func(s store.Store) (any, error) {
			return s.Profile(context.Background(), scope, feats, probs, cap)
		}}
	case 4:
		num := []store.NumericBins{{Model: "a", Feature: "x", Edges: [][]float64{{2, 5}, {1, 4, 8}}[r.IntN(2)]}}
		cat := []store.CategoricalBins{{Model: "a", Feature: "c", Top: []string{pick("p", "q")}, Known: []string{"p", "q", "r"}, Complete: r.IntN(2) == 0}}
		return call{fmt.Sprintf("Counts %s %v %v", desc, num, cat), func(s store.Store) (any, error) {
			return s.Counts(context.Background(), scope, w, num, cat)
		}}
	case 5:
		lo, hi := float64(r.IntN(3)), 8.0
		qf := []store.QualityFeature{{Model: "a", Feature: "x", Type: store.Numeric, Min: &lo, Max: &hi},
			{Model: "a", Feature: "c", Type: store.Categorical, Known: []string{"p", pick("q", "r")}}}
		return call{fmt.Sprintf("Quality %s %v %v", desc, lo, qf[1].Known), func(s store.Store) (any, error) {
			return s.Quality(context.Background(), scope, w, qf)
		}}
	case 6:
		req := store.PerformanceRequest{Threshold: th, LabelsUntil: day0.AddDate(0, 0, 6)}
		if r.IntN(2) == 0 {
			req.ClassModels = []string{"m"}
		}
		return call{fmt.Sprintf("Performance %s %v", desc, req.ClassModels), func(s store.Store) (any, error) {
			return s.Performance(context.Background(), scope, w, req)
		}}
	case 7:
		return call{"ScoreHistogram " + desc, func(s store.Store) (any, error) {
			return s.ScoreHistogram(context.Background(), scope, w, th)
		}}
	default:
		ref, cur := scope, scope
		ref.Model, cur.Model = "m", "m"
		if cur.Table != "" {
			cur.Table, cur.From, cur.To = "", day0.AddDate(0, 0, 3), day0.AddDate(0, 0, 6)
		}
		req := store.MulticlassRequest{Reference: ref, Current: cur, LabelsUntil: day0.AddDate(0, 0, 6),
			Windowing: store.Windowing{Origin: cur.From, Width: 24 * time.Hour}}
		return call{fmt.Sprintf("MulticlassHistograms %+v", req), func(s store.Store) (any, error) {
			return s.MulticlassHistograms(context.Background(), req)
		}}
	}
}

// encode is an answer's bytes, compared by value and regardless of row order (the store returns groups in any
// order, so two cold answers may list the same rows differently): gob encodes NaN by its bits and pointers by
// their targets, and the elements of every list (the answer itself, or each list field of it) are sorted by
// their encoding.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	gobOf := func(x any) []byte {
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(x); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	rows := func(l reflect.Value) []byte {
		enc := make([][]byte, l.Len())
		for i := range enc {
			enc[i] = gobOf(l.Index(i).Interface())
		}
		slices.SortFunc(enc, bytes.Compare)
		return bytes.Join(enc, []byte{0})
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice:
		return rows(rv)
	case reflect.Struct:
		var out [][]byte
		for i := 0; i < rv.NumField(); i++ {
			if f := rv.Field(i); f.Kind() == reflect.Slice {
				out = append(out, rows(f))
			} else {
				out = append(out, gobOf(f.Interface()))
			}
		}
		return bytes.Join(out, []byte{1})
	}
	return gobOf(v)
}

// rounded is a deep copy of an answer with every finite float rounded to 12 significant digits: DuckDB sums
// doubles in no fixed order, so two cold answers of the same call may differ in the last bits of a sum.
func rounded(t *testing.T, v any) any {
	t.Helper()
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	cp := reflect.New(reflect.TypeOf(v))
	if err := gob.NewDecoder(&b).Decode(cp.Interface()); err != nil {
		t.Fatal(err)
	}
	var walk func(reflect.Value)
	walk = func(x reflect.Value) {
		switch x.Kind() {
		case reflect.Float64:
			if f := x.Float(); x.CanSet() && !math.IsNaN(f) && !math.IsInf(f, 0) {
				r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
				x.SetFloat(r)
			}
		case reflect.Pointer:
			if !x.IsNil() {
				walk(x.Elem())
			}
		case reflect.Slice:
			for i := 0; i < x.Len(); i++ {
				walk(x.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < x.NumField(); i++ {
				walk(x.Field(i))
			}
		}
	}
	walk(cp.Elem())
	return cp.Elem().Interface()
}

// Randomized: every answer through the cache equals the cold answer of the store for the same call (up to the
// store's own summation noise, see rounded), whether it is the call's first (read through) or a repeat (then
// exactly the kept answer). Then the store is closed: every call made so far is
// still answered, from what the cache kept, with the same answer — so repeats were kept, under keys that tell
// apart calls differing in any argument — while Health and a new call reach the closed store and fail.
func TestCachedAnswerEqualsColdAnswer(t *testing.T) {
	st := openStore(t)
	c := Request(st)
	r := rand.New(rand.NewPCG(20261201, 17))
	cached := map[string][]byte{} // by call: the first answer through the cache, which it keeps
	var calls []call
	repeats := 0
	for i := 0; i < 200; i++ {
		cl := randomCall(r)
		want, err := cl.run(st)
		if err != nil {
			t.Fatalf("%s: cold call: %v", cl.name, err)
		}
		got, err := cl.run(c)
		if err != nil {
			t.Fatalf("%s: cached call: %v", cl.name, err)
		}
		if !bytes.Equal(encode(t, rounded(t, got)), encode(t, rounded(t, want))) {
			t.Fatalf("%s: cached answer\n%+v\nis not the cold answer\n%+v", cl.name, got, want)
		}
		if prev, ok := cached[cl.name]; ok {
			repeats++
			if !bytes.Equal(encode(t, got), prev) {
				t.Fatalf("%s: a repeat was not answered with the kept answer", cl.name)
			}
		}
		cached[cl.name] = encode(t, got)
		calls = append(calls, cl)
	}
	if repeats < 25 || len(cached) < 100 {
		t.Fatalf("%d repeats over %d distinct calls: the pools do not exercise both paths", repeats, len(cached))
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, cl := range calls {
		got, err := cl.run(c)
		if err != nil {
			t.Fatalf("%s: not kept (%v)", cl.name, err)
		}
		if !bytes.Equal(encode(t, got), cached[cl.name]) {
			t.Fatalf("%s: the kept answer is not this call's", cl.name)
		}
	}
	if err := c.Health(context.Background()); err == nil {
		t.Error("Health answered by a closed store: it must never be kept")
	}
	if _, err := c.Features(context.Background(), "no-such-model"); err == nil {
		t.Error("a new call answered by a closed store")
	}
}

// Catalogue answers are copies: a caller that edits its list does not edit the next caller's.
func TestCatalogueAnswersAreCopies(t *testing.T) {
	st := openStore(t)
	defer st.Close()
	c := Request(st)
	ms, err := c.Models(context.Background())
	if err != nil || len(ms) == 0 {
		t.Fatalf("models %v %v", ms, err)
	}
	ms[0].ID = "edited"
	again, _ := c.Models(context.Background())
	if again[0].ID == "edited" {
		t.Error("the kept model list was edited through a caller's copy")
	}
}

// Errors are not kept, and Close drops what is kept without closing the wrapped store.
func TestErrorsNotKeptAndCloseKeepsTheStoreOpen(t *testing.T) {
	st := openStore(t)
	defer st.Close()
	c := Request(st)
	bad := store.Scope{Table: "no_such_table"}
	if _, err := c.ScoreHistogram(context.Background(), bad, store.Windowing{}, 0.5); err == nil {
		t.Fatal("a missing table must fail")
	}
	if len(c.answers.kept) != 0 {
		t.Errorf("%d answers kept after an error", len(c.answers.kept))
	}
	if _, err := c.Models(context.Background()); err != nil || len(c.answers.kept) != 1 {
		t.Fatalf("models: %v, %d kept", err, len(c.answers.kept))
	}
	if err := c.Close(); err != nil || len(c.answers.kept) != 0 {
		t.Fatalf("close: %v, %d kept", err, len(c.answers.kept))
	}
	if err := st.Health(context.Background()); err != nil {
		t.Errorf("the wrapped store was closed with the cache: %v", err)
	}
}
