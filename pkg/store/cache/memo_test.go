package cache

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

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
