package store

import (
	"context"
	"time"
)

// WindowRows is one window's change signal: how many rows of a scope fall in it, and how many of them carry a
// label in the log row's label column (0 when no label column is mapped).
type WindowRows struct {
	Window   int64
	Rows     int64
	Labelled int64
}

// LabelState is the labels table's change signal up to a label cut-off: how many of its rows have label_ts at or
// before the cut-off, and the latest of those label_ts in microseconds since the Unix epoch (UTC; 0 when none).
type LabelState struct {
	Rows          int64
	LatestMicros  int64
	HasLabelTable bool // false: labels come from the log row's label column (or there is no label source)
}

// ChangeSignal is the optional capability of a store that can tell cheaply whether the rows behind an aggregate
// changed. pkg/store/cache reuses the aggregates of settled windows only over a store that offers it; an engine
// without it gets no reuse across queries (every query asks the store), never a stale answer.
//
// Contract (checked by pkg/store/storetest where an engine offers it):
//   - WindowRows selects rows as every aggregate does (Scope, Windowing: see Store) and returns, per window with
//     at least one row, its row count and the count of non-NULL values of the label column (0 when none is
//     mapped). One aggregate statement over the time column (and the model, segment and label columns); the
//     logs are append-only, so a count that did not change means the window's rows did not change.
//   - LabelState returns, when labels come from a labels table (no label column mapped), the count and the latest
//     label_ts of its rows with label_ts <= until (the LabelsUntil of a label-reading aggregate), with
//     HasLabelTable true; otherwise the zero LabelState. A labels table that is configured but missing, or lacks
//     a column, is the error Performance would return. The labels table is append-only too: under an equal state
//     for two cut-offs, the labels known by each are the same rows, so every label-reading answer is the same.
//   - LabelledWindows lists the windows of a scope (as WindowRows counts them) holding a prediction with a label
//     in the labels table whose label_ts is after `after` and at or before `until`: the windows whose
//     label-reading answers differ between the two cut-offs. Errors as LabelState.
type ChangeSignal interface {
	WindowRows(ctx context.Context, scope Scope, w Windowing) ([]WindowRows, error)
	LabelState(ctx context.Context, until time.Time) (LabelState, error)
	LabelledWindows(ctx context.Context, scope Scope, w Windowing, after, until time.Time) ([]int64, error)
}
