package sqlstore

import (
	"context"
	"fmt"

	"github.com/aiops/modelmonitor/pkg/store"
)

// ScoreHistogram returns per (model, window, 1/1000 score bucket, score >= threshold) the number of scoped rows
// with a finite score. No labels are read. One GROUP BY; identifiers quoted, values bound.
func (s *Store) ScoreHistogram(ctx context.Context, scope store.Scope, w store.Windowing, threshold float64) (store.ScoreHistogram, error) {
	var out store.ScoreHistogram
	if s.cfg.ScoreColumn == "" {
		return out, fmt.Errorf("estimatedPerformance needs a score column: map scoreColumn")
	}
	b := s.newBuilder()
	scored := b.scoredSource(scope, w, "")
	q := fmt.Sprintf(`WITH %s
SELECT m, w, %s AS bucket, p >= %s AS yhat, count(*) AS n
FROM mm_scored
WHERE p IS NOT NULL AND %s
%s`, scored, scoreBucketSQL, b.bind(threshold), s.d.IsFinite("p"), s.d.GroupBy(4))
	out.SQL = append(out.SQL, q)
	err := s.collect(ctx, q, b.args, func(r Rows) error {
		var row store.PredictedBucket
		if err := r.Scan(&row.Model, &row.Window, &row.Bucket, &row.Positive, &row.Count); err != nil {
			return err
		}
		out.Buckets = append(out.Buckets, row)
		return nil
	})
	return out, err
}

// scoredSource renders the mm_scored CTE: the scoped rows' model m, window w and score p (a double, NULL where
// not a number), and with pc set, the column pc = that expression.
func (b *builder) scoredSource(scope store.Scope, w store.Windowing, pc string) string {
	cfg := b.s.cfg
	windowExpr := b.windowExpr(w)
	table, whereSQL := b.scopeFilter(scope)
	if pc != "" {
		pc = ", " + pc + " AS pc"
	}
	return fmt.Sprintf(`mm_scored AS (
  SELECT %s AS m, %s AS w, %s AS p%s
  FROM %s%s
)`, b.d.Text(b.quote(cfg.ModelColumn)), windowExpr, b.d.TryDouble(b.quote(cfg.ScoreColumn)), pc, table, whereSQL)
}

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
	zoned, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return out, err
	}
	// The decision threshold of labelledSource is not used here (yhat is a binary decision); 0.5 is bound.
	lr := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: req.LabelsUntil, ClassModels: []string{req.Reference.Model}}
	labelled := "yc IS NOT NULL AND pc IS NOT NULL AND p IS NOT NULL AND " + s.d.IsFinite("p")

	b := s.newBuilder()
	q := fmt.Sprintf(`WITH %s
SELECT m, pc, %s AS bucket, yc = pc AS correct, count(*) AS n
FROM mm_lab
WHERE %s
%s`, b.labelledSource(req.Reference, store.Windowing{}, lr, zoned, nil), scoreBucketSQL, labelled, s.d.GroupBy(4))
	out.SQL = append(out.SQL, q)
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var row store.ClassCalibrationBucket
		if err := r.Scan(&row.Model, &row.Class, &row.Bucket, &row.Correct, &row.Count); err != nil {
			return err
		}
		out.Reference = append(out.Reference, row)
		return nil
	})
	if err != nil {
		return out, err
	}

	b = s.newBuilder()
	q = fmt.Sprintf(`WITH %s
SELECT m, pc, yc, count(*) AS n
FROM mm_lab
WHERE %s
%s`, b.labelledSource(req.Reference, store.Windowing{}, lr, zoned, nil), labelled, s.d.GroupBy(3))
	out.SQL = append(out.SQL, q)
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var row store.ClassConfusion
		if err := r.Scan(&row.Model, &row.Predicted, &row.Label, &row.Count); err != nil {
			return err
		}
		out.Confusion = append(out.Confusion, row)
		return nil
	})
	if err != nil {
		return out, err
	}

	b = s.newBuilder()
	q = fmt.Sprintf(`WITH %s
SELECT m, w, pc, %s AS bucket, count(*) AS n
FROM mm_scored
WHERE p IS NOT NULL AND %s AND pc IS NOT NULL
%s`, b.scoredSource(req.Current, req.Windowing, canonical(s.d, s.quote(s.cfg.PredictionColumn))), scoreBucketSQL,
		s.d.IsFinite("p"), s.d.GroupBy(4))
	out.SQL = append(out.SQL, q)
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var row store.ClassScoreBucket
		if err := r.Scan(&row.Model, &row.Window, &row.Class, &row.Bucket, &row.Count); err != nil {
			return err
		}
		out.Current = append(out.Current, row)
		return nil
	})
	return out, err
}
