package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
	"golang.org/x/sync/singleflight"
)

// Options configure a Shared cache.
type Options struct {
	// MaxBytes bounds the estimated bytes of the kept parts; 0 or less keeps nothing (every query asks the store).
	MaxBytes int64
	// Settle is how long after its end a window's rows may still arrive: a window is kept only once it ended at
	// least Settle ago (earlier, it is asked again on every query).
	Settle time.Duration
	// Now is the clock that decides what is settled (nil: time.Now).
	Now func() time.Time
	// Persist keeps the settled parts in a file across restarts (zero value: memory only).
	Persist Persist
}

// Shared is a store.Store that keeps the aggregates of settled windows across queries, for every query of one data
// source instance (see the package comment). It is safe for concurrent use. It owns the store it wraps: Close
// closes it.
type Shared struct {
	next store.Store
	sig  store.ChangeSignal // nil: the store offers no change signal, nothing is reused
	// delta is nil when the store offers no label delta: a kept performance part whose window received labels is
	// asked again
	delta store.LabelDelta
	opts  Options
	kept  *lru // nil: reuse is off

	disk     *persister // nil: memory only
	diskOff  string     // why there is no file although one was asked for ("" otherwise)
	loaded   sync.Once  // the file is read on the first aggregate call
	fileRead atomic.Int64

	// windows answered from kept parts, asked from the store (of them, settled ones), answered from kept parts and a
	// label delta (reuse on)
	reused, asked, askedSettled, relabelled atomic.Int64

	flight singleflight.Group // identical aggregate calls under way, answered once (together)
}

// Stats is what a Shared cache did so far: windows answered from kept parts and windows asked from the store
// (calls that reuse nothing, with reuse off or no change signal, are not counted), and what it keeps.
type Stats struct {
	Reused int64 `json:"reusedWindows"`
	// Asked counts the windows the store computed: every window of the span it is asked for, from the first to the
	// last window not held, including kept windows inside that span (one statement answers the span).
	Asked int64 `json:"askedWindows"`
	// AskedSettled counts the settled windows among Asked: windows with no kept part (a first query, a part dropped
	// by the bound), a changed signal (late rows, labels stamped before a kept cut-off), or inside the span of
	// others. Windows still open or within the settle time are asked by design and not counted here; on a store
	// that did not change, a repeated query adds none.
	AskedSettled int64 `json:"askedSettledWindows"`
	// Relabelled counts the windows answered from a kept part brought to the query's label cut-off by a label
	// delta (the labels that arrived for its predictions since), not in Reused or Asked.
	Relabelled int64 `json:"relabelledWindows"`
	Parts      int   `json:"keptParts"`
	Bytes      int64 `json:"keptBytes"` // estimated
	// File is the cache file (Options.Persist) and what it did last; FileRead the parts read from it.
	File     string `json:"file,omitempty"`
	FileRead int64  `json:"fileReadParts"`
	// Warning says why the settled parts are not kept in a file although a directory was set ("" otherwise): the
	// directory or the file could not be written, or the file could not be read (then it is replaced).
	Warning string `json:"warning,omitempty"`
}

// Stats returns the cache's counters and size.
func (s *Shared) Stats() Stats {
	st := Stats{Reused: s.reused.Load(), Asked: s.asked.Load(), AskedSettled: s.askedSettled.Load(), Relabelled: s.relabelled.Load(), FileRead: s.fileRead.Load(), Warning: s.diskOff}
	if s.kept != nil {
		st.Parts, st.Bytes = s.kept.size()
	}
	if p := s.disk; p != nil {
		p.mu.Lock()
		status := p.status
		if status == "" {
			status = "not read yet (read on the first query)"
		}
		st.File = p.path + ": " + status
		if p.warning != "" {
			st.Warning = p.warning
		}
		p.mu.Unlock()
	}
	return st
}

func (s *Shared) count(reused, asked, askedSettled, relabelled int) {
	s.reused.Add(int64(reused))
	s.asked.Add(int64(asked))
	s.askedSettled.Add(int64(askedSettled))
	s.relabelled.Add(int64(relabelled))
}

var _ store.Store = (*Shared)(nil)

// NewShared wraps next. Reuse needs next to offer store.ChangeSignal and opts.MaxBytes > 0; otherwise every
// call goes to next. With opts.Persist.Dir set, the settled parts are also kept in a file there (persist.go): a
// directory that cannot be written leaves the cache in memory, with a warning (Stats.Warning and the log).
func NewShared(next store.Store, opts Options) *Shared {
	s := &Shared{next: next, opts: opts}
	s.sig, _ = next.(store.ChangeSignal)
	s.delta, _ = next.(store.LabelDelta)
	if opts.MaxBytes > 0 && s.sig != nil {
		s.kept = newLRU(opts.MaxBytes)
		if s.disk, s.diskOff = newPersister(opts.Persist); s.diskOff != "" {
			opts.Persist.warn("window cache: answers come from memory and the store only", "error", s.diskOff)
		}
	}
	return s
}

func (s *Shared) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// Health is passed through.
func (s *Shared) Health(ctx context.Context) error { return s.next.Health(ctx) }

// Models is passed through: a new model may appear at any time.
func (s *Shared) Models(ctx context.Context) ([]store.Model, error) { return s.next.Models(ctx) }

// Features is passed through.
func (s *Shared) Features(ctx context.Context, model string) ([]store.Feature, error) {
	return s.next.Features(ctx, model)
}

// SegmentValues is passed through.
func (s *Shared) SegmentValues(ctx context.Context, scope store.Scope, column string, limit int) ([]store.SegmentCount, error) {
	return s.next.SegmentValues(ctx, scope, column, limit)
}

// ValidateTable is passed through.
func (s *Shared) ValidateTable(ctx context.Context, table string, features []store.Feature) error {
	return s.next.ValidateTable(ctx, table, features)
}

// Profile is kept whole per (scope, features, probabilities, category cap) once its range is settled (a reference
// table: always), under the scope's row count.
func (s *Shared) Profile(ctx context.Context, scope store.Scope, features []store.Feature, probs []float64, categoryCap int) (store.Profile, error) {
	return reuse(ctx, s, profileShape, aggCall[store.Profile]{method: "Profile", args: []any{features, probs, categoryCap},
		ask: func(sc store.Scope, _ store.Windowing) (store.Profile, error) {
			return s.next.Profile(ctx, sc, features, probs, categoryCap)
		}}, scope, store.Windowing{})
}

// Counts is kept per settled window and (scope, width, numeric bins, categorical bins).
func (s *Shared) Counts(ctx context.Context, scope store.Scope, w store.Windowing, num []store.NumericBins, cat []store.CategoricalBins) (store.Counts, error) {
	return reuse(ctx, s, countsShape, aggCall[store.Counts]{method: "Counts", args: []any{num, cat},
		ask: func(sc store.Scope, w store.Windowing) (store.Counts, error) {
			return s.next.Counts(ctx, sc, w, num, cat)
		}}, scope, w)
}

// Quality is kept per settled window and (scope, width, features).
func (s *Shared) Quality(ctx context.Context, scope store.Scope, w store.Windowing, features []store.QualityFeature) (store.Quality, error) {
	return reuse(ctx, s, qualityShape, aggCall[store.Quality]{method: "Quality", args: []any{features},
		ask: func(sc store.Scope, w store.Windowing) (store.Quality, error) {
			return s.next.Quality(ctx, sc, w, features)
		}}, scope, w)
}

// Performance is kept per settled window and (scope, width, threshold, class models), under the state of the
// labels known by the label cut-off; the cut-off is not part of the key: under the same state, two cut-offs know
// the same labels. A kept window whose predictions received labels between its cut-off and the call's is brought
// to the call's by a label delta (store.LabelDelta) where the store offers one.
func (s *Shared) Performance(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest) (store.Performance, error) {
	c := aggCall[store.Performance]{method: "Performance",
		args: []any{req.Threshold, req.ClassModels}, labels: true, until: req.LabelsUntil,
		ask: func(sc store.Scope, w store.Windowing) (store.Performance, error) {
			return s.next.Performance(ctx, sc, w, req)
		}}
	if s.delta != nil {
		c.relabel = func(sc store.Scope, w store.Windowing, from time.Time, parts map[int64]store.Performance) (map[int64]store.Performance, error) {
			before, after, err := s.delta.PerformanceDelta(ctx, sc, w, req, from)
			if err != nil {
				return nil, err
			}
			return relabelPerformance(parts, before, after)
		}
	}
	return reuse(ctx, s, performanceShape, c, scope, w)
}

// ScoreHistogram is kept per settled window and (scope, width, threshold).
func (s *Shared) ScoreHistogram(ctx context.Context, scope store.Scope, w store.Windowing, threshold float64) (store.ScoreHistogram, error) {
	return reuse(ctx, s, scoreHistogramShape, aggCall[store.ScoreHistogram]{method: "ScoreHistogram", args: []any{threshold},
		ask: func(sc store.Scope, w store.Windowing) (store.ScoreHistogram, error) {
			return s.next.ScoreHistogram(ctx, sc, w, threshold)
		}}, scope, w)
}

// MulticlassHistograms is passed through (its reference and current scopes are asked together).
func (s *Shared) MulticlassHistograms(ctx context.Context, req store.MulticlassRequest) (store.MulticlassHistograms, error) {
	return s.next.MulticlassHistograms(ctx, req)
}

// Close writes the settled parts not yet in the file, drops what is kept and closes the wrapped store.
func (s *Shared) Close() error {
	if s.kept != nil {
		s.disk.stop(s.kept, s.opts.MaxBytes)
		s.kept.clear()
	}
	return s.next.Close()
}
