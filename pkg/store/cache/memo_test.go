package cache

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// signalCounter is a store whose change signal counts its rows readings.
type signalCounter struct {
	store.Store
	sig  store.ChangeSignal
	rows atomic.Int64
}

func (s *signalCounter) WindowRows(ctx context.Context, scope store.Scope, w store.Windowing) ([]store.WindowRows, error) {
	s.rows.Add(1)
	return s.sig.WindowRows(ctx, scope, w)
}

func (s *signalCounter) LabelState(ctx context.Context, until time.Time) (store.LabelState, error) {
	return s.sig.LabelState(ctx, until)
}

func (s *signalCounter) LabelledWindows(ctx context.Context, scope store.Scope, w store.Windowing, after, until time.Time) ([]int64, error) {
	return s.sig.LabelledWindows(ctx, scope, w, after, until)
}

// The analyses of one request (a Request wrapper over Shared) read the change signal of a scope once, however
// many aggregates they ask over it; outside a request every call reads it, and the answers are the same.
func TestRequestReadsEachSignalOnce(t *testing.T) {
	st := openStore(t)
	defer st.Close()
	counter := &signalCounter{Store: st, sig: st.(store.ChangeSignal)}
	now := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
	shared := NewShared(counter, Options{MaxBytes: 64 << 20, Settle: time.Hour, Now: func() time.Time { return now }})
	scope := store.Scope{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)}
	w := store.Windowing{Origin: scope.From, Width: 24 * time.Hour}
	ask := func(s store.Store) (store.ScoreHistogram, store.Quality) {
		ctx := context.Background()
		h, err := s.ScoreHistogram(ctx, scope, w, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.Quality(ctx, scope, w, []store.QualityFeature{{Model: "a", Feature: "x", Type: store.Numeric}})
		if err != nil {
			t.Fatal(err)
		}
		return h, q
	}
	h1, q1 := ask(shared)
	if n := counter.rows.Swap(0); n != 2 {
		t.Fatalf("two calls outside a request read the rows signal %d times, want 2", n)
	}
	h2, q2 := ask(Request(shared))
	if n := counter.rows.Swap(0); n != 1 {
		t.Fatalf("two calls in one request read the rows signal %d times, want 1", n)
	}
	if string(encode(t, h1)) != string(encode(t, h2)) || string(encode(t, q1)) != string(encode(t, q2)) {
		t.Fatal("the answers in a request differ from those outside it")
	}
	ask(Request(shared))
	if n := counter.rows.Swap(0); n != 1 {
		t.Fatalf("a second request read the rows signal %d times, want 1 (its own reading)", n)
	}
}

// catalogueCounter is a store that counts its Models calls and the Features calls handed a model list.
type catalogueCounter struct {
	store.Store
	models, handed atomic.Int64
}

func (s *catalogueCounter) Models(ctx context.Context) ([]store.Model, error) {
	s.models.Add(1)
	return s.Store.Models(ctx)
}

func (s *catalogueCounter) Features(ctx context.Context, model string) ([]store.Feature, error) {
	if _, ok := store.ModelsIn(ctx); ok {
		s.handed.Add(1)
	}
	return s.Store.Features(ctx, model)
}

// A request reads the model catalogue once: its Features calls hand the store the request's kept model list
// (store.WithModels), so the store's Features does not read it again; the features are the same as without.
func TestRequestReadsTheCatalogueOnce(t *testing.T) {
	st := openStore(t)
	defer st.Close()
	counter := &catalogueCounter{Store: st}
	req := Request(counter)
	ctx := context.Background()
	if _, err := req.Models(ctx); err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"", "a", ""} {
		got, err := req.Features(ctx, model)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.Features(ctx, model)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Features(%q) in a request = %v, want %v", model, got, want)
		}
	}
	if m, h := counter.models.Load(), counter.handed.Load(); m != 1 || h != 2 {
		t.Fatalf("a request read Models %d times (want 1) and handed the list to %d Features calls (want 2: one per model kept)", m, h)
	}
}

// Within a request, a rows signal whose windows are some of a kept answer's (the same end, a later start on a
// window boundary, origins whole widths apart) is answered from that answer, and equals the store's own answer;
// any other call (a start inside a window, another end) asks the store. Randomized over widths, origins, starts,
// ends, models and segments.
func TestRequestNarrowerRowsSignalFromAWiderOne(t *testing.T) {
	st := openStore(t)
	defer st.Close()
	sig := st.(store.ChangeSignal)
	counter := &signalCounter{Store: st, sig: sig}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	eu := &query.Segment{Column: "region", Value: "EU"}
	for trial := 0; trial < 40; trial++ {
		width := []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour}[rng.IntN(3)]
		origin := day.Add(time.Duration(rng.IntN(5)-2) * width)
		wide := store.Scope{From: origin.Add(time.Duration(rng.IntN(3)) * width), To: day.Add(time.Duration(1+rng.IntN(6*24*60)) * time.Minute)}
		if rng.IntN(2) == 0 {
			wide.Model = "a"
		}
		if rng.IntN(3) == 0 {
			wide.Segment = eu
		}
		m := memoized{sig: counter, m: newMemo()}
		ctx := context.Background()
		if _, err := m.WindowRows(ctx, wide, store.Windowing{Origin: origin, Width: width}); err != nil {
			t.Fatal(err)
		}
		counter.rows.Store(0)
		asked := map[string]bool{} // the unaligned calls made so far: asked again, the memo answers
		for call := 0; call < 5; call++ {
			narrow := wide
			narrow.From = wide.From.Add(time.Duration(rng.IntN(4)) * width)
			w := store.Windowing{Origin: origin.Add(time.Duration(rng.IntN(7)-3) * width), Width: width}
			aligned := rng.IntN(4) > 0
			if !aligned { // a start inside a window: the store is asked
				narrow.From = narrow.From.Add(width / 2)
			}
			if rng.IntN(4) == 0 { // another end: the store is asked
				narrow.To = narrow.To.Add(-time.Duration(1+rng.IntN(90)) * time.Minute)
				aligned = false
			}
			if !narrow.From.Before(narrow.To) {
				continue
			}
			got, err := m.WindowRows(ctx, narrow, w)
			if err != nil {
				t.Fatal(err)
			}
			want, err := sig.WindowRows(ctx, narrow, w)
			if err != nil {
				t.Fatal(err)
			}
			byWindow := func(a, b store.WindowRows) int { return cmp.Compare(a.Window, b.Window) } // the store's order is any
			slices.SortFunc(got, byWindow)
			slices.SortFunc(want, byWindow)
			if len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
				t.Fatalf("trial %d: WindowRows(%+v, %+v) = %v from the memo, the store says %v", trial, narrow, w, got, want)
			}
			key := fmt.Sprint(narrow, w)
			want1 := int64(0)
			if !aligned && !asked[key] {
				want1, asked[key] = 1, true
			}
			if n := counter.rows.Swap(0); n != want1 {
				t.Fatalf("trial %d: a call (narrower of the kept one: %v) asked the store %d times, want %d", trial, aligned, n, want1)
			}
		}
	}
}
