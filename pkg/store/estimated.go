package store

// PredictedBucket is the count of one (model, window, score bucket, decision) over the rows with a non-NULL
// score: bucket = floor(score × 1000) clamped to [0, 999] (as ScoreBucket), Positive = score >= the threshold.
// The bucket holding the threshold may appear twice, once per decision, so decisions stay exact.
type PredictedBucket struct {
	Model    string
	Window   int64
	Bucket   int
	Positive bool
	Count    int64
}

// ScoreHistogram is the result of the label-free score histogram aggregate.
type ScoreHistogram struct {
	Buckets []PredictedBucket
	SQL     []string
}
