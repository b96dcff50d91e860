package duckdb

import (
	"context"
	"fmt"

	"github.com/aiops/modelmonitor/pkg/store"
)

// MulticlassHistograms returns the aggregates of multiclass CBPE, three GROUP BY statements (aggregates only,
// identifiers quoted, values bound):
//   - reference calibration: per (model, predicted class, 1/1000 score bucket, label = prediction) the count of
//     the reference rows with a finite score, a prediction and a label (labels read as Performance reads them:
//     the label column, or the latest label per prediction id with label_ts <= LabelsUntil);
//   - reference confusion: per (model, predicted class, label class) the count of the same rows;
//   - current: per (model, window, predicted class, score bucket) the count of the rows with a finite score and a
//     prediction; no labels are read.
//
// Classes are compared as the performance aggregates compare them: numbers as numbers, anything else as text.
func (s *Store) MulticlassHistograms(ctx context.Context, req store.MulticlassRequest) (store.MulticlassHistograms, error) {
	var out store.MulticlassHistograms
	if s.cfg.ScoreColumn == "" || s.cfg.PredictionColumn == "" {
		return out, fmt.Errorf("multiclass estimatedPerformance needs a score column and a prediction column: map scoreColumn and predictionColumn")
	}
	tsType, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return out, err
	}
	// The decision threshold of labelledSource is not used here (yhat is a binary decision); 0.5 is bound.
	lr := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: req.LabelsUntil, ClassModels: []string{req.Reference.Model}}

	b := &sqlBuilder{s: s}
	src := b.labelledSource(req.Reference, store.Windowing{}, lr, tsType)
	q := fmt.Sprintf(`WITH %s
SELECT m, pc, %s AS bucket, yc = pc AS correct, count(*) AS n
FROM lab
WHERE yc IS NOT NULL AND pc IS NOT NULL AND p IS NOT NULL AND isfinite(p)
GROUP BY ALL`, src, scoreBucketSQL)
	out.SQL = append(out.SQL, q)
	res, err := s.queryRows(ctx, q, b.args...)
	if err != nil {
		return out, err
	}
	for res.Next() {
		var r store.ClassCalibrationBucket
		if err := res.Scan(&r.Model, &r.Class, &r.Bucket, &r.Correct, &r.Count); err != nil {
			res.Close()
			return out, err
		}
		out.Reference = append(out.Reference, r)
	}
	res.Close()
	if err := res.Err(); err != nil {
		return out, err
	}

	b = &sqlBuilder{s: s}
	src = b.labelledSource(req.Reference, store.Windowing{}, lr, tsType)
	q = fmt.Sprintf(`WITH %s
SELECT m, pc, yc, count(*) AS n
FROM lab
WHERE yc IS NOT NULL AND pc IS NOT NULL AND p IS NOT NULL AND isfinite(p)
GROUP BY ALL`, src)
	out.SQL = append(out.SQL, q)
	res, err = s.queryRows(ctx, q, b.args...)
	if err != nil {
		return out, err
	}
	for res.Next() {
		var r store.ClassConfusion
		if err := res.Scan(&r.Model, &r.Predicted, &r.Label, &r.Count); err != nil {
			res.Close()
			return out, err
		}
		out.Confusion = append(out.Confusion, r)
	}
	res.Close()
	if err := res.Err(); err != nil {
		return out, err
	}

	b = &sqlBuilder{s: s}
	windowExpr := b.windowExpr(req.Windowing)
	table, whereSQL := b.scopeFilter(req.Current)
	q = fmt.Sprintf(`WITH scored AS (
  SELECT CAST(%s AS VARCHAR) AS m, %s AS w, TRY_CAST(%s AS DOUBLE) AS p, %s AS pc
  FROM %s%s
)
SELECT m, w, pc, %s AS bucket, count(*) AS n
FROM scored
WHERE p IS NOT NULL AND isfinite(p) AND pc IS NOT NULL
GROUP BY ALL`, quote(s.cfg.ModelColumn), windowExpr, quote(s.cfg.ScoreColumn), canonical(quote(s.cfg.PredictionColumn)),
		quote(table), whereSQL, scoreBucketSQL)
	out.SQL = append(out.SQL, q)
	res, err = s.queryRows(ctx, q, b.args...)
	if err != nil {
		return out, err
	}
	defer res.Close()
	for res.Next() {
		var r store.ClassScoreBucket
		if err := res.Scan(&r.Model, &r.Window, &r.Class, &r.Bucket, &r.Count); err != nil {
			return out, err
		}
		out.Current = append(out.Current, r)
	}
	return out, res.Err()
}
