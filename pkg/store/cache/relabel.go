package cache

import (
	"errors"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// relabelOutside moves the stale parts inside the span the store is asked for (from the first to the last missing
// window, missing in window order) to missing: the span's statement answers them anyway.
func relabelOutside[T any](parts []stale[T], missing []window) ([]stale[T], []window) {
	if len(missing) == 0 {
		return parts, missing
	}
	lo, hi := missing[0].index, missing[len(missing)-1].index
	var out []stale[T]
	for _, st := range parts {
		if st.win.index >= lo && st.win.index <= hi {
			missing = append(missing, st.win)
		} else {
			out = append(out, st)
		}
	}
	return out, missing
}

// byCutoff groups stale parts by the label cut-off they were kept under (in cut-off order, windows in order
// within a group): one label delta per group.
func byCutoff[T any](parts []stale[T]) [][]stale[T] {
	groups := map[int64][]stale[T]{}
	var cutoffs []int64
	for _, st := range parts {
		if _, ok := groups[st.e.Until]; !ok {
			cutoffs = append(cutoffs, st.e.Until)
		}
		groups[st.e.Until] = append(groups[st.e.Until], st)
	}
	sort.Slice(cutoffs, func(i, j int) bool { return cutoffs[i] < cutoffs[j] })
	out := make([][]stale[T], len(cutoffs))
	for i, u := range cutoffs {
		out[i] = groups[u]
	}
	return out
}

// relabelParts brings one group of stale parts (one kept cut-off) to the call's cut-off with one label delta over
// the span of their windows, and keeps them under the call's cut-off. The file is not rewritten for them: the
// part it holds stays right under its own cut-off, and is brought forward the same way after a restart.
func relabelParts[T any](s *Shared, sh shape[T], c aggCall[T], key string, group []stale[T], scope store.Scope, w store.Windowing, labels labelView) (map[int64]T, error) {
	span := scope
	if w.Width > 0 {
		span.From, span.To = latest(scope.From, group[0].win.start), earliest(scope.To, group[len(group)-1].win.end)
	}
	parts := make(map[int64]T, len(group))
	for _, st := range group {
		parts[st.win.index] = st.e.Part
	}
	out, err := c.relabel(span, w, time.UnixMicro(group[0].e.Until).UTC(), parts)
	if err != nil {
		return nil, err
	}
	for _, st := range group {
		e := st.e
		e.Part, e.Until, e.Labels = out[st.win.index], labels.until.UnixMicro(), labels.known
		s.kept.put(partKey(key, st.win), e, e.size(sh))
	}
	return out, nil
}

// relabelPerformance applies a label delta (store.LabelDelta's before and after answers over the parts' span) to
// kept performance parts, window by window (store.ApplyLabelDelta), each part's rows set to its window's index.
func relabelPerformance(parts map[int64]store.Performance, before, after store.Performance) (map[int64]store.Performance, error) {
	b, a := performanceShape.split(before), performanceShape.split(after)
	one := func(i int64, p store.Performance) store.Performance {
		return performanceShape.join([]placed[store.Performance]{{i, p}})
	}
	out := make(map[int64]store.Performance, len(parts))
	for i, p := range parts {
		var exact bool
		if out[i], exact = store.ApplyLabelDelta(one(i, p), one(i, b[i]), one(i, a[i])); !exact {
			return nil, errCancelled
		}
	}
	return out, nil
}

// errCancelled is why a label delta is not used: a floating sum would lose too much to cancellation
// (store.ApplyLabelDelta); the windows are asked from the store.
var errCancelled = errors.New("label delta: a floating sum would cancel")

func sortWindows(ws []window) {
	sort.Slice(ws, func(i, j int) bool { return ws[i].index < ws[j].index })
}
