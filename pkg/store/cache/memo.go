package cache

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// memo keeps answers of calls for a request (a Request wrapper's life), keyed by the call's method and arguments;
// answers are kept on success only. Safe for concurrent use.
type memo struct {
	mu   sync.Mutex
	kept map[string]any
}

func newMemo() *memo { return &memo{kept: map[string]any{}} }

func (m *memo) reset() {
	m.mu.Lock()
	m.kept = map[string]any{}
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

func (s memoized) WindowRows(ctx context.Context, scope store.Scope, w store.Windowing) ([]store.WindowRows, error) {
	return remember(s.m, func() ([]store.WindowRows, error) { return s.sig.WindowRows(ctx, scope, w) }, "WindowRows", scope, w)
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
