package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

var _ store.LabelDelta = (*Store)(nil)

// PerformanceDelta runs the performance statements over the touched rows — the scoped rows whose prediction id
// has a label with label_ts between from and req.LabelsUntil — each row twice, under the labels known by from
// (before) and by req.LabelsUntil (after), grouped by side (store.LabelDelta): as many statements as Performance.
// The touched rows are found by a semi-join with the labels of that span only, and their labels are read for
// those prediction ids only (both cut-offs in one pass), so the cost follows the labels that arrived and one scan
// of the scope's prediction ids, not the scope's labels.
func (s *Store) PerformanceDelta(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest, from time.Time) (before, after store.Performance, err error) {
	if s.cfg.LabelColumn != "" {
		return before, after, errors.New("a label delta needs a labels table: labels in the log row change with its rows")
	}
	zoned, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return before, after, err
	}
	out, err := s.performance(ctx, scope, w, req, zoned, &labelSpan{from: from, to: req.LabelsUntil})
	if err != nil {
		return before, after, err
	}
	return out[0], out[1], nil
}
