package cache

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// memo keeps answers of calls for a request (a Request wrapper's life), keyed by the call's method and arguments;
// answers are kept on success only. Safe for concurrent use.
type memo struct {
	mu   sync.Mutex
	kept map[string]any
	rows []keptRows // the WindowRows answers kept, for narrower calls (memoized.WindowRows)
}

// keptRows is one WindowRows answer and its call.
type keptRows struct {
	scope store.Scope
	w     store.Windowing
	rows  []store.WindowRows
}

func newMemo() *memo { return &memo{kept: map[string]any{}} }

func (m *memo) reset() {
	m.mu.Lock()
	m.kept, m.rows = map[string]any{}, nil
	m.mu.Unlock()
}

// The change signals read during a request are a memo of their own, which the Request wrapper hands to Shared
// through ctx: the analyses of a diagnosis or a fleetHealth query ask Shared for several aggregates over the same
// scope and windows, and each call first reads the same signal — a warm fleet diagnosis read the reference's rows
// five times and each label state twice. Within a request one reading serves them all: the request reads the
// store as of its first signal, as the statements of one cold request read it at slightly different moments.
type signalMemoKey struct{}

// withSignalMemo returns ctx carrying m (the Request wrapper passes it to every aggregate call it forwards).
func withSignalMemo(ctx context.Context, m *memo) context.Context {
	return context.WithValue(ctx, signalMemoKey{}, m)
}

// memoSignal is the store's change signal seen through the request's memo in ctx, if any.
func memoSignal(ctx context.Context, sig store.ChangeSignal) store.ChangeSignal {
	if m, ok := ctx.Value(signalMemoKey{}).(*memo); ok && m != nil {
		return memoized{sig: sig, m: m}
	}
	return sig
}

type memoized struct {
	sig store.ChangeSignal
	m   *memo
}

// WindowRows is kept per (scope, windowing), and a call whose windows are some of a kept answer's is answered from
// it: the analyses of a diagnosis ask the rows of the reference and current windows, then of the current ones.
func (s memoized) WindowRows(ctx context.Context, scope store.Scope, w store.Windowing) ([]store.WindowRows, error) {
	if rows, ok := s.m.narrower(scope, w); ok {
		return rows, nil
	}
	rows, err := remember(s.m, func() ([]store.WindowRows, error) { return s.sig.WindowRows(ctx, scope, w) }, "WindowRows", scope, w)
	if err == nil && w.Width > 0 {
		s.m.mu.Lock()
		s.m.rows = append(s.m.rows, keptRows{scope, w, rows})
		s.m.mu.Unlock()
	}
	return rows, err
}

// narrower answers WindowRows(scope, w) from a kept answer over a wider scope whose windows are the call's and
// more: the same table, model and segment, the same end, an earlier or equal start, the same width, origins a
// whole number of widths apart, and the call's start on a window boundary. Each of the call's windows is then one
// of the kept windows, whole (its rows are those of [scope.From, scope.To) in both); the kept windows that start
// before scope.From are left out and the others renumbered from w.Origin.
func (m *memo) narrower(scope store.Scope, w store.Windowing) ([]store.WindowRows, bool) {
	if w.Width <= 0 || scope.From.IsZero() {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.rows {
		if k.w.Width != w.Width || k.scope.Table != scope.Table || k.scope.Model != scope.Model ||
			!reflect.DeepEqual(k.scope.Segment, scope.Segment) || !k.scope.To.Equal(scope.To) ||
			scope.From.Before(k.scope.From) || w.Origin.Sub(k.w.Origin)%w.Width != 0 || scope.From.Sub(w.Origin)%w.Width != 0 {
			continue
		}
		first := int64(scope.From.Sub(w.Origin) / w.Width) // the call's first window, in its numbering
		shift := int64(w.Origin.Sub(k.w.Origin) / w.Width) // kept index − call index
		var out []store.WindowRows
		for _, r := range k.rows {
			if r.Window-shift >= first {
				out = append(out, store.WindowRows{Window: r.Window - shift, Rows: r.Rows, Labelled: r.Labelled})
			}
		}
		return out, true
	}
	return nil, false
}

func (s memoized) LabelState(ctx context.Context, until time.Time) (store.LabelState, error) {
	return remember(s.m, func() (store.LabelState, error) { return s.sig.LabelState(ctx, until) }, "LabelState", until)
}

func (s memoized) LabelledWindows(ctx context.Context, scope store.Scope, w store.Windowing, after, until time.Time) ([]int64, error) {
	return remember(s.m, func() ([]int64, error) { return s.sig.LabelledWindows(ctx, scope, w, after, until) },
		"LabelledWindows", scope, w, after, until)
}

// remember returns m's answer to the call named by method and args, or makes it (and keeps it when it succeeds);
// a call whose arguments do not marshal is made every time.
func remember[T any](m *memo, call func() (T, error), method string, args ...any) (T, error) {
	raw, err := json.Marshal(append([]any{method}, args...))
	if err != nil {
		return call()
	}
	key := string(raw)
	m.mu.Lock()
	hit, ok := m.kept[key]
	m.mu.Unlock()
	if ok {
		return hit.(T), nil
	}
	v, err := call()
	if err == nil {
		m.mu.Lock()
		m.kept[key] = v
		m.mu.Unlock()
	}
	return v, err
}
