// Package store defines what the engine asks of a store of inference logs: catalogue look-ups and the
// aggregate queries (reference profile, binned counts, data-quality, performance and score-histogram counts).
// sqlstore implements it once for every SQL engine over a dialect (duckdb now; postgres and spark next), open
// picks the adapter the settings name, and storetest checks any adapter against the contract written on Store.
// Adapters return aggregates, never rows, so the backend's memory is O(models × windows × features × bins)
// whatever the number of logged predictions.
package store

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
)

// FeatureType is how a feature is binned.
type FeatureType string

const (
	Numeric     FeatureType = "numeric"
	Categorical FeatureType = "categorical"
)

// Feature is one input of one model. Importance is nil where no registry says.
type Feature struct {
	Model      string      `json:"model"`
	Name       string      `json:"name"`
	Type       FeatureType `json:"type"`
	Importance *float64    `json:"importance"`
}

// Model is one logged model. Task, Tier and Owner come from the registry (its greatest value by byte order where
// the model's rows disagree). Tiers and Owners are nil when the model's registry rows agree on the tier (owner),
// case and surrounding space ignored; else the least and the greatest of their values by byte order.
type Model struct {
	ID       string   `json:"id"`
	Versions []string `json:"versions"`
	Task     string   `json:"task,omitempty"`
	Tier     string   `json:"tier,omitempty"`
	Owner    string   `json:"owner,omitempty"`
	Tiers    []string `json:"tiers,omitempty"`
	Owners   []string `json:"owners,omitempty"`
}

// Scope selects the rows an aggregate runs over.
type Scope struct {
	// Table is "" for the configured log table, or a validated reference table of the same columns.
	Table string
	// From/To bound the timestamp column, [From, To); both zero = no time filter (reference tables).
	From, To time.Time
	// Model restricts to one model; "" = every model named in the feature list.
	Model   string
	Segment *query.Segment
}

// SegmentCount is one value of a segment column and its rows.
type SegmentCount struct {
	Value string
	Rows  int64
}

// Windowing maps timestamps to window indexes: floor((ts − Origin) / Width). Width 0 puts every row in window 0.
type Windowing struct {
	Origin time.Time
	Width  time.Duration
}

// NumericProfile summarises one numeric feature of one model over a scope; everything but the row counts is
// computed over its finite values.
type NumericProfile struct {
	Model, Feature string
	Rows           int64 // all rows of the model in scope
	Finite         int64 // rows with a finite value
	NonFinite      int64 // NaN or ±Inf
	Mean, Std      float64
	Min, Max       float64
	// Lower and Upper align with the requested probabilities: the order statistics numpy's linear quantile
	// interpolates between, s[k] and s[min(k+1, n−1)] with k = ⌊p·(n−1)⌋ over the sorted finite values s.
	Lower, Upper []float64
	// QuantileRankError is 0 when Lower and Upper are exact order statistics; for a reference too large to sort
	// (the Spark store's exactQuantileMaxValues) both are approximate quantiles, each within this share of
	// Finite of its rank (1/accuracy of percentile_approx).
	QuantileRankError float64
	// Distinct is the number of distinct finite values; Values lists them ascending when there are at most
	// DistinctValuesCap (nil otherwise).
	Distinct int64
	Values   []float64
}

// DistinctValuesCap is the most distinct finite values a numeric profile lists: Evidently treats a numeric column
// with at most 5 unique values as categorical, and the binning of such features needs each value.
const DistinctValuesCap = 5

// CategoryCount is one category's count.
type CategoryCount struct {
	Value string
	Count int64
}

// CategoricalProfile summarises one categorical feature: the most frequent categories (at most the requested
// cap, by count descending then value), the null count, and how many distinct categories there are in all.
type CategoricalProfile struct {
	Model, Feature string
	Rows, Nulls    int64
	Distinct       int64
	Categories     []CategoryCount
}

// Profile is the reference summary from which bins are built.
type Profile struct {
	Numeric     []NumericProfile
	Categorical []CategoricalProfile
	SQL         []string
}

// NumericBins are the edges (sorted, unique, finite) of one feature; bin i holds edges[i-1] <= v < edges[i],
// with −∞ and +∞ as the outer edges.
type NumericBins struct {
	Model, Feature string
	Edges          []float64
}

// CategoricalBins lists the categories of one feature that keep their own bin (Top), and every category seen in
// the reference (Known, which includes Top). Complete says Known is the whole reference set, so a value outside
// it is "unseen" rather than "other".
type CategoricalBins struct {
	Model, Feature string
	Top            []string
	Known          []string
	Complete       bool
}

// Special numeric bins.
const (
	BinNull      = -1
	BinNonFinite = -2
	// BinValue rows are not bins: one distinct finite value (Value) of a sample with at most ValuesMaxRows finite
	// rows, and how many rows have it (Count). They come in addition to the bins.
	BinValue = -3
)

// Category kinds returned by the categorical count query.
const (
	KindCategory = 0
	KindOther    = 1
	KindUnseen   = 2
	KindNull     = 3
)

// NumericCount is the count and sum of finite values of one (model, window, feature, bin), with the smallest and
// largest of them (Min, Max; 0 for the special bins). For Bin == BinValue, Value is the distinct value counted.
type NumericCount struct {
	Model    string
	Window   int64
	Feature  string
	Bin      int
	Count    int64
	Sum      float64
	Min, Max float64
	Value    float64
}

// ValuesMaxRows is the largest sample (finite rows of one model, window and feature) whose distinct values Counts
// lists with their counts: enough for the exact two-sample KS test where `auto` tests (references of at most
// 1000 rows), and a bound of 1000 value rows per (model, window, feature) on what the store returns.
const ValuesMaxRows = 1000

// CategoryWindowCount is the count of one (model, window, feature, category kind, category).
type CategoryWindowCount struct {
	Model    string
	Window   int64
	Feature  string
	Kind     int
	Category string
	Count    int64
}

// Counts is the result of one binned aggregate.
type Counts struct {
	Numeric     []NumericCount
	Categorical []CategoryWindowCount
	SQL         []string
}

// QualityFeature is one feature a data-quality aggregate checks. Numeric features with Min/Max set are checked
// against that range (values outside it, and NaN/±Inf, are out of range); categorical features against Known
// (a value outside it is a new category). A nil range or an empty Known still gets its null count.
type QualityFeature struct {
	Model, Feature string
	Type           FeatureType
	Min, Max       *float64
	Known          []string
}

// WindowQuality is one (model, window)'s row-level checks. Checks whose column is not mapped are 0.
type WindowQuality struct {
	Model          string
	Window         int64
	Rows           int64
	DuplicateIDs   int64 // non-null prediction ids minus distinct prediction ids
	NullScore      int64
	NullPrediction int64
}

// FeatureQuality is one (model, window, feature)'s checks.
type FeatureQuality struct {
	Model       string
	Window      int64
	Feature     string
	Nulls       int64
	OutOfRange  int64 // numeric: outside [Min, Max] or non-finite
	NewCategory int64 // categorical: not among Known
	// TypeErrors (numeric features of a text-valued feature map): values present but not numbers. They are not in
	// Nulls, though the drift analyses, which cannot bin them, count them in the (null) bin.
	TypeErrors int64
}

// Quality is the result of the data-quality aggregates.
type Quality struct {
	// TypeChecked says whether numeric features can hold values that are not numbers (a text-valued feature
	// map), so that TypeErrors are counted; typed columns cannot.
	TypeChecked bool
	Windows     []WindowQuality
	Features    []FeatureQuality
	SQL         []string
}

// PerformanceRequest says how a performance aggregate reads labels and decides. Labels come from the log row
// when the label column is mapped, else from the labels table (latest label per prediction id with label_ts <=
// LabelsUntil). Binary labels are read by settings.LabelClasses (1/true/yes and 0/false/no, or positiveLabel
// against every other label); other values do not count as labelled.
type PerformanceRequest struct {
	Threshold   float64   // score >= Threshold predicts the positive class
	LabelsUntil time.Time // labels known by then count (labels table only)
	// ClassModels are the models whose labels and predictions are compared as classes (the multiclass ones):
	// their ClassLabelled/Correct and per-class confusion are counted. For other models both stay 0 — comparing
	// every model's values as class text would cost a fifth of the statement and turn regression values and
	// binary labels into thousands of discarded "classes".
	ClassModels []string
}

// NoLabelsError is the error of the label-reading aggregates when the store has no labels at all: no label
// column mapped and no labels table (or none found). Analyses that can do without labels test for it with
// errors.As.
type NoLabelsError struct{ Reason string }

func (e NoLabelsError) Error() string { return e.Reason }

// ScoreBuckets is the number of equal-width score buckets of [0, 1] in the performance histograms.
const ScoreBuckets = 1000

// WindowPerformance is one (model, window)'s confusion counts over the labelled rows with a score.
type WindowPerformance struct {
	Model          string
	Window         int64
	Served         int64   // rows in the window
	Labelled       int64   // rows with a readable binary label known in time and a non-NULL score
	TP, FP, TN, FN int64   // at the decision threshold, over the labelled rows
	LogLossSum     float64 // Σ −(y ln p + (1−y) ln(1−p)), p clipped to [1e-15, 1−1e-15]
	// Unreadable counts the rows whose label is present but neither the positive nor the negative class
	// (settings.LabelClasses), e.g. 'pos' and 'neg' without positiveLabel; they do not count as labelled.
	Unreadable int64
	// LagHours are the median and 90th percentile of label_ts − ts over the window's labels from the labels table
	// (nil where no label has a time: none known yet, or labels taken from a label column), read from the
	// window's lag histogram (LagBucket, LagQuantile): within 1 % of numpy's linear quantiles of the exact lags.
	LagP50Hours, LagP90Hours *float64

	// Multiclass (PerformanceRequest.ClassModels): rows with a label and a prediction (compared as numbers when
	// both are numeric, else as text).
	ClassLabelled, Correct int64
	// Regression: rows with a numeric label and a numeric prediction; sums of |e|, e² and |e| / max(|y|, ε),
	// e = y − prediction, ε = 2.220446049250313e-16 (as scikit-learn's MAPE).
	RegLabelled                 int64
	AbsErrSum, SqErrSum, APESum float64
}

// ClassCount is one (model, window, class)'s one-vs-rest confusion counts over the rows with a label and a
// prediction: TP = label and prediction are the class, FP = prediction only, FN = label only.
type ClassCount struct {
	Model      string
	Window     int64
	Class      string
	TP, FP, FN int64
}

// ScoreBucket is the count and score sum of one (model, window, label, bucket): bucket = floor(score × 1000),
// clamped to [0, 999] (a score of 1 falls in the last bucket).
type ScoreBucket struct {
	Model    string
	Window   int64
	Label    int
	Bucket   int
	Count    int64
	ScoreSum float64
}

// Performance is the result of the performance aggregates.
type Performance struct {
	Windows []WindowPerformance
	Buckets []ScoreBucket
	Classes []ClassCount
	// Lags is the label lag histogram each window's LagP50Hours and LagP90Hours are read from (LagBucket).
	Lags []LagBucket
	SQL  []string
}

// Store is one engine's adapter: catalogue look-ups and aggregate queries over the inference log the settings
// describe. The contract below is all an adapter's author needs; pkg/store/storetest checks it on every engine
// with the same rows.
//
// Common to every method:
//   - Only aggregates come back, never rows. Identifiers (tables, columns, features) have been validated against
//     the discovered schema and are quoted; every value (times, model, segment, edges, categories, thresholds) is
//     a bound parameter. The store is only read.
//   - Scope selects rows: the log table (or Scope.Table), ts in [From, To) when From is set, the model column
//     (compared as text) = Scope.Model when set, the segment column (as text) = Segment.Value when set. Rows whose
//     model is NULL belong to no model. An empty scope yields no rows, not an error.
//   - Windowing maps a row to floor((ts − Origin) / Width) (an int64; Width 0: every row in window 0). Windows
//     and groups with no row are absent from the result (never zero rows).
//   - Result slices are in no particular order unless a method says so; callers index them.
//   - Numeric values are read as 64-bit floats; NULL is missing, NaN and ±Inf are non-finite (reported apart,
//     never mixed into sums, moments or quantiles). Categorical values are compared as text.
//   - Each result's SQL field lists the statements run, for the frame metadata.
//   - A cancelled or expired context stops the work and returns an error saying so; an error in the store (a
//     missing column, a failed statement) is returned, naming the table or column.
type Store interface {
	// Health checks that the store answers, that the log table has every mapped column (the error names each
	// one missing), that the time column is a timestamp and that a feature map column is a map of a number or
	// text type.
	Health(ctx context.Context) error
	// Models lists every model of the log (id as text, in byte order) with its distinct non-NULL versions (byte
	// order; none when no version column is mapped), and Task/Tier/Owner from the model registry where it has the
	// model ("" elsewhere). No model: an empty slice.
	Models(ctx context.Context) ([]Model, error)
	// Features lists the features of one model ("" = every model, grouped by model in Models' order), names
	// lower-case. Where the registry lists the model: its features, in descending importance (unknown last) then
	// name, typed by the registry (or the column type where the registry's type is neither numeric nor
	// categorical), with its importance. Elsewhere: every feature column (or map key that is an identifier), by
	// name, typed from the column (map values) type, Importance nil. Errors: an unknown model; a registry feature
	// the log lacks; a registry numeric feature whose column is not a number. Where ctx carries the request's
	// model list (WithModels), it stands for Models' answer.
	Features(ctx context.Context, model string) ([]Feature, error)
	// SegmentValues lists the non-NULL values (as text) of a configured segment column in a scope (zero scope: the
	// whole log) with their row counts, most rows first, ties by value, at most limit of them. A column that is not
	// a configured segment column is an error.
	SegmentValues(ctx context.Context, scope Scope, column string, limit int) ([]SegmentCount, error)
	// ValidateTable checks that a reference table exists and has the model column and every feature's column,
	// naming what is missing.
	ValidateTable(ctx context.Context, table string, features []Feature) error
	// Profile summarises the features of a scope, one entry per (model, feature) with at least one row in scope.
	// Numeric (sorted by model, feature): Rows = rows of the model in scope (NULL included), Finite, NonFinite;
	// Mean and Std (population, ddof 0) over the finite values, exact for any finite magnitude (no overflow up to
	// ±1.8e308); Min, Max; Lower and Upper, the order statistics of numpy's linear quantiles at probs, over the
	// finite values, nil when there is none (then Mean, Std, Min, Max are 0); Distinct, and Values where Distinct
	// <= DistinctValuesCap. Categorical (sorted by model, feature): Rows, Nulls, Distinct
	// (non-NULL categories), and the categoryCap most frequent categories by count descending then value.
	Profile(ctx context.Context, scope Scope, features []Feature, probs []float64, categoryCap int) (Profile, error)
	// Counts bins a scope per (model, window, feature). Numeric (bins from NumericBins): Bin i in [0, len(Edges)]
	// counts the finite values with Edges[i-1] <= v < Edges[i] and carries their Sum (±Inf when the sum
	// overflows) and their Min and Max; BinNonFinite counts NaN/±Inf, BinNull the NULL values (Sum 0); BinValue
	// rows list the distinct finite values with their counts of every sample with at most ValuesMaxRows finite rows. Categorical: KindCategory per Top
	// category (Category set), KindOther for the known categories outside Top and, when Complete is false, for
	// unknown ones; KindUnseen for values outside Known when Complete; KindNull for NULL. Only non-zero counts.
	Counts(ctx context.Context, scope Scope, w Windowing, num []NumericBins, cat []CategoricalBins) (Counts, error)
	// Quality counts per (model, window) the rows, duplicate prediction ids (non-NULL ids minus distinct ones) and
	// NULL score/prediction (0 for an unmapped column); and per (model, window, feature) with at least one row:
	// NULL values, numeric values outside [Min, Max] or non-finite (OutOfRange), categorical values outside a
	// non-empty Known (NewCategory), and in a text-valued feature map the present values that are not numbers
	// (TypeErrors, TypeChecked true; they are not in Nulls).
	Quality(ctx context.Context, scope Scope, w Windowing, features []QualityFeature) (Quality, error)
	// Performance counts per (model, window) the served rows, the labelled ones (a 0/1 label and a score), the
	// confusion matrix at req.Threshold (score >= threshold is positive), the log-loss sum, the class and
	// regression sums (see WindowPerformance) and the label lag quantiles in hours; per (model, window, label) the
	// score histogram (ScoreBucket); per (model, window, class) the one-vs-rest counts of req.ClassModels.
	// Labels: the label column, or the latest label per prediction id with label_ts <= req.LabelsUntil from the
	// labels table (prediction_id, label, label_ts). Errors: no label source, or a labels table lacking a column.
	Performance(ctx context.Context, scope Scope, w Windowing, req PerformanceRequest) (Performance, error)
	// ScoreHistogram counts the rows with a finite score per (model, window, 1/1000 score bucket, score >=
	// threshold); no labels are read (estimatedPerformance's current windows). No score column: an error.
	ScoreHistogram(ctx context.Context, scope Scope, w Windowing, threshold float64) (ScoreHistogram, error)
	// Close releases the engine's resources; the Store is not used afterwards.
	Close() error
	// MulticlassHistograms returns the aggregates of multiclass CBPE (see MulticlassHistograms' fields): the
	// reference's calibration buckets and confusion counts (labels read as Performance reads them) and the current
	// windows' predicted-class score buckets. No score or prediction column: an error.
	MulticlassHistograms(ctx context.Context, req MulticlassRequest) (MulticlassHistograms, error)
}

// LagBucket is the count of one (model, window, label lag bucket): the labels (from a labels table) whose lag
// label_ts − ts falls in the bucket. Bucket 0 holds the lags under a second either way; bucket k > 0 the lags
// of [LagGrowth^(k−1), LagGrowth^k) seconds, bucket −k the same lags negated (a label stamped before its
// prediction). Lag quantiles are read from these counts (LagQuantile) so that they add up across label
// cut-offs: a window's histogram under a later cut-off is its histogram under an earlier one plus the changed
// labels' buckets, where exact quantiles would need every lag again.
type LagBucket struct {
	Model  string
	Window int64
	Bucket int
	Count  int64
}

// LagGrowth is the ratio of a lag bucket's upper to its lower bound. A bucket stands for its geometric midpoint,
// within √1.02 − 1 ≈ 0.995 % of every lag in it: for a label lag in hours (days, for most models) that is
// minutes at most, below what the lag's use — when truth arrives, whether labels are pending — can tell apart.
const LagGrowth = 1.02

// LagBucketHours is the lag, in hours, bucket k stands for: 0 for bucket 0, else ±LagGrowth^(|k|−½) seconds.
func LagBucketHours(k int) float64 {
	if k == 0 {
		return 0
	}
	a := k
	if a < 0 {
		a = -a
	}
	h := math.Exp((float64(a)-0.5)*math.Log(LagGrowth)) / 3600
	if k < 0 {
		return -h
	}
	return h
}

// LagQuantile is numpy's linear quantile at p (0 ≤ p ≤ 1) of the lags a histogram holds, each lag read as its
// bucket's LagBucketHours: with n lags sorted, position h = p·(n−1) between the lags of ranks ⌊h⌋ and ⌊h⌋+1.
// The buckets may come in any order and several rows may name one bucket; nil when the histogram is empty.
func LagQuantile(buckets []LagBucket, p float64) *float64 {
	counts := map[int]int64{}
	var n int64
	for _, b := range buckets {
		counts[b.Bucket] += b.Count
		n += b.Count
	}
	if n <= 0 {
		return nil
	}
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	h := p * float64(n-1)
	lo := int64(math.Floor(h))
	at := func(rank int64) float64 {
		for _, k := range keys {
			if rank < counts[k] {
				return LagBucketHours(k)
			}
			rank -= counts[k]
		}
		return LagBucketHours(keys[len(keys)-1])
	}
	v := at(lo)
	if hi := min(lo+1, n-1); hi != lo {
		v += (h - float64(lo)) * (at(hi) - v)
	}
	return &v
}

// LagQuantiles returns the median and 90th percentile of a lag histogram (LagQuantile): a window's LagP50Hours
// and LagP90Hours.
func LagQuantiles(buckets []LagBucket) (p50, p90 *float64) {
	return LagQuantile(buckets, 0.5), LagQuantile(buckets, 0.9)
}

// AddPerformance adds sign (1 or −1) times the additive fields of src to dst: every count and sum of
// WindowPerformance but the lag quantiles (read from the lag histogram) and the model and window.
func AddPerformance(dst, src *WindowPerformance, sign int64) {
	f := float64(sign)
	dst.Served += sign * src.Served
	dst.Labelled += sign * src.Labelled
	dst.TP += sign * src.TP
	dst.FP += sign * src.FP
	dst.TN += sign * src.TN
	dst.FN += sign * src.FN
	dst.LogLossSum += f * src.LogLossSum
	dst.Unreadable += sign * src.Unreadable
	dst.ClassLabelled += sign * src.ClassLabelled
	dst.Correct += sign * src.Correct
	dst.RegLabelled += sign * src.RegLabelled
	dst.AbsErrSum += f * src.AbsErrSum
	dst.SqErrSum += f * src.SqErrSum
	dst.APESum += f * src.APESum
}
