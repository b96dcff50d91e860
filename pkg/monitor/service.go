// Package monitor answers a drift query: it resolves features, windows and the reference, asks the store for
// aggregates (reference profile and bin counts), and hands the counts to the engine. It
// holds no SQL and no statistics of its own.
package monitor

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/drift"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Service runs drift analyses against one store.
type Service struct {
	store store.Store
	cfg   settings.Settings
}

// New returns a service over st configured by cfg. What is kept across queries (reference profiles, settled
// windows' aggregates) is st's concern: the data source passes a pkg/store/cache wrapper.
func New(st store.Store, cfg settings.Settings) *Service {
	return &Service{store: st, cfg: cfg}
}

// Store exposes the store for catalogue resources.
func (s *Service) Store() store.Store { return s.store }

// Request is one query over one time range. Interval and MaxDataPoints come from the panel (or alert rule).
type Request struct {
	Query         query.Model
	From, To      time.Time
	Interval      time.Duration
	MaxDataPoints int64
}

// WindowScore is one window's score.
type WindowScore struct {
	Start time.Time
	drift.Result
}

// Series is the result for one (model, feature).
type Series struct {
	Feature   store.Feature
	Metric    string
	ChosenBy  string
	Threshold float64
	Direction drift.Direction
	Edges     []float64 // display bin edges of numeric features
	RefRows   int64
	Windows   []WindowScore
	Notice    string // why the whole series has no scores, if it has none
}

// Result is the answer to one request.
type Result struct {
	Series  []Series
	Window  time.Duration
	SQL     []string
	Notices []string
}

// resolveFeatures returns the features the query names (all of the model's when it names none), in the
// registry's importance order, failing with the list of valid names when a name is unknown.
func (s *Service) resolveFeatures(ctx context.Context, q query.Model) ([]store.Feature, error) {
	all, err := s.store.Features(ctx, q.Model)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no feature columns found for model %q", q.Model)
	}
	if len(q.Features) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, f := range q.Features {
		want[strings.ToLower(f)] = true
	}
	var out []store.Feature
	found := map[string]bool{}
	for _, f := range all {
		if want[f.Name] {
			out = append(out, f)
			found[f.Name] = true
		}
	}
	for _, f := range q.Features {
		if !found[strings.ToLower(f)] {
			return nil, fmt.Errorf("unknown feature %q for model %q (known: %s)", f, displayModel(q.Model), featureList(all))
		}
	}
	return out, nil
}

func displayModel(m string) string {
	if m == "" {
		return "all models"
	}
	return m
}

func featureList(fs []store.Feature) string {
	seen := map[string]bool{}
	var names []string
	for _, f := range fs {
		if !seen[f.Name] {
			seen[f.Name] = true
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	if len(names) > 12 {
		names = append(names[:12], "…")
	}
	return strings.Join(names, ", ")
}

// checkSegment validates the segment filter against the configured segment columns.
func (s *Service) checkSegment(seg *query.Segment) error {
	if seg == nil {
		return nil
	}
	for _, c := range s.cfg.SegmentColumns {
		if strings.EqualFold(c, seg.Column) {
			return nil
		}
	}
	return fmt.Errorf("%q is not a configured segment column (configured: %s)", seg.Column, strings.Join(s.cfg.SegmentColumns, ", "))
}

// windowing is how a request's range is cut into windows.
type windowing struct {
	width   time.Duration
	origin  time.Time // start of the first window (query.AlignWindow)
	count   int
	notices []string
}

// resolveWindowing checks the range and segment of a request and resolves its windows (clamped, aligned).
func (s *Service) resolveWindowing(req Request) (windowing, error) {
	q := req.Query
	if !req.To.After(req.From) {
		return windowing{}, fmt.Errorf("time range ends before it starts")
	}
	if err := s.checkSegment(q.Segment); err != nil {
		return windowing{}, err
	}
	w, notice, err := query.ResolveWindow(q.Window, req.Interval, req.To.Sub(req.From), req.MaxDataPoints)
	if err != nil {
		return windowing{}, err
	}
	if r := q.Reference; r != nil && r.Type == query.RefTrailing {
		err = query.CheckLookback("the trailing reference", r.Windows, w)
	}
	if th := q.Thresholds; err == nil && th != nil && th.Mode == query.ThresholdTrailing {
		err = query.CheckLookback("the thresholds history", th.History, w)
	}
	if err != nil {
		return windowing{}, err
	}
	out := windowing{width: w, origin: query.AlignWindow(req.From, w)}
	out.count = int((req.To.Sub(out.origin) + w - 1) / w) // ≤ MaxWindows+1: range ≤ MaxSpan, w ≥ range/MaxWindows
	if notice != "" {
		out.notices = append(out.notices, notice)
	}
	return out, nil
}

// Windows is the width and aligned origin of a request's windows, as every analysis cuts them: callers that run
// a request again over another range (dynamic thresholds) pin the width so both runs share window bounds.
func (s *Service) Windows(req Request) (time.Duration, time.Time, error) {
	w, err := s.resolveWindowing(req)
	return w.width, w.origin, err
}

// modelWindow keys per-(model, window) aggregates.
type modelWindow struct {
	m string
	w int64
}

// decisionThreshold is the query's decision threshold, or the default.
func decisionThreshold(q query.Model) float64 {
	if q.DecisionThreshold != nil {
		return *q.DecisionThreshold
	}
	return query.DefaultDecisionThreshold
}

// queryModels lists the models a label-based analysis covers: the one the query names (an unknown name is an
// error), or every model. An empty registry task is taken as binary.
func (s *Service) queryModels(ctx context.Context, q query.Model) ([]store.Model, error) {
	all, err := s.store.Models(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Model
	for _, m := range all {
		if q.Model != "" && m.ID != q.Model {
			continue
		}
		if m.Task == "" {
			m.Task = TaskBinary
		}
		out = append(out, m)
	}
	if q.Model != "" && len(out) == 0 {
		return nil, fmt.Errorf("unknown model %q", q.Model)
	}
	return out, nil
}
