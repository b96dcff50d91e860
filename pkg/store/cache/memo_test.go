package cache

import (
	"context"
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
