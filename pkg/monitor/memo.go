package monitor

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/aiops/modelmonitor/pkg/store"
)

// memoStore answers the repeated identical aggregate calls of one request from memory. A diagnosis composes
// analyses that each ask for what they need, and several need the same aggregate: the reference's performance
// counts (CBPE's calibration and the label rates), the windows' score histograms (CBPE and prediction drift), the
// reference profile and quality (the quality checks and the reference null shares). Each is read from the store
// once. It lives for one request only, so it never serves stale data.
type memoStore struct {
	store.Store
	mu   sync.Mutex
	seen map[string]any
}

func newMemoStore(st store.Store) *memoStore { return &memoStore{Store: st, seen: map[string]any{}} }

// memo returns the cached answer of the call identified by its method and arguments, or runs it. Errors are not
// cached.
func memo[T any](m *memoStore, call func() (T, error), method string, args ...any) (T, error) {
	raw, err := json.Marshal(append([]any{method}, args...))
	if err != nil {
		return call()
	}
	key := string(raw)
	m.mu.Lock()
	hit, ok := m.seen[key]
	m.mu.Unlock()
	if ok {
		return hit.(T), nil
	}
	v, err := call()
	if err == nil {
		m.mu.Lock()
		m.seen[key] = v
		m.mu.Unlock()
	}
	return v, err
}

func (m *memoStore) Profile(ctx context.Context, scope store.Scope, features []store.Feature, probs []float64, categoryCap int) (store.Profile, error) {
	return memo(m, func() (store.Profile, error) { return m.Store.Profile(ctx, scope, features, probs, categoryCap) },
		"Profile", scope, features, probs, categoryCap)
}

func (m *memoStore) Quality(ctx context.Context, scope store.Scope, w store.Windowing, features []store.QualityFeature) (store.Quality, error) {
	return memo(m, func() (store.Quality, error) { return m.Store.Quality(ctx, scope, w, features) }, "Quality", scope, w, features)
}

func (m *memoStore) Performance(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest) (store.Performance, error) {
	return memo(m, func() (store.Performance, error) { return m.Store.Performance(ctx, scope, w, req) }, "Performance", scope, w, req)
}

func (m *memoStore) ScoreHistogram(ctx context.Context, scope store.Scope, w store.Windowing, threshold float64) (store.ScoreHistogram, error) {
	return memo(m, func() (store.ScoreHistogram, error) { return m.Store.ScoreHistogram(ctx, scope, w, threshold) },
		"ScoreHistogram", scope, w, threshold)
}
