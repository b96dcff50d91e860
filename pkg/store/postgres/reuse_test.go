package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/cache"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// Window reuse over a labels table that grows while the store is read (a server engine: rows and labels arrive
// under a running data source). After each change the reused performance answer equals the store's own, and a kept
// window is reused exactly when its rows did not change and no label of its predictions is known by one of the
// two cut-offs (the kept one and the query's) but not by the other; when such labels are all it lacks, a label
// delta brings it to the query's cut-off (relabelled).
func TestReuseFollowsLateLabelsAndRows(t *testing.T) {
	srv := pgtest.Need(t)
	ctx := context.Background()
	st := openFixture(t, storetest.Wide())
	defer st.Close()
	conn, err := pgx.Connect(ctx, srv.URL(pgtest.Superuser, pgtest.SuperPassword, fmt.Sprintf("suite_%d", fixtureDBs.Load())))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	day := func(d, h int) time.Time { return time.Date(2026, 1, 1+d, h, 0, 0, 0, time.UTC) }
	shared := cache.NewShared(st, cache.Options{MaxBytes: 1 << 20, Settle: time.Hour, Now: func() time.Time { return day(30, 0) }})
	scope := store.Scope{From: day(0, 0), To: day(2, 0), Model: "a"}
	daily := store.Windowing{Origin: day(0, 0), Width: 24 * time.Hour}
	check := func(what string, until time.Time, wantReused, wantRelabelled int64) {
		t.Helper()
		before, relabelled := shared.Stats().Reused, shared.Stats().Relabelled
		req := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: until}
		got, err := shared.Performance(ctx, scope, daily, req)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.Performance(ctx, scope, daily, req)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := canonical(got), canonical(want); g != w {
			t.Fatalf("%s: reused answer\n%s\nstore's answer\n%s", what, g, w)
		}
		if reused := shared.Stats().Reused - before; reused != wantReused {
			t.Errorf("%s: %d windows reused, want %d", what, reused, wantReused)
		}
		if n := shared.Stats().Relabelled - relabelled; n != wantRelabelled {
			t.Errorf("%s: %d windows brought to the cut-off by a label delta, want %d", what, n, wantRelabelled)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	check("first", day(5, 0), 0, 0)
	check("again", day(5, 0), 2, 0)
	exec(`INSERT INTO inference_label VALUES ('a6', 1, $1)`, day(3, 0))
	check("a late label known by the cut-off", day(5, 0), 0, 0)
	exec(`INSERT INTO inference_label VALUES ('a5', 0, $1)`, day(7, 0))
	check("a label after the cut-off", day(5, 0), 2, 0)
	check("a later cut-off: a5's new label is in window 1 (a label delta)", day(8, 0), 1, 1)
	check("a cut-off between the last two labels", day(6, 0), 1, 1)
	exec(`INSERT INTO inference_log (ts, model_id, prediction_id, score, prediction) VALUES ($1, 'a', 'a9', 0.9, 1)`, day(0, 10))
	check("a late row into window 0", day(6, 0), 1, 0)
	check("nothing new", day(6, 0), 2, 0)
}

// canonical renders an answer with its rows in order and without its statements, its floating values to 12
// significant digits: a window brought to another cut-off by a label delta sums kept − before + after, so its
// sums may differ from the store's in the last bits (relative 1e-13 at most, store.ApplyLabelDelta).
func canonical(p store.Performance) string {
	var rows []string
	for _, w := range p.Windows {
		p50, p90 := lag(w.LagP50Hours), lag(w.LagP90Hours)
		w.LagP50Hours, w.LagP90Hours = nil, nil
		for _, f := range []*float64{&w.LogLossSum, &w.AbsErrSum, &w.SqErrSum, &w.APESum} {
			*f = round12(*f)
		}
		rows = append(rows, fmt.Sprintf("%+v %v %v", w, p50, p90))
	}
	for _, b := range p.Buckets {
		b.ScoreSum = round12(b.ScoreSum)
		rows = append(rows, fmt.Sprintf("%+v", b))
	}
	slices.Sort(rows)
	return fmt.Sprint(rows)
}

func lag(p *float64) any {
	if p == nil {
		return nil
	}
	return round12(*p)
}

func round12(f float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
	return r
}
