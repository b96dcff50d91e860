package monitor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// countingStore counts Performance calls; every other method is the nil interface's (never called here).
type countingStore struct {
	store.Store
	calls int
	fail  bool
}

func (c *countingStore) Performance(_ context.Context, scope store.Scope, _ store.Windowing, _ store.PerformanceRequest) (store.Performance, error) {
	c.calls++
	if c.fail {
		return store.Performance{}, errors.New("boom")
	}
	return store.Performance{SQL: []string{scope.Model}}, nil
}

// The same call is answered once; different arguments (another segment value, another threshold) are not
// confused; errors are not cached.
func TestMemoStoreAnswersRepeatedCallsOnce(t *testing.T) {
	c := &countingStore{}
	m := newMemoStore(c)
	ctx := context.Background()
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	scope := store.Scope{Model: "churn", From: from, To: from.AddDate(0, 0, 7), Segment: &query.Segment{Column: "region", Value: "EU"}}
	req := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: from}
	for i := 0; i < 3; i++ {
		if p, err := m.Performance(ctx, scope, store.Windowing{}, req); err != nil || p.SQL[0] != "churn" {
			t.Fatalf("call %d: %v %v", i, p, err)
		}
	}
	other := scope
	other.Segment = &query.Segment{Column: "region", Value: "NA"}
	_, _ = m.Performance(ctx, other, store.Windowing{}, req)
	req.Threshold = 0.4
	_, _ = m.Performance(ctx, scope, store.Windowing{}, req)
	if c.calls != 3 {
		t.Errorf("%d store calls, want 3 (one per distinct call)", c.calls)
	}
	c.fail = true
	req.Threshold = 0.3
	for i := 0; i < 2; i++ {
		if _, err := m.Performance(ctx, scope, store.Windowing{}, req); err == nil {
			t.Fatal("error lost")
		}
	}
	if c.calls != 5 {
		t.Errorf("%d store calls, want 5 (errors are retried)", c.calls)
	}
}
