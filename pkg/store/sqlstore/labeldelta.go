package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

var _ store.LabelDelta = (*Store)(nil)

// PerformanceDelta runs the performance statements twice over the touched rows — the scoped rows whose prediction
// id has a label with label_ts between from and req.LabelsUntil — under the labels known by from (before) and by
// req.LabelsUntil (after) (store.LabelDelta). The touched rows are found by a semi-join with the labels of that
// span only, and their labels are read for those prediction ids only, so the cost follows the labels that
// arrived, not the scope.
func (s *Store) PerformanceDelta(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest, from time.Time) (before, after store.Performance, err error) {
	if s.cfg.LabelColumn != "" {
		return before, after, errors.New("a label delta needs a labels table: labels in the log row change with its rows")
	}
	zoned, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return before, after, err
	}
	span := labelSpan{from, req.LabelsUntil}
	if span.until.Before(span.after) {
		span.after, span.until = span.until, span.after
	}
	old := req
	old.LabelsUntil = from
	if before, err = s.performance(ctx, scope, w, old, zoned, &span); err != nil {
		return before, after, err
	}
	after, err = s.performance(ctx, scope, w, req, zoned, &span)
	return before, after, err
}
