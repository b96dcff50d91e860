// Package cache wraps a store.Store and decides, method by method, which answers it keeps and for how long.
// There are two lifetimes:
//
//   - Shared (shared.go, reuse.go) keeps the aggregates of settled windows for every query of one data source
//     instance, checked against the store's change signal, bounded by bytes (docs/cache.md); identical
//     aggregate calls under way run once (flight.go).
//   - Request keeps answers for one request only (below).
//
// Request: a diagnosis composes analyses that each ask for what they need, and several need the same aggregate
// (the reference's performance counts, the windows' score histograms, the reference profile and quality). A
// request-scoped wrapper never serves stale data, since it is dropped with its request. An answer is kept under
// its method and all of its arguments (JSON-encoded: scope, windowing, features, bins, thresholds, label cut-off),
// so two calls that differ in any argument are never confused; arguments that cannot be encoded (NaN) are not
// kept. Errors are never kept: the next call asks the store again.
//
// What each method does:
//   - Health: passed through, never kept (a health check must reach the store).
//   - ValidateTable: passed through, never kept (a catalogue look-up whose only answer is an error, never kept).
//   - Models, Features: kept (catalogue look-ups read the log's distinct models and the registry; an analysis
//     asks for them several times per request); each call gets its own copy of the slice. Features hands the
//     store the kept model list (store.WithModels), which the store's Features would otherwise read again.
//   - SegmentValues, Profile, Counts, Quality, Performance, ScoreHistogram, MulticlassHistograms: kept (the
//     aggregates). Callers share the kept value and must not modify it.
//   - Close: drops what is kept; it does not close the wrapped store, which the wrapper does not own.
package cache

import (
	"context"
	"slices"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Store is a store.Store that keeps answers of the store it wraps for one request (see the package comment, method
// by method).
// It is safe for concurrent use; two concurrent first calls with the same arguments may both reach the store.
type Store struct {
	next    store.Store
	answers *memo
	signals *memo // the change signals read during the request (by Shared, given it through ctx)
}

var _ store.Store = (*Store)(nil)

// Request returns a wrapper of next whose answers live as long as the wrapper: make one per request.
func Request(next store.Store) *Store {
	return &Store{next: next, answers: newMemo(), signals: newMemo()}
}

// keep returns the kept answer of the call identified by its method and arguments, or runs call and keeps its
// answer when it succeeds.
func keep[T any](c *Store, call func() (T, error), method string, args ...any) (T, error) {
	return remember(c.answers, call, method, args...)
}

// Health is passed through: never kept.
func (c *Store) Health(ctx context.Context) error { return c.next.Health(ctx) }

// ValidateTable is passed through: never kept.
func (c *Store) ValidateTable(ctx context.Context, table string, features []store.Feature) error {
	return c.next.ValidateTable(ctx, table, features)
}

// Models is kept; every call returns its own copy of the list.
func (c *Store) Models(ctx context.Context) ([]store.Model, error) {
	ms, err := keep(c, func() ([]store.Model, error) { return c.next.Models(ctx) }, "Models")
	return slices.Clone(ms), err
}

// Features is kept per model; every call returns its own copy of the list. The store is handed the request's
// model list (store.WithModels: the kept Models answer), so that it does not read the catalogue again.
func (c *Store) Features(ctx context.Context, model string) ([]store.Feature, error) {
	fs, err := keep(c, func() ([]store.Feature, error) {
		models, err := c.Models(ctx)
		if err != nil {
			return nil, err
		}
		return c.next.Features(store.WithModels(ctx, models), model)
	}, "Features", model)
	return slices.Clone(fs), err
}

// SegmentValues is kept per (scope, column, limit).
func (c *Store) SegmentValues(ctx context.Context, scope store.Scope, column string, limit int) ([]store.SegmentCount, error) {
	return keep(c, func() ([]store.SegmentCount, error) { return c.next.SegmentValues(ctx, scope, column, limit) },
		"SegmentValues", scope, column, limit)
}

// Profile is kept per (scope, features, probabilities, category cap).
func (c *Store) Profile(ctx context.Context, scope store.Scope, features []store.Feature, probs []float64, categoryCap int) (store.Profile, error) {
	ctx = withSignalMemo(ctx, c.signals)
	return keep(c, func() (store.Profile, error) { return c.next.Profile(ctx, scope, features, probs, categoryCap) },
		"Profile", scope, features, probs, categoryCap)
}

// Counts is kept per (scope, windowing, numeric bins, categorical bins).
func (c *Store) Counts(ctx context.Context, scope store.Scope, w store.Windowing, num []store.NumericBins, cat []store.CategoricalBins) (store.Counts, error) {
	ctx = withSignalMemo(ctx, c.signals)
	return keep(c, func() (store.Counts, error) { return c.next.Counts(ctx, scope, w, num, cat) }, "Counts", scope, w, num, cat)
}

// Quality is kept per (scope, windowing, features).
func (c *Store) Quality(ctx context.Context, scope store.Scope, w store.Windowing, features []store.QualityFeature) (store.Quality, error) {
	ctx = withSignalMemo(ctx, c.signals)
	return keep(c, func() (store.Quality, error) { return c.next.Quality(ctx, scope, w, features) }, "Quality", scope, w, features)
}

// Performance is kept per (scope, windowing, request: threshold, label cut-off, class models).
func (c *Store) Performance(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest) (store.Performance, error) {
	ctx = withSignalMemo(ctx, c.signals)
	return keep(c, func() (store.Performance, error) { return c.next.Performance(ctx, scope, w, req) }, "Performance", scope, w, req)
}

// ScoreHistogram is kept per (scope, windowing, threshold).
func (c *Store) ScoreHistogram(ctx context.Context, scope store.Scope, w store.Windowing, threshold float64) (store.ScoreHistogram, error) {
	ctx = withSignalMemo(ctx, c.signals)
	return keep(c, func() (store.ScoreHistogram, error) { return c.next.ScoreHistogram(ctx, scope, w, threshold) },
		"ScoreHistogram", scope, w, threshold)
}

// MulticlassHistograms is kept per request (reference and current scopes, windowing, label cut-off).
func (c *Store) MulticlassHistograms(ctx context.Context, req store.MulticlassRequest) (store.MulticlassHistograms, error) {
	ctx = withSignalMemo(ctx, c.signals)
	return keep(c, func() (store.MulticlassHistograms, error) { return c.next.MulticlassHistograms(ctx, req) },
		"MulticlassHistograms", req)
}

// Close drops the kept answers. The wrapped store stays open: the wrapper does not own it.
func (c *Store) Close() error {
	c.answers.reset()
	return nil
}
