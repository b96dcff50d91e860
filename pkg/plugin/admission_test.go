package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// blockingWork is a computation that counts its runs, reports when it starts and runs until released or
// cancelled (then it records when it saw the cancellation).
type blockingWork struct {
	runs      atomic.Int64
	started   chan struct{}
	release   chan struct{}
	cancelled chan time.Time
}

func newBlockingWork() *blockingWork {
	return &blockingWork{started: make(chan struct{}, 100), release: make(chan struct{}), cancelled: make(chan time.Time, 100)}
}

func (b *blockingWork) fn(name string) func(context.Context) ([]*data.Frame, error) {
	return func(ctx context.Context) ([]*data.Frame, error) {
		b.runs.Add(1)
		b.started <- struct{}{}
		select {
		case <-b.release:
			return []*data.Frame{data.NewFrame(name)}, nil
		case <-ctx.Done():
			b.cancelled <- time.Now()
			return nil, ctx.Err()
		}
	}
}

func waitStarted(t *testing.T, b *blockingWork, n int) {
	t.Helper()
	for range n {
		select {
		case <-b.started:
		case <-time.After(5 * time.Second):
			t.Fatal("work did not start")
		}
	}
}

// Ten identical concurrent queries are answered by one computation; each caller gets its own frame values.
func TestAdmissionSharesIdenticalQueries(t *testing.T) {
	a := newAdmission(2, 1)
	w := newBlockingWork()
	var wg sync.WaitGroup
	got := make([][]*data.Frame, 10)
	for i := range got {
		wg.Go(func() {
			got[i], _ = a.do(context.Background(), "same", false, time.Minute, w.fn("shared"))
		})
	}
	waitStarted(t, w, 1)
	for a.waitersOf("same") < 10 {
		time.Sleep(time.Millisecond)
	}
	close(w.release)
	wg.Wait()
	if n := w.runs.Load(); n != 1 {
		t.Fatalf("%d computations for 10 identical queries, want 1", n)
	}
	for i, fs := range got {
		if len(fs) != 1 || fs[0].Name != "shared" {
			t.Fatalf("caller %d got %v", i, fs)
		}
		if i > 0 && fs[0] == got[0][0] {
			t.Fatalf("callers 0 and %d share one *data.Frame (the SDK writes RefID into it)", i)
		}
	}
}

// With every shared slot taken, a dashboard query gets a clear busy error after its wait limit, while an alert
// query takes the reserved slot and is served.
func TestAdmissionBusyAndAlertReserve(t *testing.T) {
	a := newAdmission(2, 1)
	w := newBlockingWork()
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { _, _ = a.do(context.Background(), fmt.Sprint("dash", i), false, time.Minute, w.fn("dash")) })
	}
	waitStarted(t, w, 2)

	start := time.Now()
	_, err := a.do(context.Background(), "dash-late", false, 100*time.Millisecond, w.fn("late"))
	var busy errBusy
	if !errors.As(err, &busy) || time.Since(start) > 2*time.Second {
		t.Fatalf("late dashboard query: err %v after %v, want errBusy after 100ms", err, time.Since(start))
	}
	want := "data source busy: 2 queries running and 0 waiting, this one could not start within 100ms; retry later, " +
		"refresh fewer panels at once, or narrow the query (one model, a shorter range)"
	if err.Error() != want {
		t.Fatalf("busy message %q\nwant %q", err, want)
	}
	if r := errorResponse(context.Background(), err, 4096); r.Status != backend.StatusTooManyRequests || r.ErrorSource != backend.ErrorSourceDownstream {
		t.Fatalf("busy response: status %v source %v", r.Status, r.ErrorSource)
	}

	alertDone := make(chan []*data.Frame)
	go func() {
		fs, _ := a.do(context.Background(), "alert", true, 100*time.Millisecond, func(context.Context) ([]*data.Frame, error) {
			return []*data.Frame{data.NewFrame("alert")}, nil
		})
		alertDone <- fs
	}()
	select {
	case fs := <-alertDone:
		if len(fs) != 1 || fs[0].Name != "alert" {
			t.Fatalf("alert query got %v", fs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("alert query starved behind dashboards")
	}
	close(w.release)
	wg.Wait()
}

// A cancelled query stops its computation at once; a computation shared by two queries runs on until both
// have left.
func TestAdmissionCancellationStopsWork(t *testing.T) {
	a := newAdmission(2, 1)
	w := newBlockingWork()
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { _, err := a.do(ctx1, "q", false, time.Minute, w.fn("q")); done <- err }()
	waitStarted(t, w, 1)
	go func() { _, err := a.do(ctx2, "q", false, time.Minute, w.fn("q")); done <- err }()
	for a.waitersOf("q") < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel1()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v", err)
	}
	select {
	case <-w.cancelled:
		t.Fatal("work cancelled while another query still waits for it")
	case <-time.After(100 * time.Millisecond):
	}
	at := time.Now()
	cancel2()
	select {
	case seen := <-w.cancelled:
		if d := seen.Sub(at); d > time.Second {
			t.Fatalf("work saw the cancellation after %v, want < 1s", d)
		}
	case <-time.After(time.Second):
		t.Fatal("work not cancelled within 1s of its last caller leaving")
	}
	<-done
}

// A panic in a computation becomes that query's plugin error; the process and the other queries carry on.
func TestAdmissionPanicIsThePluginsError(t *testing.T) {
	a := newAdmission(2, 1)
	_, err := a.do(context.Background(), "boom", false, time.Minute, func(context.Context) ([]*data.Frame, error) {
		var s []int
		_ = s[3]
		return nil, nil
	})
	r := errorResponse(context.Background(), err, 4096)
	if r.Status != backend.StatusInternal || r.ErrorSource != backend.ErrorSourcePlugin ||
		!strings.HasPrefix(r.Error.Error(), "internal error in the plugin (a bug, please report it): runtime error: index out of range [3]") {
		t.Fatalf("panic response: status %v source %v err %v", r.Status, r.ErrorSource, r.Error)
	}
	fs, err := a.do(context.Background(), "fine", false, time.Minute, func(context.Context) ([]*data.Frame, error) {
		return []*data.Frame{data.NewFrame("fine")}, nil
	})
	if err != nil || fs[0].Name != "fine" {
		t.Fatalf("after a panic: %v %v", fs, err)
	}
}

// Through QueryData on a real DuckDB store: identical queries of one request (and the refIds Grafana gives them)
// get identical, correctly labelled answers; an alert-flagged request is answered.
func TestQueryDataSharesAndServesAlerts(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	q := json.RawMessage(`{"queryType":"drift","model":"m1","features":["x"],"metric":"psi","window":"1d",` + refDay1 + `}`)
	req := &backend.QueryDataRequest{Headers: map[string]string{backend.FromAlertHeaderName: "true"}}
	for _, id := range []string{"A", "B", "C", "D", "E", "F"} {
		req.Queries = append(req.Queries, backend.DataQuery{RefID: id, QueryType: "drift", JSON: q,
			TimeRange: backend.TimeRange{From: day1, To: day4}, Interval: time.Minute, MaxDataPoints: 1000})
	}
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := json.Marshal(resp.Responses["A"].Frames)
	for _, id := range []string{"A", "B", "C", "D", "E", "F"} {
		r := resp.Responses[id]
		if r.Error != nil || len(r.Frames) != 1 {
			t.Fatalf("%s: %v %d frames", id, r.Error, len(r.Frames))
		}
		if b, _ := json.Marshal(r.Frames); string(b) != string(first) {
			t.Fatalf("%s differs from A", id)
		}
	}
	// PSI of x on day 2 against day 1, derived by hand in drift_test.go.
	v := values(resp.Responses["A"].Frames[0].Fields[1])
	if len(v) != 3 || v[1] == nil || !near(*v[1], 8.422654063041326, 1e-9) {
		t.Fatalf("psi series %v", v)
	}
}

// waitersOf is the number of queries waiting for the computation keyed key (0: none under way).
func (a *admission) waitersOf(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f, ok := a.flights[key]; ok {
		return f.waiters
	}
	return 0
}
