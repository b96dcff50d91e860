package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// The label delta (engines that offer store.LabelDelta) of model a's two days from cut-off day 1 to day 9: the
// labels in between are a8's first (day 1 05:00, label 0), a5's (day 2) and a8's correction (day 9, label 1), so
// the touched rows are a5 (score 0.7) and a8 (0.95), both in window 1 (b3's label is model b's). Under day 1 neither
// has a label; under day 9 both are 1: two true positives, log loss −ln 0.7 − ln 0.95, classes 1 = 1, regression
// errors 0, lags 24 h (bucket 575) and 7 d 21 h (189 h, bucket 679), whose midpoints 24.2379662526019 and
// 190.07020349874443 h give the quantiles (Python, as in checkPerformance). Then, both ways, the answer under one
// cut-off brought to the other by the delta equals the store's answer under the other.
func checkLabelDelta(t *testing.T, st store.Store, ld store.LabelDelta) {
	req := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: day(9, 0), ClassModels: []string{"a"}}
	before, after, err := ld.PerformanceDelta(ctx, twoDays, daily, req, day(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "before", before.Windows, []store.WindowPerformance{{Model: "a", Window: 1, Served: 2}})
	expect(t, "before's buckets, classes and lags", [3]int{len(before.Buckets), len(before.Classes), len(before.Lags)}, [3]int{})
	expect(t, "after", after.Windows, []store.WindowPerformance{{Model: "a", Window: 1, Served: 2, Labelled: 2, TP: 2,
		LogLossSum: -math.Log(0.7) - math.Log(0.95), ClassLabelled: 2, Correct: 2, RegLabelled: 2,
		LagP50Hours: ptr(107.15408487567316), LagP90Hours: ptr(173.4869797741302)}})
	byBucket := func(b store.ScoreBucket) string { return k(b.Label, b.Bucket) }
	expect(t, "after's score buckets", sorted(after.Buckets, byBucket), sorted([]store.ScoreBucket{
		{Model: "a", Window: 1, Label: 1, Bucket: 700, Count: 1, ScoreSum: 0.7},
		{Model: "a", Window: 1, Label: 1, Bucket: 950, Count: 1, ScoreSum: 0.95},
	}, byBucket))
	for i := range after.Classes {
		after.Classes[i].Class = class(after.Classes[i].Class)
	}
	expect(t, "after's classes", after.Classes, []store.ClassCount{{Model: "a", Window: 1, Class: "1", TP: 2}})
	byLag := func(l store.LagBucket) string { return k(l.Bucket) }
	expect(t, "after's lags", sorted(after.Lags, byLag), []store.LagBucket{
		{Model: "a", Window: 1, Bucket: 575, Count: 1}, {Model: "a", Window: 1, Bucket: 679, Count: 1}})

	for _, c := range []struct{ from, to time.Time }{{day(1, 0), day(9, 0)}, {day(9, 0), day(1, 0)}, {day(0, 5), day(5, 0)}} {
		perf := func(until time.Time) store.Performance {
			r := req
			r.LabelsUntil = until
			p, err := st.Performance(ctx, twoDays, daily, r)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		r := req
		r.LabelsUntil = c.to
		b, a, err := ld.PerformanceDelta(ctx, twoDays, daily, r, c.from)
		if err != nil {
			t.Fatal(err)
		}
		got, exact := store.ApplyLabelDelta(perf(c.from), b, a)
		want := perf(c.to)
		name := "from " + c.from.Format(time.DateTime) + " to " + c.to.Format(time.DateTime)
		if !exact {
			t.Errorf("%s: not exact", name)
		}
		byWindow := func(w store.WindowPerformance) string { return k(w.Window) }
		expect(t, name, sorted(got.Windows, byWindow), sorted(want.Windows, byWindow))
		byKey := func(b store.ScoreBucket) string { return k(b.Window, b.Label, b.Bucket) }
		expect(t, name+": score buckets", sorted(got.Buckets, byKey), sorted(want.Buckets, byKey))
		byClass := func(c store.ClassCount) string { return k(c.Window, c.Class) }
		expect(t, name+": classes", sorted(got.Classes, byClass), sorted(want.Classes, byClass))
		byLagKey := func(l store.LagBucket) string { return k(l.Window, l.Bucket) }
		expect(t, name+": lags", sorted(got.Lags, byLagKey), sorted(want.Lags, byLagKey))
	}
}
