package store

import "time"

// MulticlassRequest scopes the aggregates of multiclass CBPE: the labelled reference (labels read as Performance
// reads them, known by LabelsUntil) and the label-free current windows.
type MulticlassRequest struct {
	Reference   Scope     // one window (no windowing)
	Current     Scope     // windowed by Windowing
	Windowing   Windowing // of the current rows
	LabelsUntil time.Time // reference labels known by then count (labels table only)
}

// ClassScoreBucket is the count of one (model, window, predicted class, score bucket) over the current rows with a
// finite score and a non-NULL prediction: bucket = floor(score × 1000) clamped to [0, 999] (as ScoreBucket),
// Class = the prediction as class text (numbers as DOUBLE text, as the performance aggregates compare them).
type ClassScoreBucket struct {
	Model  string
	Window int64
	Class  string
	Bucket int
	Count  int64
}

// ClassCalibrationBucket is the count of one (model, predicted class, score bucket, correct) over the reference
// rows with a finite score, a prediction and a label: Correct = label and prediction are the same class.
type ClassCalibrationBucket struct {
	Model   string
	Class   string
	Bucket  int
	Correct bool
	Count   int64
}

// ClassConfusion is the count of one (model, predicted class, label class) over the same reference rows.
type ClassConfusion struct {
	Model, Predicted, Label string
	Count                   int64
}

// MulticlassHistograms is the result of the multiclass CBPE aggregates.
type MulticlassHistograms struct {
	Current   []ClassScoreBucket
	Reference []ClassCalibrationBucket
	Confusion []ClassConfusion
	SQL       []string
}
