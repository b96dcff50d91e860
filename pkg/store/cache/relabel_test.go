package cache

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/duckdb"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// labelledLog is a DuckDB log with a labels table that receives labels and rows between queries: the store is
// closed, the file written and the store opened again (a DuckDB file is locked by its reader), under the same
// *labelledLog, which the cache wraps.
type labelledLog struct {
	*sqlstore.Store
	t    *testing.T
	cfg  settings.Settings
	rows int
}

// newLabelledLog writes eight days of rows every 7 minutes — binary models a and b, multiclass m, regions EU and
// NA — and a labels table: four rows in five labelled, 0 to 4 days after the prediction, one label in seven
// corrected (another class) up to 2 days later.
func newLabelledLog(t *testing.T) *labelledLog {
	l := &labelledLog{t: t, rows: 8 * 24 * 60 / 7}
	l.cfg = settings.Defaults()
	l.cfg.Path = filepath.Join(t.TempDir(), "labels.duckdb")
	l.cfg.LabelColumn, l.cfg.RegistryTable, l.cfg.VersionColumn = "", "", ""
	l.exec(fmt.Sprintf(`CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-03-01' + INTERVAL (i * 7) MINUTE AS ts,
			['a', 'b', 'm'][i %% 3 + 1] AS model_id, 'p' || i AS prediction_id,
			CASE WHEN hash(i) %% 3 = 0 THEN 'EU' ELSE 'NA' END AS region, (hash(i, 1) %% 100) / 10.0 AS x,
			CASE WHEN i %% 3 = 2 THEN (hash(i, 4) %% 3)::DOUBLE ELSE (hash(i, 5) %% 2)::DOUBLE END AS prediction,
			(hash(i, 6) %% 1000) / 1000.0 AS score
			FROM range(%d) t(i)`, l.rows),
		`CREATE TABLE inference_label AS SELECT prediction_id,
			CASE WHEN model_id = 'm' THEN (hash(prediction_id, 8) % 3)::DOUBLE ELSE (hash(prediction_id, 9) % 2)::DOUBLE END AS label,
			ts + INTERVAL (hash(prediction_id, 10) % (4 * 24 * 60)) MINUTE AS label_ts
			FROM inference_log WHERE hash(prediction_id, 7) % 5 <> 0`,
		`INSERT INTO inference_label SELECT prediction_id, (label + 1) % 3, label_ts + INTERVAL (hash(prediction_id, 12) % (2 * 24 * 60)) MINUTE
			FROM inference_label WHERE hash(prediction_id, 11) % 7 = 0`)
	return l
}

// exec closes the store, runs statements on the file and opens the store again.
func (l *labelledLog) exec(stmts ...string) {
	l.t.Helper()
	l.on(func(db *sql.DB) {
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				l.t.Fatalf("%v\n%s", err, s)
			}
		}
	})
}

// queryRow closes the store, scans the one row of q read from the file into dest and opens the store again.
func (l *labelledLog) queryRow(q string, dest ...any) {
	l.t.Helper()
	l.on(func(db *sql.DB) {
		if err := db.QueryRow(q).Scan(dest...); err != nil {
			l.t.Fatalf("%v\n%s", err, q)
		}
	})
}

// on closes the store, runs f on the file and opens the store again.
func (l *labelledLog) on(f func(*sql.DB)) {
	l.t.Helper()
	if l.Store != nil {
		_ = l.Store.Close()
	}
	db, err := sql.Open("duckdb", l.cfg.Path)
	if err != nil {
		l.t.Fatal(err)
	}
	f(db)
	if err := db.Close(); err != nil {
		l.t.Fatal(err)
	}
	if l.Store, err = duckdb.Open(l.cfg); err != nil {
		l.t.Fatal(err)
	}
}

// Randomized: a label cut-off that mostly moves forward (labels arrive: new ones, and corrections replacing a
// prediction's earlier label) and sometimes back, labels stamped before a kept cut-off (LabelState changes: the
// windows are asked again), late rows into settled windows, and an alert rule's next minute (the cut-off, the
// clock and the end of the windowed scopes move by a minute, the last window partial and the windows that ended
// within the settle time not kept); after each change, performance answers over random scopes, windows, thresholds
// and class models — and the un-windowed reference scope — through the cache equal the store's cold answers
// (floating sums within 1e-12 relative: kept − before + after against one sum). Kept parts must have been brought
// forward by label deltas, reused and asked, or the comparison would prove nothing.
func TestRelabelledAnswersEqualColdAnswers(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("MODELMON_RELABEL_SEED"); s != "" {
		_, _ = fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (MODELMON_RELABEL_SEED to replay)", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	l := newLabelledLog(t)
	now := day0.AddDate(0, 0, 20)
	shared := NewShared(l, Options{MaxBytes: 64 << 20, Settle: time.Hour, Now: func() time.Time { return now }})
	defer shared.Close()
	ctx := context.Background()
	until := day0.AddDate(0, 0, 2)
	added := 0
	for step := 0; step < 30; step++ {
		switch k := r.IntN(6); k {
		case 0: // a label stamped before the cut-off, arriving late
			at := until.Add(-time.Duration(1+r.IntN(48)) * time.Hour)
			l.exec(fmt.Sprintf(`INSERT INTO inference_label VALUES ('p%d', %d, TIMESTAMP '%s')`, r.IntN(l.rows), r.IntN(2), at.Format(time.DateTime)))
		case 1: // late rows into a settled window, labelled later
			added++
			at := day0.Add(time.Duration(r.IntN(7*24)) * time.Hour)
			l.exec(fmt.Sprintf(`INSERT INTO inference_log VALUES (TIMESTAMP '%s', 'a', 'late%d', 'EU', 1, 1, 0.75)`, at.Format(time.DateTime), added),
				fmt.Sprintf(`INSERT INTO inference_label VALUES ('late%d', 1, TIMESTAMP '%s')`, added, until.Add(time.Duration(1+r.IntN(30))*time.Hour).Format(time.DateTime)))
		}
		alert := r.IntN(3) == 0
		switch {
		case alert:
			until = until.Add(time.Minute)
		case r.IntN(5) == 0:
			until = until.Add(-time.Duration(1+r.IntN(20)) * time.Hour)
		default:
			until = until.Add(time.Duration(1+r.IntN(30)) * time.Hour)
		}
		now = day0.AddDate(0, 0, 20)
		if alert {
			now = until
		}
		for q := 0; q < 4; q++ {
			scope := store.Scope{Model: []string{"", "a", "m"}[r.IntN(3)]}
			if r.IntN(3) == 0 {
				scope.Segment = &query.Segment{Column: "region", Value: "EU"}
			}
			var w store.Windowing
			if r.IntN(4) == 0 { // a reference range
				scope.From, scope.To = day0, day0.AddDate(0, 0, 2)
			} else {
				w = store.Windowing{Origin: day0.Add(time.Duration(r.IntN(2)) * 6 * time.Hour), Width: []time.Duration{6, 12, 24}[r.IntN(3)] * time.Hour}
				scope.From = day0.Add(time.Duration(r.IntN(3)) * 24 * time.Hour)
				scope.To = scope.From.Add(time.Duration(3+r.IntN(4)) * 24 * time.Hour)
				if alert && until.After(scope.From) { // the range ends at the evaluation time
					scope.To = until
				}
			}
			req := store.PerformanceRequest{Threshold: []float64{0.3, 0.5}[r.IntN(2)], LabelsUntil: until}
			if scope.Model != "a" {
				req.ClassModels = []string{"m"}
			}
			got, err := shared.Performance(ctx, scope, w, req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := l.Performance(ctx, scope, w, req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := performanceDiff(got, want); diff != "" {
				t.Fatalf("step %d (alert minute %v), %+v %+v %+v: the cached answer differs from the cold one: %s", step, alert, scope, w, req, diff)
			}
		}
	}
	st := shared.Stats()
	if st.Relabelled == 0 || st.Reused == 0 || st.Asked == 0 {
		t.Fatalf("%d windows relabelled, %d reused, %d asked: the comparison proved nothing", st.Relabelled, st.Reused, st.Asked)
	}
	t.Logf("%d windows relabelled, %d reused, %d asked", st.Relabelled, st.Reused, st.Asked)
}

// An alert rule's next evaluation, a minute after the last, over a store that did not change: its range and label
// cut-off end at the evaluation time, inside the last window. The store is asked for that open window only; the
// five settled windows are reused, those holding a prediction whose label was stamped in that minute (counted here
// by a join of the two tables) brought forward by a label delta; the answer is the store's.
func TestAlertMinuteAsksOnlyTheOpenWindow(t *testing.T) {
	l := newLabelledLog(t)
	ctx := context.Background()
	open := day0.AddDate(0, 0, 5) // the last window: [open, open + 1 day)
	var stamped time.Time         // the first label after noon of the open day for a prediction of a settled window
	l.queryRow(fmt.Sprintf(`SELECT min(label_ts) FROM inference_label JOIN inference_log USING (prediction_id)
		WHERE label_ts > TIMESTAMP '%s' AND ts < TIMESTAMP '%s'`, open.Add(12*time.Hour).Format(time.DateTime), open.Format(time.DateTime)), &stamped)
	at := stamped.Add(-time.Minute) // the first evaluation; the second, a minute later, knows that label
	var touched int64
	l.queryRow(fmt.Sprintf(`SELECT count(DISTINCT date_diff('day', TIMESTAMP '%s', ts)) FROM inference_label JOIN inference_log USING (prediction_id)
		WHERE label_ts > TIMESTAMP '%s' AND label_ts <= TIMESTAMP '%s' AND ts < TIMESTAMP '%s'`, day0.Format(time.DateTime),
		at.Format(time.DateTime), stamped.Format(time.DateTime), open.Format(time.DateTime)), &touched)
	if touched < 1 {
		t.Fatalf("no settled window has a label stamped in (%s, %s]", at, stamped)
	}
	now := at
	shared := NewShared(l, Options{MaxBytes: 64 << 20, Settle: time.Hour, Now: func() time.Time { return now }})
	defer shared.Close()
	daily := store.Windowing{Origin: day0, Width: 24 * time.Hour}
	evaluate := func() Stats {
		t.Helper()
		before := shared.Stats()
		scope := store.Scope{From: day0, To: now}
		req := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: now, ClassModels: []string{"m"}}
		got, err := shared.Performance(ctx, scope, daily, req)
		if err != nil {
			t.Fatal(err)
		}
		want, err := l.Performance(ctx, scope, daily, req)
		if err != nil {
			t.Fatal(err)
		}
		if diff := performanceDiff(got, want); diff != "" {
			t.Fatalf("evaluation at %s: the cached answer differs from the cold one: %s", now, diff)
		}
		after := shared.Stats()
		return Stats{Reused: after.Reused - before.Reused, Asked: after.Asked - before.Asked,
			AskedSettled: after.AskedSettled - before.AskedSettled, Relabelled: after.Relabelled - before.Relabelled}
	}
	if st := evaluate(); st != (Stats{Asked: 6, AskedSettled: 5}) {
		t.Fatalf("first evaluation: %+v, want all 6 windows asked (5 settled)", st)
	}
	now = stamped
	if st, want := evaluate(), (Stats{Reused: 5 - touched, Asked: 1, Relabelled: touched}); st != want {
		t.Fatalf("a minute later: %+v, want %+v (the open window asked, %d windows brought forward by a label delta)", st, want, touched)
	}
}

// performanceDiff compares two performance answers regardless of row order, floats within 1e-12 relative (1e-15
// absolute near zero), lag quantiles by value; "" when equal.
func performanceDiff(a, b store.Performance) string {
	a.SQL, b.SQL = nil, nil
	for _, p := range []*store.Performance{&a, &b} {
		sortBy(p.Windows, func(r store.WindowPerformance) string { return fmt.Sprint(r.Model, r.Window) })
		sortBy(p.Buckets, func(r store.ScoreBucket) string { return fmt.Sprint(r.Model, r.Window, r.Label, r.Bucket) })
		sortBy(p.Classes, func(r store.ClassCount) string { return fmt.Sprint(r.Model, r.Window, r.Class) })
		sortBy(p.Lags, func(r store.LagBucket) string { return fmt.Sprint(r.Model, r.Window, r.Bucket) })
	}
	return valueDiff("", reflect.ValueOf(a), reflect.ValueOf(b))
}

func sortBy[R any](rows []R, key func(R) string) {
	sort.Slice(rows, func(i, j int) bool { return key(rows[i]) < key(rows[j]) })
}

func valueDiff(path string, x, y reflect.Value) string {
	switch x.Kind() {
	case reflect.Float64:
		f, g := x.Float(), y.Float()
		if f != g && math.Abs(f-g) > 1e-12*math.Max(math.Abs(f), math.Abs(g))+1e-15 {
			return fmt.Sprintf("%s: %v ≠ %v", path, f, g)
		}
		return ""
	case reflect.Pointer:
		if x.IsNil() || y.IsNil() {
			if x.IsNil() != y.IsNil() {
				return path + ": nil and not nil"
			}
			return ""
		}
		return valueDiff(path, x.Elem(), y.Elem())
	case reflect.Slice:
		if x.Len() != y.Len() {
			return fmt.Sprintf("%s: %d rows ≠ %d:\n%+v\n%+v", path, x.Len(), y.Len(), x.Interface(), y.Interface())
		}
		for i := 0; i < x.Len(); i++ {
			if d := valueDiff(fmt.Sprintf("%s[%d]", path, i), x.Index(i), y.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := 0; i < x.NumField(); i++ {
			if d := valueDiff(path+"."+x.Type().Field(i).Name, x.Field(i), y.Field(i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(x.Interface(), y.Interface()) {
		return fmt.Sprintf("%s: %v ≠ %v", path, x.Interface(), y.Interface())
	}
	return ""
}
