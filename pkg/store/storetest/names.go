package storetest

import (
	"slices"
	"testing"

	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// aliasNames are the names the generated SQL uses for its own columns, tables and aliases (and the old ones
// it used before they were made unlikely): a store whose columns and tables are named after them must read
// exactly as any other.
var aliasNames = []string{"n", "c", "c1", "c2", "f", "fm", "e", "k", "val", "x", "l", "r", "s", "o", "z", "t", "y", "yc", "lo",
	"hi", "amax", "mean", "std", "mean_s", "std_s", "sorted", "present", "rows_all", "bin", "kind", "category", "lbl",
	"tus", "lag_h", "yhat", "yn", "pn", "pc", "lid", "ly", "lus", "dup", "null_score", "null_prediction", "finite",
	"non_finite", "quantiles", "distinct_n", "correct", "bucket", "served", "labelled", "ll", "cls_n", "reg_n",
	"abs_sum", "sq_sum", "ape_sum", "lag_q", "ps", "tp", "fp", "fn", "cls", "unnest", "key", "value", "p_1", "src",
	"long", "vals", "nulls", "feats", "cats", "agg", "checked", "missing", "typeerr", "scoped", "lab", "pairs", "scored",
	"lagk", "side", "ly0", "lus0", "ly1", "lus1"}

// Names is a store whose every name is one of the statements' own: the log table is called src, the labels
// table labels, the time column m, the model column w, the version v, the prediction id pid, the prediction
// pred, the score p, the segment column feature, and one numeric feature column per alias name (values 1, 2, 3
// on day 0 for model a), beside a categorical feature cat (u, v, u).
func Names() Fixture {
	log := Table{Name: "src", Columns: []Column{{"m", Timestamp}, {"w", Text}, {"v", Text}, {"pid", Text}, {"feature", Text},
		{"pred", Double}, {"p", Double}, {"cat", Text}}}
	for _, n := range aliasNames {
		log.Columns = append(log.Columns, Column{n, Double})
	}
	for i, cat := range []string{"u", "v", "u"} {
		row := []any{day(0, i), "a", "v1", []string{"a1", "a2", "a3"}[i], "EU", 1.0, 0.25 * float64(i+1), cat}
		for range aliasNames {
			row = append(row, float64(i+1))
		}
		log.Rows = append(log.Rows, row)
	}
	lab := labels()
	lab.Name = "labels"
	cfg := fixtureSettings()
	cfg.Table, cfg.LabelsTable, cfg.RegistryTable = "src", "labels", ""
	cfg.TimeColumn, cfg.ModelColumn, cfg.VersionColumn, cfg.PredictionIDColumn = "m", "w", "v", "pid"
	cfg.PredictionColumn, cfg.ScoreColumn, cfg.SegmentColumns = "pred", "p", []string{"feature"}
	return Fixture{Tables: []Table{log, lab}, Settings: cfg}
}

// RunNames runs every aggregate on the Names fixture: each must succeed and read its columns as named.
func RunNames(t *testing.T, e Engine) {
	t.Run(e.Name+"/names", func(t *testing.T) {
		st := e.Open(t, Names())
		defer st.Close()
		if err := st.Health(ctx); err != nil {
			t.Fatal(err)
		}
		feats, err := st.Features(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		var num []store.Feature
		var names []string
		for _, f := range feats {
			names = append(names, f.Name)
			if f.Type == store.Numeric {
				num = append(num, f)
			}
		}
		want := append(slices.Clone(aliasNames), "cat")
		slices.Sort(want)
		expect(t, "feature names", names, want)

		scope := store.Scope{From: day(0, 0), To: day(1, 0), Model: "a", Segment: &query.Segment{Column: "feature", Value: "EU"}}
		prof, err := st.Profile(ctx, scope, feats, []float64{0.5}, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range prof.Numeric {
			expect(t, "profile of "+p.Feature, p, store.NumericProfile{Model: "a", Feature: p.Feature, Rows: 3, Finite: 3, Mean: 2,
				Std: 0.816496580927726, Min: 1, Max: 3, Lower: []float64{2}, Upper: []float64{3}, Distinct: 3, Values: []float64{1, 2, 3}})
		}
		expect(t, "categorical profile", prof.Categorical, []store.CategoricalProfile{{Model: "a", Feature: "cat", Rows: 3, Distinct: 2,
			Categories: []store.CategoryCount{{Value: "u", Count: 2}, {Value: "v", Count: 1}}}})

		bins := make([]store.NumericBins, len(num))
		for i, f := range num {
			bins[i] = store.NumericBins{Model: "a", Feature: f.Name, Edges: []float64{2}}
		}
		counts, err := st.Counts(ctx, scope, daily, bins, []store.CategoricalBins{{Model: "a", Feature: "cat", Top: []string{"u"}, Known: []string{"u", "v"}}})
		if err != nil {
			t.Fatal(err)
		}
		// two bins and the three distinct values (a small sample) per feature
		if len(counts.Numeric) != 5*len(num) || len(counts.Categorical) != 2 {
			t.Errorf("counts: %d numeric rows for %d features, %d categorical rows", len(counts.Numeric), len(num), len(counts.Categorical))
		}
		for _, c := range counts.Numeric {
			if c.Bin == 0 && (c.Count != 1 || c.Sum != 1) || c.Bin == 1 && (c.Count != 2 || c.Sum != 5) {
				t.Errorf("counts of %s: %+v", c.Feature, c)
			}
		}
		qual := make([]store.QualityFeature, len(feats))
		for i, f := range feats {
			qual[i] = store.QualityFeature{Model: "a", Feature: f.Name, Type: f.Type, Min: ptr(1), Max: ptr(2), Known: []string{"u"}}
		}
		q, err := st.Quality(ctx, scope, daily, qual)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, "window quality", q.Windows, []store.WindowQuality{{Model: "a", Window: 0, Rows: 3}})
		for _, f := range q.Features {
			if f.Nulls != 0 || f.OutOfRange+f.NewCategory != 1 {
				t.Errorf("quality of %s: %+v", f.Feature, f)
			}
		}
		// Labels a1 = 1, a2 = 0, a3 = 0 (known by day 5); scores 0.25, 0.5, 0.75 at threshold 0.5: FN, FP, FP.
		perf, err := st.Performance(ctx, scope, daily, store.PerformanceRequest{Threshold: 0.5, LabelsUntil: day(5, 0), ClassModels: []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(perf.Windows) != 1 || perf.Windows[0].Labelled != 3 || perf.Windows[0].FP != 2 || perf.Windows[0].FN != 1 || len(perf.Classes) == 0 {
			t.Errorf("performance: %+v", perf)
		}
		if h, err := st.ScoreHistogram(ctx, scope, daily, 0.5); err != nil || len(h.Buckets) != 3 {
			t.Errorf("score histogram: %+v %v", h, err)
		}
		mc, err := st.MulticlassHistograms(ctx, store.MulticlassRequest{Reference: scope, Current: scope, Windowing: daily, LabelsUntil: day(5, 0)})
		if err != nil || len(mc.Reference) != 3 || len(mc.Current) != 3 || len(mc.Confusion) != 2 {
			t.Errorf("multiclass: %+v %v", mc, err)
		}
		if segs, err := st.SegmentValues(ctx, scope, "feature", 5); err != nil || len(segs) != 1 || segs[0] != (store.SegmentCount{Value: "EU", Rows: 3}) {
			t.Errorf("segments: %+v %v", segs, err)
		}
	})
}
