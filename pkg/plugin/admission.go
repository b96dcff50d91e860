package plugin

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Admission limits of one data source instance. Every query is heavy work (it aggregates the log in the store and
// every DuckDB statement already uses every core), so at most sharedSlots queries compute at once for dashboards
// and alert rules together, plus alertSlots reserved for alert queries, which therefore never wait behind
// dashboards. Waiters are served first come, first served (a Go channel queues blocked senders in order).
const (
	sharedSlots = 2
	alertSlots  = 1
)

// errBusy is the error of a query that could not start in time: every slot stayed taken.
type errBusy struct {
	running, waiting int64
	waited           time.Duration
}

func (e errBusy) Error() string {
	return fmt.Sprintf("data source busy: %d queries running and %d waiting, this one could not start within %s; "+
		"retry later, refresh fewer panels at once, or narrow the query (one model, a shorter range)",
		e.running, e.waiting, e.waited.Round(time.Millisecond))
}

// admission queues the heavy work of one data source instance: a bounded number of computations at once (see
// sharedSlots, alertSlots), identical concurrent queries answered by one computation, and a query that cannot
// start within its wait limit answered with errBusy instead of slowing down the others.
type admission struct {
	shared   chan struct{}
	reserved chan struct{}
	running  atomic.Int64
	waiting  atomic.Int64

	mu      sync.Mutex
	flights map[string]*flight
}

// flight is one computation and the queries waiting for its answer. Its context is cancelled when the last of
// them leaves (cancelled or timed out), so abandoned work stops.
type flight struct {
	done    chan struct{}
	frames  []*data.Frame
	err     error
	waiters int
	cancel  context.CancelFunc
}

func newAdmission(shared, reserved int) *admission {
	return &admission{shared: make(chan struct{}, shared), reserved: make(chan struct{}, reserved),
		flights: map[string]*flight{}}
}

// do answers the query keyed key with work's frames: it joins an identical computation under way or starts one,
// which waits at most maxWait for a slot (alert: the reserved slots too) and runs under ctx's deadline. Each
// caller gets its own copies of the frames (the SDK writes RefID into a frame). A panic in work becomes the
// error (a plugin bug, see errPanic) of every caller of that computation.
func (a *admission) do(ctx context.Context, key string, alert bool, maxWait time.Duration,
	work func(context.Context) ([]*data.Frame, error)) ([]*data.Frame, error) {
	if alert {
		key = "alert\x00" + key // alert queries never join (and wait behind) a dashboard's computation
	}
	a.mu.Lock()
	f, ok := a.flights[key]
	if ok {
		f.waiters++
	} else {
		workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		if dl, has := ctx.Deadline(); has {
			workCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), dl)
		}
		f = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
		a.flights[key] = f
		go a.run(workCtx, key, f, alert, maxWait, work)
	}
	a.mu.Unlock()

	select {
	case <-f.done:
		a.leave(f)
		return copyFrames(f.frames), f.err
	case <-ctx.Done():
		a.leave(f)
		return nil, ctx.Err()
	}
}

// leave drops one waiter; the last one out cancels the computation (a no-op once it has finished).
func (a *admission) leave(f *flight) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
	}
}

func (a *admission) run(ctx context.Context, key string, f *flight, alert bool, maxWait time.Duration,
	work func(context.Context) ([]*data.Frame, error)) {
	defer func() {
		if r := recover(); r != nil {
			f.err = panicError(r)
		}
		a.mu.Lock()
		delete(a.flights, key)
		a.mu.Unlock()
		f.cancel()
		close(f.done)
	}()
	release, err := a.acquire(ctx, alert, maxWait)
	if err != nil {
		f.err = err
		return
	}
	defer release()
	f.frames, f.err = work(ctx)
}

// acquire takes a slot, waiting at most maxWait (errBusy) or until ctx ends.
func (a *admission) acquire(ctx context.Context, alert bool, maxWait time.Duration) (func(), error) {
	a.waiting.Add(1)
	timer := time.NewTimer(maxWait)
	defer timer.Stop()
	reserved := a.reserved
	if !alert {
		reserved = nil // a nil channel never receives: dashboards use the shared slots only
	}
	var slot chan struct{}
	select {
	case a.shared <- struct{}{}:
		slot = a.shared
	case reserved <- struct{}{}:
		slot = reserved
	case <-timer.C:
		a.waiting.Add(-1)
		return nil, errBusy{running: a.running.Load(), waiting: a.waiting.Load(), waited: maxWait}
	case <-ctx.Done():
		a.waiting.Add(-1)
		return nil, ctx.Err()
	}
	a.waiting.Add(-1)
	a.running.Add(1)
	return func() {
		a.running.Add(-1)
		<-slot
	}, nil
}

// copyFrames gives a caller its own Frame values over the shared, read-only fields and metadata.
func copyFrames(frames []*data.Frame) []*data.Frame {
	if frames == nil {
		return nil
	}
	out := make([]*data.Frame, len(frames))
	for i, f := range frames {
		c := *f
		out[i] = &c
	}
	return out
}
