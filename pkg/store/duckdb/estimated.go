package duckdb

import (
	"context"
	"fmt"

	"github.com/aiops/modelmonitor/pkg/store"
)

// ScoreHistogram returns per (model, window, 1/1000 score bucket, score >= threshold) the number of scoped rows
// with a non-NULL score. No labels are read. One GROUP BY; identifiers quoted, values bound.
func (s *Store) ScoreHistogram(ctx context.Context, scope store.Scope, w store.Windowing, threshold float64) (store.ScoreHistogram, error) {
	var out store.ScoreHistogram
	if s.cfg.ScoreColumn == "" {
		return out, fmt.Errorf("estimatedPerformance needs a score column: map scoreColumn")
	}
	b := &sqlBuilder{s: s}
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	b.args = append(b.args, threshold)
	q := fmt.Sprintf(`WITH scored AS (
  SELECT CAST(%s AS VARCHAR) AS m, %s AS w, TRY_CAST(%s AS DOUBLE) AS p
  FROM %s%s
)
SELECT m, w, %s AS bucket, p >= ? AS yhat, count(*) AS n
FROM scored
WHERE p IS NOT NULL AND isfinite(p)
GROUP BY ALL`, quote(s.cfg.ModelColumn), windowExpr, quote(s.cfg.ScoreColumn), quote(table), whereSQL, scoreBucketSQL)
	out.SQL = append(out.SQL, q)
	res, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return out, err
	}
	defer res.Close()
	for res.Next() {
		var r store.PredictedBucket
		if err := res.Scan(&r.Model, &r.Window, &r.Bucket, &r.Positive, &r.Count); err != nil {
			return out, err
		}
		out.Buckets = append(out.Buckets, r)
	}
	return out, res.Err()
}
