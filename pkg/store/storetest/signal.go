package storetest

import (
	"testing"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// The change signal (engines that offer store.ChangeSignal). Rows per day: model a has 4 on day 0 and 4 on day 1;
// region EU over both models: a1, a2, b1, b2 on day 0, a5, a6 (its first row) and b3 on day 1. No label column is
// mapped, so Labelled is 0; the labels table has 9 rows with label_ts by day 5 (the latest a5's, day 2) and a 10th,
// a8's correction, on day 9.
func checkChangeSignal(t *testing.T, sig store.ChangeSignal) {
	got, err := sig.WindowRows(ctx, twoDays, daily)
	if err != nil {
		t.Fatal(err)
	}
	byWindow := func(w store.WindowRows) string { return k(w.Window) }
	expect(t, "rows of model a", sorted(got, byWindow), []store.WindowRows{{Window: 0, Rows: 4}, {Window: 1, Rows: 4}})
	eu := store.Scope{From: day(0, 0), To: day(2, 0), Segment: &query.Segment{Column: "region", Value: "EU"}}
	if got, err = sig.WindowRows(ctx, eu, daily); err != nil {
		t.Fatal(err)
	}
	expect(t, "rows of region EU", sorted(got, byWindow), []store.WindowRows{{Window: 0, Rows: 4}, {Window: 1, Rows: 3}})
	if got, err = sig.WindowRows(ctx, store.Scope{From: day(1, 0), To: day(1, 2), Model: "a"}, store.Windowing{}); err != nil {
		t.Fatal(err)
	}
	expect(t, "rows of an unwindowed scope", got, []store.WindowRows{{Window: 0, Rows: 2}})
	labels, err := sig.LabelState(ctx, day(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "labels known by day 5", labels, store.LabelState{Rows: 9, LatestMicros: day(2, 0).UnixMicro(), HasLabelTable: true})
	if labels, err = sig.LabelState(ctx, day(9, 0)); err != nil {
		t.Fatal(err)
	}
	expect(t, "labels known by day 9", labels, store.LabelState{Rows: 10, LatestMicros: day(9, 0).UnixMicro(), HasLabelTable: true})
	// Labels after day 0 13:00 and by day 2: a8's first (day 1 05:00, window 1), a5's (day 2 00:00, window 1), b3's
	// (model b); in model a's two days, window 1 only. Labels by day 9 after day 2: a8's correction (window 1).
	wins, err := sig.LabelledWindows(ctx, twoDays, daily, day(0, 13), day(2, 0))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "windows labelled in (day 0 13:00, day 2]", wins, []int64{1})
	if wins, err = sig.LabelledWindows(ctx, twoDays, daily, day(0, 5), day(0, 7)); err != nil {
		t.Fatal(err)
	}
	expect(t, "windows labelled in (day 0 05:00, day 0 07:00]", wins, []int64{0})
	if wins, err = sig.LabelledWindows(ctx, twoDays, daily, day(2, 0), day(8, 0)); err != nil {
		t.Fatal(err)
	}
	expect(t, "windows labelled in (day 2, day 8]", wins, []int64(nil))
}
