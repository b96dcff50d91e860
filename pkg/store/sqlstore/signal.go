package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

var _ store.ChangeSignal = (*Store)(nil)

// WindowRows counts the scoped rows per window and their non-NULL labels (label column), in one GROUP BY that reads
// only the time, model, segment and label columns (store.ChangeSignal).
func (s *Store) WindowRows(ctx context.Context, scope store.Scope, w store.Windowing) ([]store.WindowRows, error) {
	b := s.newBuilder()
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	labelled := "CAST(0 AS BIGINT)"
	if s.cfg.LabelColumn != "" {
		labelled = fmt.Sprintf("count(%s)", s.quote(s.cfg.LabelColumn))
	}
	q := fmt.Sprintf("SELECT %s AS w, count(*) AS n, %s AS labelled\nFROM %s%s\n%s", windowExpr, labelled, table, whereSQL, s.d.GroupBy(1))
	var out []store.WindowRows
	err := s.collect(ctx, q, b.args, func(r Rows) error {
		var row store.WindowRows
		if err := r.Scan(&row.Window, &row.Rows, &row.Labelled); err != nil {
			return err
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

// LabelState reads the count and latest label_ts of the labels known by until (store.ChangeSignal); the zero
// state when labels come from the label column.
func (s *Store) LabelState(ctx context.Context, until time.Time) (store.LabelState, error) {
	if s.cfg.LabelColumn != "" {
		return store.LabelState{}, nil
	}
	zoned, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return store.LabelState{}, err
	}
	b := s.newBuilder()
	q := fmt.Sprintf("SELECT count(*), max(%s) FROM %s WHERE label_ts <= %s", s.d.EpochMicros("label_ts"),
		s.quote(s.cfg.LabelsTable), s.d.TimeBound(b.bind(timeText(until, zoned)), zoned))
	st := store.LabelState{HasLabelTable: true}
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var latest sql.NullInt64
		if err := r.Scan(&st.Rows, &latest); err != nil {
			return err
		}
		st.LatestMicros = latest.Int64
		return nil
	})
	return st, err
}

// LabelledWindows lists the windows of the scoped rows whose prediction id has a label with label_ts in
// (after, until] (store.ChangeSignal): a semi-join of the scoped rows with the labels of that span only.
func (s *Store) LabelledWindows(ctx context.Context, scope store.Scope, w store.Windowing, after, until time.Time) ([]int64, error) {
	zoned, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return nil, err
	}
	b := s.newBuilder()
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	whereSQL = and(whereSQL, b.labelledIn(after, until, zoned))
	q := fmt.Sprintf("SELECT DISTINCT %s AS w\nFROM %s%s", windowExpr, table, whereSQL)
	var out []int64
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var w int64
		if err := r.Scan(&w); err != nil {
			return err
		}
		out = append(out, w)
		return nil
	})
	return out, err
}
