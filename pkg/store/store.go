// Package store defines what the engine asks of a store of inference logs: catalogue look-ups and the
// aggregate queries (reference profile, binned counts, data-quality counts). One adapter per engine implements it (duckdb now;
// postgres and spark next). Adapters return aggregates, never rows, so the backend's memory is
// O(models × windows × features × bins) whatever the number of logged predictions.
package store

import (
	"context"
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

// Model is one logged model.
type Model struct {
	ID       string   `json:"id"`
	Versions []string `json:"versions"`
	Task     string   `json:"task,omitempty"`
	Tier     string   `json:"tier,omitempty"`
	Owner    string   `json:"owner,omitempty"`
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

// NumericProfile summarises one numeric feature of one model over a scope. Quantiles align with the requested
// probabilities and are computed over finite values (linear interpolation, as numpy's default).
type NumericProfile struct {
	Model, Feature string
	Rows           int64 // all rows of the model in scope
	Finite         int64 // rows with a finite value
	NonFinite      int64 // NaN or ±Inf
	Mean, Std      float64
	Min, Max       float64
	Quantiles      []float64
}

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
)

// Category kinds returned by the categorical count query.
const (
	KindCategory = 0
	KindOther    = 1
	KindUnseen   = 2
	KindNull     = 3
)

// NumericCount is the count and sum of finite values of one (model, window, feature, bin).
type NumericCount struct {
	Model   string
	Window  int64
	Feature string
	Bin     int
	Count   int64
	Sum     float64
}

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
// LabelsUntil). Binary labels are 0/1 (or booleans); other values do not count as labelled.
type PerformanceRequest struct {
	Threshold   float64   // score >= Threshold predicts the positive class
	LabelsUntil time.Time // labels known by then count (labels table only)
	// ClassModels are the models whose labels and predictions are compared as classes (the multiclass ones):
	// their ClassLabelled/Correct and per-class confusion are counted. For other models both stay 0 — comparing
	// every model's values as class text would cost a fifth of the statement and turn regression values and
	// binary labels into thousands of discarded "classes".
	ClassModels []string
}

// ScoreBuckets is the number of equal-width score buckets of [0, 1] in the performance histograms.
const ScoreBuckets = 1000

// WindowPerformance is one (model, window)'s confusion counts over the labelled rows with a score.
type WindowPerformance struct {
	Model          string
	Window         int64
	Served         int64   // rows in the window
	Labelled       int64   // rows with a 0/1 label known in time and a non-NULL score
	TP, FP, TN, FN int64   // at the decision threshold, over the labelled rows
	LogLossSum     float64 // Σ −(y ln p + (1−y) ln(1−p)), p clipped to [1e-15, 1−1e-15]
	// LagHours are the median and 90th percentile of label_ts − ts over the window's labels from the labels table
	// (nil where no label has a time: none known yet, or labels taken from a label column).
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
	SQL     []string
}

// Store is one engine's adapter.
type Store interface {
	// Health checks reachability and that every mapped column exists, naming what is missing.
	Health(ctx context.Context) error
	Models(ctx context.Context) ([]Model, error)
	// Features lists the features of one model ("" = every model), from the registry or inferred from types.
	Features(ctx context.Context, model string) ([]Feature, error)
	// SegmentValues lists a segment column's values in a scope (zero scope: the whole log), most rows first.
	SegmentValues(ctx context.Context, scope Scope, column string, limit int) ([]SegmentCount, error)
	// ValidateTable checks that a reference table exists and has the mapped columns the features need.
	ValidateTable(ctx context.Context, table string, features []Feature) error
	Profile(ctx context.Context, scope Scope, features []Feature, probs []float64, categoryCap int) (Profile, error)
	Counts(ctx context.Context, scope Scope, w Windowing, num []NumericBins, cat []CategoricalBins) (Counts, error)
	// Quality counts rows, duplicate ids and missing score/prediction per (model, window), and nulls, out-of-range
	// values and new categories per (model, window, feature).
	Quality(ctx context.Context, scope Scope, w Windowing, features []QualityFeature) (Quality, error)
	// Performance counts served and labelled rows, the confusion matrix at a threshold and the log-loss sum per
	// (model, window), and per (model, window, label) a histogram of the score in 1/1000 buckets.
	Performance(ctx context.Context, scope Scope, w Windowing, req PerformanceRequest) (Performance, error)
	// ScoreHistogram counts the rows with a score per (model, window, 1/1000 score bucket, score >= threshold);
	// no labels are read (estimatedPerformance's current windows).
	ScoreHistogram(ctx context.Context, scope Scope, w Windowing, threshold float64) (ScoreHistogram, error)
	Close() error
	MulticlassHistograms(ctx context.Context, req MulticlassRequest) (MulticlassHistograms, error)
}
