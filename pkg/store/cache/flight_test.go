package cache

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// gatedStore is a real DuckDB store whose Profile and Counts are counted and held at a gate until the test
// opens it (or the call's context ends); fail, when set, is their error instead of the store's answer. The gate
// is made in the test's synctest bubble (shut), where a caller blocked on it counts as durably blocked.
type gatedStore struct {
	*sqlstore.Store
	calls atomic.Int64
	open  chan struct{}
	fail  error
}

func (g *gatedStore) gate(ctx context.Context) error {
	g.calls.Add(1)
	select {
	case <-g.open:
		return g.fail
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gatedStore) Profile(ctx context.Context, scope store.Scope, features []store.Feature, probs []float64, categoryCap int) (store.Profile, error) {
	if err := g.gate(ctx); err != nil {
		return store.Profile{}, err
	}
	return g.Store.Profile(ctx, scope, features, probs, categoryCap)
}

func (g *gatedStore) Counts(ctx context.Context, scope store.Scope, w store.Windowing, num []store.NumericBins, cat []store.CategoricalBins) (store.Counts, error) {
	if err := g.gate(ctx); err != nil {
		return store.Counts{}, err
	}
	return g.Store.Counts(ctx, scope, w, num, cat)
}

// flightCalls are the two aggregates a drift heatmap's queries ask alike: the reference profile (one window) and
// the current windows' counts (daily windows, kept once settled).
var flightCalls = []struct {
	name string
	run  func(context.Context, store.Store) (any, error)
}{
	{"Profile", func(ctx context.Context, s store.Store) (any, error) {
		feats := []store.Feature{{Model: "a", Name: "x", Type: store.Numeric}, {Model: "a", Name: "c", Type: store.Categorical}}
		return s.Profile(ctx, store.Scope{Table: "training_set"}, feats, []float64{0.1, 0.5, 0.9}, 2)
	}},
	{"Counts", func(ctx context.Context, s store.Store) (any, error) {
		scope := store.Scope{Model: "a", From: day0.AddDate(0, 0, 2), To: day0.AddDate(0, 0, 5)}
		return s.Counts(ctx, scope, store.Windowing{Origin: day0, Width: 24 * time.Hour},
			[]store.NumericBins{{Model: "a", Feature: "x", Edges: []float64{2, 5}}},
			[]store.CategoricalBins{{Model: "a", Feature: "c", Top: []string{"p"}, Known: []string{"p", "q", "r"}}})
	}},
}

// newGated wraps a gated DuckDB store in a Shared cache with reuse on, its clock a month after the log's rows (every
// window settled).
func newGated(t *testing.T) (*gatedStore, *Shared) {
	g := &gatedStore{Store: openStore(t).(*sqlstore.Store)}
	return g, NewShared(g, Options{MaxBytes: 1 << 24, Now: func() time.Time { return day0.AddDate(0, 1, 0) }})
}

// shut makes the gate, inside the bubble.
func (g *gatedStore) shut() { g.open = make(chan struct{}) }

// both runs call twice at once and returns both answers and errors once the two have returned.
func both(ctx [2]context.Context, s store.Store, call func(context.Context, store.Store) (any, error)) func() ([2]any, [2]error) {
	var (
		wg   sync.WaitGroup
		out  [2]any
		errs [2]error
	)
	for i := range 2 {
		wg.Go(func() { out[i], errs[i] = call(ctx[i], s) })
	}
	return func() ([2]any, [2]error) { wg.Wait(); return out, errs }
}

// Two identical calls at once ask the wrapped store once, and both get its answer: the cold answer of the store.
// synctest.Wait returns once both callers are blocked (one at the gate, one waiting for it), so the count is read
// when a second ask would have been made.
func TestIdenticalConcurrentCallsAskOnce(t *testing.T) {
	for _, fc := range flightCalls {
		t.Run(fc.name, func(t *testing.T) {
			g, c := newGated(t)
			defer c.Close()
			want, err := fc.run(context.Background(), g.Store)
			if err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				g.shut()
				bg := context.Background()
				wait := both([2]context.Context{bg, bg}, c, fc.run)
				synctest.Wait()
				if n := g.calls.Load(); n != 1 {
					t.Fatalf("the store was asked %d times by two identical calls under way", n)
				}
				close(g.open)
				got, errs := wait()
				if errs[0] != nil || errs[1] != nil {
					t.Fatal(errs)
				}
				if !reflect.DeepEqual(got[0], got[1]) {
					t.Errorf("the two callers got different answers:\n%+v\n%+v", got[0], got[1])
				}
				if !bytes.Equal(encode(t, rounded(t, got[0])), encode(t, rounded(t, want))) {
					t.Errorf("shared answer\n%+v\nis not the cold answer\n%+v", got[0], want)
				}
			})
			if n := g.calls.Load(); n != 1 {
				t.Errorf("%d asks in all", n)
			}
		})
	}
}

// An error is every waiting caller's, and is not kept: the next call asks the store again.
func TestSharedErrorNotKept(t *testing.T) {
	g, c := newGated(t)
	defer c.Close()
	g.fail = errors.New("the store failed")
	synctest.Test(t, func(t *testing.T) {
		g.shut()
		bg := context.Background()
		wait := both([2]context.Context{bg, bg}, c, flightCalls[0].run)
		synctest.Wait()
		close(g.open)
		_, errs := wait()
		if !errors.Is(errs[0], g.fail) || !errors.Is(errs[1], g.fail) || g.calls.Load() != 1 {
			t.Fatalf("errors %v after %d asks; want the store's error for both after one ask", errs, g.calls.Load())
		}
		g.fail = nil
		if _, err := flightCalls[0].run(bg, c); err != nil || g.calls.Load() != 2 {
			t.Fatalf("after an error: %v, %d asks; want the store asked again and its answer", err, g.calls.Load())
		}
	})
}

// The call runs under the context of the caller that started it. When that caller is cancelled, it returns its
// context's error at once, and the caller still waiting asks again under its own context and gets the answer.
func TestCancelledFirstCallerLeavesTheOther(t *testing.T) {
	g, c := newGated(t)
	defer c.Close()
	synctest.Test(t, func(t *testing.T) {
		g.shut()
		first, cancel := context.WithCancel(context.Background())
		var firstErr error
		done := make(chan struct{})
		go func() { _, firstErr = flightCalls[0].run(first, c); close(done) }()
		synctest.Wait() // the first caller is at the gate: the second joins its call
		wait := both([2]context.Context{context.Background(), context.Background()}, c, flightCalls[0].run)
		synctest.Wait()
		if n := g.calls.Load(); n != 1 {
			t.Fatalf("%d asks before the cancel, want 1", n)
		}
		cancel()
		<-done
		if !errors.Is(firstErr, context.Canceled) {
			t.Fatalf("cancelled caller: %v", firstErr)
		}
		synctest.Wait()
		if n := g.calls.Load(); n != 2 {
			t.Fatalf("%d asks after the first caller left, want 2 (the waiters' own call, once)", n)
		}
		close(g.open)
		got, errs := wait()
		if errs[0] != nil || errs[1] != nil || !reflect.DeepEqual(got[0], got[1]) {
			t.Fatalf("waiters after the cancel: %v", errs)
		}
	})
}
