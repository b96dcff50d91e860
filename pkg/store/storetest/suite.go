package storetest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Engine is one store engine the suite runs on.
type Engine struct {
	Name string
	// Open loads f.Tables into a fresh store of the engine and opens a store.Store over it with f.Settings (the
	// engine fills in Path or its connection fields). The suite closes the store.
	Open func(t *testing.T, f Fixture) store.Store
}

// Run checks every store.Store method on the Wide and the Map fixture.
func Run(t *testing.T, e Engine) {
	for name, f := range map[string]Fixture{"wide": Wide(), "map": Map()} {
		t.Run(e.Name+"/"+name, func(t *testing.T) {
			st := e.Open(t, f)
			defer st.Close()
			mapped := f.Settings.FeatureMapColumn != ""
			t.Run("Health", func(t *testing.T) { checkHealth(t, st) })
			t.Run("Models", func(t *testing.T) { checkModels(t, st) })
			t.Run("Features", func(t *testing.T) { checkFeatures(t, st) })
			t.Run("SegmentValues", func(t *testing.T) { checkSegmentValues(t, st) })
			t.Run("Profile", func(t *testing.T) { checkProfile(t, st) })
			t.Run("Counts", func(t *testing.T) { checkCounts(t, st) })
			t.Run("Quality", func(t *testing.T) { checkQuality(t, st, mapped) })
			t.Run("Performance", func(t *testing.T) { checkPerformance(t, st) })
			t.Run("ScoreHistogram", func(t *testing.T) { checkScoreHistogram(t, st) })
			t.Run("MulticlassHistograms", func(t *testing.T) { checkMulticlass(t, st) })
			t.Run("Cancelled", func(t *testing.T) { checkCancelled(t, st) })
			if sig, ok := st.(store.ChangeSignal); ok {
				t.Run("ChangeSignal", func(t *testing.T) { checkChangeSignal(t, sig) })
			}
			if ld, ok := st.(store.LabelDelta); ok {
				t.Run("LabelDelta", func(t *testing.T) { checkLabelDelta(t, st, ld) })
			}
		})
	}
}

var (
	ctx   = context.Background()
	daily = store.Windowing{Origin: day(0, 0), Width: 24 * time.Hour}
	// twoDays scopes model a over days 0 and 1.
	twoDays = store.Scope{From: day(0, 0), To: day(2, 0), Model: "a"}
)

func ptr(v float64) *float64 { return &v }

func checkHealth(t *testing.T, st store.Store) {
	if err := st.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.ValidateTable(ctx, "inference_log", []store.Feature{{Model: "a", Name: "region"}}); err != nil {
		t.Errorf("the log as its own reference: %v", err)
	}
	err := st.ValidateTable(ctx, "inference_label", []store.Feature{{Model: "a", Name: "region"}})
	if err == nil || !strings.Contains(err.Error(), "missing columns: model_id, region") {
		t.Errorf("reference table without the model column and a feature: %v", err)
	}
	if err := st.ValidateTable(ctx, "no_such_table", nil); err == nil || !strings.Contains(err.Error(), `"no_such_table" not found`) {
		t.Errorf("missing reference table: %v", err)
	}
}

func checkModels(t *testing.T, st store.Store) {
	got, err := st.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "models", got, []store.Model{
		{ID: "a", Versions: []string{"v1", "v2"}, Task: "binary", Tier: "1", Owner: "team-a"},
		{ID: "b", Versions: []string{"v1"}},
	})
}

// Model a: the registry's features, by importance (its "X" read lower-case); model b: not in the Wide registry,
// so every feature column by name, typed from its column (the Map registry types b's keys the same way).
func checkFeatures(t *testing.T, st store.Store) {
	got, err := st.Features(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "features", got, []store.Feature{
		{Model: "a", Name: "x", Type: store.Numeric, Importance: ptr(0.7)},
		{Model: "a", Name: "c", Type: store.Categorical, Importance: ptr(0.3)},
		{Model: "b", Name: "c", Type: store.Categorical},
		{Model: "b", Name: "x", Type: store.Numeric},
	})
	if _, err := st.Features(ctx, "zzz"); err == nil || !strings.Contains(err.Error(), `unknown model "zzz"`) {
		t.Errorf("unknown model: %v", err)
	}
	// The request's model list in ctx (store.WithModels) stands for Models' answer: with a list naming only b,
	// Features lists b's features alone and a is unknown.
	withList := store.WithModels(ctx, []store.Model{{ID: "b", Versions: []string{"v1"}}})
	got, err = st.Features(withList, "")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "features of the context's models", got, []store.Feature{
		{Model: "b", Name: "c", Type: store.Categorical},
		{Model: "b", Name: "x", Type: store.Numeric},
	})
	if _, err := st.Features(withList, "a"); err == nil || !strings.Contains(err.Error(), `unknown model "a"`) {
		t.Errorf("a model not in the context's list: %v", err)
	}
}

// EU holds rows a1 a2 a5 a6 b1 b2 b3 (7), US a3 a4 a6 a8 (4); within model a it is 4 and 4, ties by value; a
// segment scope keeps its own value only.
func checkSegmentValues(t *testing.T, st store.Store) {
	got, err := st.SegmentValues(ctx, store.Scope{}, "region", 10)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "segments", got, []store.SegmentCount{{Value: "EU", Rows: 7}, {Value: "US", Rows: 4}})
	got, err = st.SegmentValues(ctx, twoDays, "region", 1)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "segments of a, limit 1", got, []store.SegmentCount{{Value: "EU", Rows: 4}})
	us := store.Scope{Model: "a", Segment: &query.Segment{Column: "region", Value: "US"}}
	got, err = st.SegmentValues(ctx, us, "region", 10)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "segments of a in US", got, []store.SegmentCount{{Value: "US", Rows: 4}})
	if _, err := st.SegmentValues(ctx, store.Scope{}, "model_id", 10); err == nil {
		t.Error("a column that is not a segment column was accepted")
	}
}

// Model a's x: 1, 2, 3, NULL, 4, NaN, 5, +Inf → 8 rows, 5 finite (mean 3, population std √2; at p = 0/0.5/1
// k = ⌊p·4⌋ = 0, 2, 4: order statistics s[k] = 1, 3, 5 and s[min(k+1, 4)] = 2, 4, 5; 5 distinct values, listed),
// 2 non-finite. Model b's x: 10, 20, 1e308 → mean (1e308 + 30)/3, std √(2/9)·1e308 =
// 4.714045207910316829e307 (exact arithmetic), where a plain variance aggregate overflows; k = 0, 1, 2. Model a's c: u ×4,
// v ×2, w ×1, NULL ×1 → the top 2 are u, v.
func checkProfile(t *testing.T, st store.Store) {
	probs := []float64{0, 0.5, 1}
	feats := []store.Feature{{Model: "a", Name: "x", Type: store.Numeric}, {Model: "a", Name: "c", Type: store.Categorical},
		{Model: "b", Name: "x", Type: store.Numeric}}
	got, err := st.Profile(ctx, store.Scope{From: day(0, 0), To: day(2, 0)}, feats, probs, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantNum := []store.NumericProfile{
		{Model: "a", Feature: "x", Rows: 8, Finite: 5, NonFinite: 2, Mean: 3, Std: math.Sqrt2, Min: 1, Max: 5,
			Lower: []float64{1, 3, 5}, Upper: []float64{2, 4, 5}, Distinct: 5, Values: []float64{1, 2, 3, 4, 5}},
		{Model: "b", Feature: "x", Rows: 3, Finite: 3, Mean: 3.3333333333333333e307, Std: 4.714045207910316829e307, Min: 10, Max: 1e308,
			Lower: []float64{10, 20, 1e308}, Upper: []float64{20, 1e308, 1e308}, Distinct: 3, Values: []float64{10, 20, 1e308}},
	}
	wantCat := []store.CategoricalProfile{
		{Model: "a", Feature: "c", Rows: 8, Nulls: 1, Distinct: 3, Categories: []store.CategoryCount{{Value: "u", Count: 4}, {Value: "v", Count: 2}}},
	}
	expect(t, "numeric profiles", got.Numeric, wantNum)
	expect(t, "categorical profiles", got.Categorical, wantCat)
	if len(got.SQL) != 2 {
		t.Errorf("%d statements reported, want 2", len(got.SQL))
	}
	// A scope of one model with only its features (statements that may skip the feature-list join): model a's
	// profiles, the same.
	one, err := st.Profile(ctx, store.Scope{From: day(0, 0), To: day(2, 0), Model: "a"}, feats[:2], probs, 2)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "numeric profiles of model a's scope", one.Numeric, wantNum[:1])
	expect(t, "categorical profiles of model a's scope", one.Categorical, wantCat)
}

// Edges [2, 4]: bin 0 below 2, bin 1 on [2, 4), bin 2 from 4. Window 0: 1 → 0; 2, 3 → 1 (sum 5, min 2, max 3);
// NULL. Window 1: 4, 5 → 2 (sum 9); NaN, +Inf non-finite. Both windows are small samples, so their distinct finite
// values come too (BinValue): 1, 2, 3 and 4, 5, once each. c with Top [u], Known [u, v], complete: window 0 u ×2, v other, NULL;
// window 1 u ×2, v other, w unseen.
func checkCounts(t *testing.T, st store.Store) {
	got, err := st.Counts(ctx, twoDays, daily, []store.NumericBins{{Model: "a", Feature: "x", Edges: []float64{2, 4}}},
		[]store.CategoricalBins{{Model: "a", Feature: "c", Top: []string{"u"}, Known: []string{"u", "v"}, Complete: true}})
	if err != nil {
		t.Fatal(err)
	}
	byBin := func(c store.NumericCount) string { return k(c.Window, c.Bin, c.Value) }
	value := func(w int64, v float64) store.NumericCount {
		return store.NumericCount{Model: "a", Window: w, Feature: "x", Bin: store.BinValue, Count: 1, Value: v}
	}
	expect(t, "numeric counts", sorted(got.Numeric, byBin), sorted([]store.NumericCount{
		{Model: "a", Window: 0, Feature: "x", Bin: 0, Count: 1, Sum: 1, Min: 1, Max: 1},
		{Model: "a", Window: 0, Feature: "x", Bin: 1, Count: 2, Sum: 5, Min: 2, Max: 3},
		{Model: "a", Window: 0, Feature: "x", Bin: store.BinNull, Count: 1},
		{Model: "a", Window: 1, Feature: "x", Bin: 2, Count: 2, Sum: 9, Min: 4, Max: 5},
		{Model: "a", Window: 1, Feature: "x", Bin: store.BinNonFinite, Count: 2},
		value(0, 1), value(0, 2), value(0, 3), value(1, 4), value(1, 5),
	}, byBin))
	byKind := func(c store.CategoryWindowCount) string { return k(c.Window, c.Kind, c.Category) }
	expect(t, "categorical counts", sorted(got.Categorical, byKind), sorted([]store.CategoryWindowCount{
		{Model: "a", Window: 0, Feature: "c", Kind: store.KindCategory, Category: "u", Count: 2},
		{Model: "a", Window: 0, Feature: "c", Kind: store.KindOther, Count: 1},
		{Model: "a", Window: 0, Feature: "c", Kind: store.KindNull, Count: 1},
		{Model: "a", Window: 1, Feature: "c", Kind: store.KindCategory, Category: "u", Count: 2},
		{Model: "a", Window: 1, Feature: "c", Kind: store.KindOther, Count: 1},
		{Model: "a", Window: 1, Feature: "c", Kind: store.KindUnseen, Count: 1},
	}, byKind))
}

// Window 0: 4 rows, no duplicate id, no NULL score or prediction; x 1, 2, 3 inside [1, 4.5] and one NULL; c has one
// NULL. Window 1: 4 rows, a6 twice (1 duplicate), one NULL score and prediction; x 4 inside, NaN, 5, +Inf out of
// range; c's w is new.
func checkQuality(t *testing.T, st store.Store, mapped bool) {
	got, err := st.Quality(ctx, twoDays, daily, []store.QualityFeature{
		{Model: "a", Feature: "x", Type: store.Numeric, Min: ptr(1), Max: ptr(4.5)},
		{Model: "a", Feature: "c", Type: store.Categorical, Known: []string{"u", "v"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.TypeChecked != mapped {
		t.Errorf("TypeChecked = %v with a feature map %v", got.TypeChecked, mapped)
	}
	byWindow := func(w store.WindowQuality) string { return k(w.Window) }
	expect(t, "window quality", sorted(got.Windows, byWindow), []store.WindowQuality{
		{Model: "a", Window: 0, Rows: 4},
		{Model: "a", Window: 1, Rows: 4, DuplicateIDs: 1, NullScore: 1, NullPrediction: 1},
	})
	byFeature := func(f store.FeatureQuality) string { return k(f.Feature, f.Window) }
	expect(t, "feature quality", sorted(got.Features, byFeature), []store.FeatureQuality{
		{Model: "a", Window: 0, Feature: "c", Nulls: 1},
		{Model: "a", Window: 1, Feature: "c", NewCategory: 1},
		{Model: "a", Window: 0, Feature: "x", Nulls: 1},
		{Model: "a", Window: 1, Feature: "x", OutOfRange: 3},
	})

	// The fleet: b's x checked against an upper end only (20 and 1e308 above 15, 10 not), b's c without known
	// categories (nothing new).
	fleet := store.Scope{From: twoDays.From, To: twoDays.To}
	got, err = st.Quality(ctx, fleet, daily, []store.QualityFeature{
		{Model: "a", Feature: "x", Type: store.Numeric, Min: ptr(1), Max: ptr(4.5)},
		{Model: "b", Feature: "x", Type: store.Numeric, Max: ptr(15)},
		{Model: "a", Feature: "c", Type: store.Categorical, Known: []string{"u", "v"}},
		{Model: "b", Feature: "c", Type: store.Categorical},
	})
	if err != nil {
		t.Fatal(err)
	}
	byModel := func(f store.FeatureQuality) string { return k(f.Model, f.Feature, f.Window) }
	expect(t, "fleet feature quality", sorted(got.Features, byModel), []store.FeatureQuality{
		{Model: "a", Window: 0, Feature: "c", Nulls: 1},
		{Model: "a", Window: 1, Feature: "c", NewCategory: 1},
		{Model: "a", Window: 0, Feature: "x", Nulls: 1},
		{Model: "a", Window: 1, Feature: "x", OutOfRange: 3},
		{Model: "b", Window: 0, Feature: "c"},
		{Model: "b", Window: 1, Feature: "c"},
		{Model: "b", Window: 0, Feature: "x", OutOfRange: 1},
		{Model: "b", Window: 1, Feature: "x", OutOfRange: 1},
	})
}

// Labels known by day 5 (a8's correction on day 9 is not). Window 0 (a1–a4): TP a1, FP a2, TN a3, FN a4; log
// loss −ln 0.9 − ln 0.2 − ln 0.7 − ln 0.2; regression |e| 0, 1, 0, 1 (APE 1/ε for a2, whose label is 0, and 1 for
// a4); lags 6, 12, 1, 3 h. Window 1: a5 TP, a8 FP (label 0), a6 unlabelled (twice); log loss −ln 0.7 − ln 0.05;
// lags 24 and 2 h. As a class model, labels and predictions are the classes 1 and 0.
// Lag quantiles are numpy's linear quantiles of the lags read as their bucket's midpoint (store.LagBucket): bucket
// 1 + ⌊ln(lag in s) / ln 1.02⌋, midpoint 1.02^(k − ½) s; computed in Python — 1 h (3600 s) is bucket 414, 3 h
// 469, 6 h 504, 12 h 539, 2 h 449, 24 h 575 — which gives 4.456082672232123 and 10.099808778991164 for window
// 0 (exact lags: 4.5 and 10.2, within 1 %) and 13.118625227694405 and 22.0140980476204 for window 1 (13, 21.8).
func checkPerformance(t *testing.T, st store.Store) {
	req := store.PerformanceRequest{Threshold: 0.5, LabelsUntil: day(5, 0), ClassModels: []string{"a"}}
	got, err := st.Performance(ctx, twoDays, daily, req)
	if err != nil {
		t.Fatal(err)
	}
	eps := 2.220446049250313e-16
	byWindow := func(w store.WindowPerformance) string { return k(w.Window) }
	expect(t, "window performance", sorted(got.Windows, byWindow), []store.WindowPerformance{
		{Model: "a", Window: 0, Served: 4, Labelled: 4, TP: 1, FP: 1, TN: 1, FN: 1,
			LogLossSum: -math.Log(0.9) - math.Log(1-0.8) - math.Log(1-0.3) - math.Log(0.2), LagP50Hours: ptr(4.456082672232123), LagP90Hours: ptr(10.099808778991164),
			ClassLabelled: 4, Correct: 2, RegLabelled: 4, AbsErrSum: 2, SqErrSum: 2, APESum: 1/eps + 1},
		{Model: "a", Window: 1, Served: 4, Labelled: 2, TP: 1, FP: 1,
			LogLossSum: -math.Log(0.7) - math.Log(1-0.95), LagP50Hours: ptr(13.118625227694405), LagP90Hours: ptr(22.0140980476204),
			ClassLabelled: 2, Correct: 1, RegLabelled: 2, AbsErrSum: 1, SqErrSum: 1, APESum: 1 / eps},
	})
	byLag := func(l store.LagBucket) string { return k(l.Window, l.Bucket) }
	expect(t, "lag buckets", sorted(got.Lags, byLag), sorted([]store.LagBucket{
		{Model: "a", Window: 0, Bucket: 414, Count: 1}, {Model: "a", Window: 0, Bucket: 469, Count: 1},
		{Model: "a", Window: 0, Bucket: 504, Count: 1}, {Model: "a", Window: 0, Bucket: 539, Count: 1},
		{Model: "a", Window: 1, Bucket: 449, Count: 1}, {Model: "a", Window: 1, Bucket: 575, Count: 1},
	}, byLag))
	byBucket := func(b store.ScoreBucket) string { return k(b.Window, b.Label, b.Bucket) }
	expect(t, "score buckets", sorted(got.Buckets, byBucket), sorted([]store.ScoreBucket{
		{Model: "a", Window: 0, Label: 1, Bucket: 900, Count: 1, ScoreSum: 0.9},
		{Model: "a", Window: 0, Label: 0, Bucket: 800, Count: 1, ScoreSum: 0.8},
		{Model: "a", Window: 0, Label: 0, Bucket: 300, Count: 1, ScoreSum: 0.3},
		{Model: "a", Window: 0, Label: 1, Bucket: 200, Count: 1, ScoreSum: 0.2},
		{Model: "a", Window: 1, Label: 1, Bucket: 700, Count: 1, ScoreSum: 0.7},
		{Model: "a", Window: 1, Label: 0, Bucket: 950, Count: 1, ScoreSum: 0.95},
	}, byBucket))
	for i := range got.Classes {
		got.Classes[i].Class = class(got.Classes[i].Class)
	}
	byClass := func(c store.ClassCount) string { return k(c.Window, c.Class) }
	expect(t, "class counts", sorted(got.Classes, byClass), sorted([]store.ClassCount{
		{Model: "a", Window: 0, Class: "1", TP: 1, FP: 1, FN: 1},
		{Model: "a", Window: 0, Class: "0", TP: 1, FP: 1, FN: 1},
		{Model: "a", Window: 1, Class: "1", TP: 1, FP: 1},
		{Model: "a", Window: 1, Class: "0", FN: 1},
	}, byClass))
}

// Rows with a finite score by 1/1000 bucket and decision at 0.5: model b's score 1 falls in the last bucket.
func checkScoreHistogram(t *testing.T, st store.Store) {
	got, err := st.ScoreHistogram(ctx, store.Scope{From: day(0, 0), To: day(2, 0)}, daily, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	key := func(b store.PredictedBucket) string { return k(b.Model, b.Window, b.Bucket) }
	expect(t, "score histogram", sorted(got.Buckets, key), sorted([]store.PredictedBucket{
		{Model: "a", Window: 0, Bucket: 900, Positive: true, Count: 1},
		{Model: "a", Window: 0, Bucket: 800, Positive: true, Count: 1},
		{Model: "a", Window: 0, Bucket: 300, Count: 1},
		{Model: "a", Window: 0, Bucket: 200, Count: 1},
		{Model: "a", Window: 1, Bucket: 700, Positive: true, Count: 1},
		{Model: "a", Window: 1, Bucket: 400, Count: 1},
		{Model: "a", Window: 1, Bucket: 950, Positive: true, Count: 1},
		{Model: "b", Window: 0, Bucket: 100, Count: 1},
		{Model: "b", Window: 0, Bucket: 600, Positive: true, Count: 1},
		{Model: "b", Window: 1, Bucket: 999, Positive: true, Count: 1},
	}, key))
}

// Reference: model a's day 0 (a1–a4, all labelled); current: day 1, whose a6 with no prediction is left out.
func checkMulticlass(t *testing.T, st store.Store) {
	got, err := st.MulticlassHistograms(ctx, store.MulticlassRequest{
		Reference: store.Scope{From: day(0, 0), To: day(1, 0), Model: "a"},
		Current:   store.Scope{From: day(1, 0), To: day(2, 0), Model: "a"},
		Windowing: daily, LabelsUntil: day(5, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got.Reference {
		got.Reference[i].Class = class(got.Reference[i].Class)
	}
	for i := range got.Confusion {
		got.Confusion[i].Predicted, got.Confusion[i].Label = class(got.Confusion[i].Predicted), class(got.Confusion[i].Label)
	}
	for i := range got.Current {
		got.Current[i].Class = class(got.Current[i].Class)
	}
	refKey := func(b store.ClassCalibrationBucket) string { return k(b.Class, b.Bucket) }
	expect(t, "calibration", sorted(got.Reference, refKey), sorted([]store.ClassCalibrationBucket{
		{Model: "a", Class: "1", Bucket: 900, Correct: true, Count: 1},
		{Model: "a", Class: "1", Bucket: 800, Count: 1},
		{Model: "a", Class: "0", Bucket: 300, Correct: true, Count: 1},
		{Model: "a", Class: "0", Bucket: 200, Count: 1},
	}, refKey))
	confKey := func(c store.ClassConfusion) string { return k(c.Predicted, c.Label) }
	expect(t, "confusion", sorted(got.Confusion, confKey), sorted([]store.ClassConfusion{
		{Model: "a", Predicted: "1", Label: "1", Count: 1}, {Model: "a", Predicted: "1", Label: "0", Count: 1},
		{Model: "a", Predicted: "0", Label: "0", Count: 1}, {Model: "a", Predicted: "0", Label: "1", Count: 1},
	}, confKey))
	curKey := func(b store.ClassScoreBucket) string { return k(b.Window, b.Class, b.Bucket) }
	expect(t, "current", sorted(got.Current, curKey), sorted([]store.ClassScoreBucket{
		{Model: "a", Window: 1, Class: "1", Bucket: 700, Count: 1},
		{Model: "a", Window: 1, Class: "0", Bucket: 400, Count: 1},
		{Model: "a", Window: 1, Class: "1", Bucket: 950, Count: 1},
	}, curKey))
}

// A cancelled context stops the work with an error that says so.
func checkCancelled(t *testing.T, st store.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.Counts(c, twoDays, daily, []store.NumericBins{{Model: "a", Feature: "x", Edges: []float64{2}}}, nil); err == nil ||
		!strings.Contains(err.Error(), "cancelled") {
		t.Errorf("cancelled counts: %v", err)
	}
}
