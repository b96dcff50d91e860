package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// maxReuseWindows bounds the windows of one call the cache plans for; a call over more (not made by the monitor,
// whose ranges are clamped) goes to the store whole.
const maxReuseWindows = 100_000

// signal is what a kept part was computed from: the window's rows and labels in the log row. A part is reused
// only under an equal signal.
type signal struct {
	Rows, Labelled int64
}

// entry is one window's kept part, the statements that computed it (shared by the parts of one call) and, for the
// label-reading aggregates, the label cut-off it was computed with and the state of the labels known by then.
// Its fields are exported for the cache file (persist.go).
type entry[T any] struct {
	Sig    signal
	Part   T
	SQL    []string
	Until  int64 // µs since the epoch
	Labels store.LabelState
}

// size is the estimated bytes of a kept entry: its part and its statements (the parts of one call share their
// statements in memory, so counting them per part errs high).
func (e entry[T]) size(sh shape[T]) int64 {
	n := sh.bytes(e.Part)
	for _, q := range e.SQL {
		n += int64(len(q)) + 16
	}
	return n
}

// call is one aggregate call as the cache plans it: the method and every argument its per-window answer depends
// on except the time bounds (args), whether it reads labels (and up to which label_ts), and how to ask the store.
type aggCall[T any] struct {
	method string
	args   []any
	labels bool
	until  time.Time // label cut-off (labels only)
	ask    func(store.Scope, store.Windowing) (T, error)
	// relabel, when set (a label reader over a store.LabelDelta), brings kept parts computed under the label
	// cut-off from to the call's, over the scope's windows it is given (parts, by window index): the new parts by
	// window index, every given window answered.
	relabel func(scope store.Scope, w store.Windowing, from time.Time, parts map[int64]T) (map[int64]T, error)
}

// stale is a kept part whose window received labels since its cut-off: relabel brings it to the call's.
type stale[T any] struct {
	win window
	e   entry[T]
}

// window is one window of a call: its index in the caller's windowing, its bounds, whether the scope covers it
// whole and whether it is settled (whole and ended at least the settle time ago).
type window struct {
	index      int64
	start, end time.Time
	settled    bool
}

// windowsOf lists the windows a scope spans. Without a width the scope is one window, index 0; with one, the
// windows floor((From − Origin) / Width) … floor((To − 1µs − Origin) / Width). ok is false when the scope has no
// time bounds under a width, or spans more than maxReuseWindows.
func windowsOf(scope store.Scope, w store.Windowing, settleBy time.Time) ([]window, bool) {
	if w.Width <= 0 {
		settled := scope.From.IsZero() || !scope.To.After(settleBy)
		return []window{{index: 0, start: scope.From, end: scope.To, settled: settled}}, true
	}
	if scope.From.IsZero() || !scope.To.After(scope.From) {
		return nil, false
	}
	first := floorDiv(scope.From.Sub(w.Origin), w.Width)
	last := floorDiv(scope.To.Sub(w.Origin)-time.Microsecond, w.Width)
	if last-first >= maxReuseWindows {
		return nil, false
	}
	out := make([]window, 0, last-first+1)
	for i := first; i <= last; i++ {
		start := w.Origin.Add(time.Duration(i) * w.Width)
		end := start.Add(w.Width)
		whole := !start.Before(scope.From) && !end.After(scope.To)
		out = append(out, window{index: i, start: start, end: end, settled: whole && !end.After(settleBy)})
	}
	return out, true
}

func floorDiv(d, w time.Duration) int64 {
	q := int64(d / w)
	if d%w != 0 && d < 0 {
		q--
	}
	return q
}

// reuse answers c over scope and w once for identical concurrent calls (together; reuse on or off), by plan. A
// call with an argument JSON cannot encode (NaN) is neither shared nor kept: it asks the store.
func reuse[T any](ctx context.Context, s *Shared, sh shape[T], c aggCall[T], scope store.Scope, w store.Windowing) (T, error) {
	key, err := callKey(c, scope, w)
	if err != nil {
		return c.ask(scope, w)
	}
	return together(ctx, &s.flight, flightKey(key, c, scope, w), func() (T, error) {
		return plan(ctx, s, sh, c, key, scope, w)
	})
}

// plan answers c (kept under key, see callKey) over scope and w from kept parts of settled windows and asks the
// store, in one call over the span from the first to the last window not held, for the rest. It asks the store
// for the whole scope when the store offers no change signal, when reuse is off, or when the signal cannot be
// read (the call's own error then surfaces from the store).
func plan[T any](ctx context.Context, s *Shared, sh shape[T], c aggCall[T], key string, scope store.Scope, w store.Windowing) (T, error) {
	if s.sig == nil || s.kept == nil {
		return c.ask(scope, w)
	}
	s.loaded.Do(s.load)
	var err error
	wins, ok := windowsOf(scope, w, s.now().Add(-s.opts.Settle))
	if !ok {
		return c.ask(scope, w)
	}
	sig := memoSignal(ctx, s.sig)
	sigs, ok := signals(ctx, sig, wins, scope, w)
	if !ok {
		return c.ask(scope, w)
	}
	labels := labelView{ctx: ctx, s: s, sig: sig, scope: scope, w: w, cutoffs: map[int64]*labelDelta{}}
	if c.labels {
		if labels.known, err = sig.LabelState(ctx, c.until); err != nil {
			return c.ask(scope, w)
		}
		labels.until = c.until
	}
	held := map[int64]T{}
	var heldSQL []string
	var missing []window
	var relabel []stale[T]
	for _, win := range wins {
		if v, ok := s.kept.get(partKey(key, win)); ok && win.settled && v.(entry[T]).Sig == sigs[win.index] {
			e := v.(entry[T])
			switch labels.answers(e.Until, e.Labels, win.index) {
			case same:
				held[win.index], heldSQL = e.Part, e.SQL
				if e.Until != labels.until.UnixMicro() { // the same answer under this cut-off: kept under it from now on
					e.Until, e.Labels = labels.until.UnixMicro(), labels.known
					s.kept.put(partKey(key, win), e, e.size(sh))
				}
				continue
			case relabelled:
				if c.relabel == nil {
					break
				}
				relabel = append(relabel, stale[T]{win, e})
				continue
			}
		}
		missing = append(missing, win)
	}
	relabel, missing = relabelOutside(relabel, missing)
	brought := 0 // windows a label delta brought forward
	for _, group := range byCutoff(relabel) {
		parts, err := relabelParts(s, sh, c, key, group, scope, w, labels)
		if err != nil { // asked from the store instead
			for _, st := range group {
				missing = append(missing, st.win)
			}
			continue
		}
		for i, p := range parts {
			held[i], heldSQL = p, group[0].e.SQL
		}
		brought += len(group)
	}
	sortWindows(missing)
	var lo, hi window // the span asked from the store: from the first to the last missing window
	inSpan, settledInSpan := 0, 0
	if len(missing) > 0 {
		lo, hi = missing[0], missing[len(missing)-1]
		for _, win := range wins {
			if win.index >= lo.index && win.index <= hi.index {
				inSpan++
				if win.settled {
					settledInSpan++
				}
			}
		}
	}
	s.count(len(wins)-inSpan-brought, inSpan, settledInSpan, brought)
	var asked T
	parts := make([]placed[T], 0, len(wins))
	if len(missing) > 0 {
		span := scope
		if w.Width > 0 {
			span.From, span.To = latest(scope.From, lo.start), earliest(scope.To, hi.end)
		}
		if asked, err = c.ask(span, w); err != nil {
			return asked, err
		}
		fresh := sh.split(asked)
		for _, win := range wins {
			if win.index < lo.index || win.index > hi.index {
				continue
			}
			part, ok := fresh[win.index]
			if !ok {
				part = sh.empty(asked)
			}
			delete(held, win.index)
			parts = append(parts, placed[T]{win.index, part})
			if win.settled {
				e := entry[T]{sigs[win.index], part, *sh.sql(&asked), labels.until.UnixMicro(), labels.known}
				s.kept.put(partKey(key, win), e, e.size(sh))
				s.disk.changed(s)
			}
		}
	}
	for i, part := range held {
		parts = append(parts, placed[T]{i, part})
	}
	sortPlaced(parts)
	out := sh.join(parts)
	// The statements are those that compute the answer: their text binds every value (times included), so the
	// store's statement over the missing span reads as the statement over the whole range, and an answer made of
	// kept parts only lists the statements that computed them. A reused answer's frames are a cold answer's.
	*sh.sql(&out) = *sh.sql(&asked)
	if len(missing) == 0 {
		*sh.sql(&out) = heldSQL
	}
	return out, nil
}

// signals reads the change signal of every window of a call (store.ChangeSignal.WindowRows over the whole
// scope; a window with no row has the zero signal). ok is false when it cannot be read.
func signals(ctx context.Context, sig store.ChangeSignal, wins []window, scope store.Scope, w store.Windowing) (map[int64]signal, bool) {
	rows, err := sig.WindowRows(ctx, scope, w)
	if err != nil {
		return nil, false
	}
	out := make(map[int64]signal, len(wins))
	for _, win := range wins {
		out[win.index] = signal{}
	}
	for _, r := range rows {
		out[r.Window] = signal{Rows: r.Rows, Labelled: r.Labelled}
	}
	return out, true
}

// labelView decides, for one call of a label-reading aggregate over a labels table, whether a part kept under
// another label cut-off answers for the call's: the labels known by the kept cut-off must still be those it was
// computed with (the table is append-only: a label added since with an earlier label_ts changes that state), and
// no label with a label_ts between the two cut-offs may belong to a prediction of the window. Other calls (no
// labels, or labels in the log row, which the rows signal covers) accept every part.
type labelView struct {
	ctx     context.Context
	s       *Shared
	sig     store.ChangeSignal // s.sig, through the request's memo
	scope   store.Scope
	w       store.Windowing
	until   time.Time        // the call's cut-off (zero: not a label reader)
	known   store.LabelState // labels known by until
	cutoffs map[int64]*labelDelta
}

// labelDelta is what changed between a kept cut-off and the call's: whether the labels known by the kept one are
// unchanged, and the windows with a label in between.
type labelDelta struct {
	same    bool
	touched map[int64]bool
}

// labelAnswer is how a part kept under one label cut-off answers for another.
type labelAnswer int

const (
	changed    labelAnswer = iota // labels known by the kept cut-off changed (or cannot be read): ask the window again
	same                          // the same labels: the kept part answers as it is
	relabelled                    // labels of the window's predictions arrived in between: a label delta brings it
)

func (v *labelView) answers(until int64, known store.LabelState, window int64) labelAnswer {
	if !v.known.HasLabelTable {
		return same
	}
	if until == v.until.UnixMicro() {
		if known == v.known {
			return same
		}
		return changed
	}
	d, ok := v.cutoffs[until]
	if !ok {
		d = &labelDelta{}
		v.cutoffs[until] = d
		kept := time.UnixMicro(until).UTC()
		if st, err := v.sig.LabelState(v.ctx, kept); err == nil && st == known {
			after, before := earliest(kept, v.until), latest(kept, v.until)
			if wins, err := v.sig.LabelledWindows(v.ctx, v.scope, v.w, after, before); err == nil {
				d.same, d.touched = true, map[int64]bool{}
				for _, w := range wins {
					d.touched[w] = true
				}
			}
		}
	}
	switch {
	case !d.same:
		return changed
	case d.touched[window]:
		return relabelled
	}
	return same
}

func callKey[T any](c aggCall[T], scope store.Scope, w store.Windowing) (string, error) {
	bounds := []any{}
	if w.Width <= 0 {
		bounds = append(bounds, scope.From, scope.To)
	}
	raw, err := json.Marshal([]any{c.method, scope.Table, scope.Model, scope.Segment, w.Width, bounds, c.args})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

// flightKey names a call whole, to share it while it runs (together): its kept parts' key and what that key
// leaves out — the scope's time bounds, the windows' origin and the label cut-off.
func flightKey[T any](key string, c aggCall[T], scope store.Scope, w store.Windowing) string {
	out := key
	for _, t := range []time.Time{scope.From, scope.To, w.Origin, c.until} {
		out += "/" + t.UTC().Format(time.RFC3339Nano)
	}
	return out
}

// partKey names one window's part of a call: the call's key and the window's start (the caller's origin does not
// matter: windows of one width that start at the same instant hold the same rows).
func partKey(key string, win window) string {
	return fmt.Sprintf("%s/%d", key, win.start.UnixMicro())
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
