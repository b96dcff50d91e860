package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// gridQuality is the feature-quality statement of a GridDialect (numericQuality and categoricalQuality are the long
// forms): one branch per model counts, per window, each feature's NULLs and its flagged values in the wide rows —
// numeric: NaN, ±Inf or outside the reference range [Min, Max] (an end left nil is not checked); categorical: a
// value not among the feature's known categories (none counted when it has none) — and only these per-window
// counts are unpivoted to (m, w, feature). No unpivot of the values, no GROUP BY of distinct values, no join to a
// feature list: the statement reads each column once where the long form carries every value through the
// unpivot. Same rows as the long forms: every requested (model, feature) in every window its model has rows in.
func (s *Store) gridQuality(ctx context.Context, gd GridDialect, scope store.Scope, w store.Windowing, feats []store.QualityFeature, categorical bool) ([]store.FeatureQuality, string, error) {
	models, perModel := byModel(feats, func(f store.QualityFeature) string { return f.Model })
	b := s.newBuilder()
	branches := make([]string, len(models))
	for i, m := range models {
		branches[i] = b.qualityBranch(gd, scope, w, m, perModel[m], categorical)
	}
	q := fmt.Sprintf("SELECT m, w, feature, nulls, o, CAST(0 AS BIGINT) AS type_errors FROM (\n%s\n) mm_q",
		strings.Join(branches, "\nUNION ALL\n"))
	return s.scanFeatureQuality(ctx, q, b.args, categorical)
}

// qualityBranch renders one model's branch of gridQuality: (m, w, feature, nulls, o) from the model's scoped rows,
// aggregated per window first and the (NULL count, flagged count) pairs unpivoted after. The model is bound first,
// then each feature's checks, then the rows' scope, in the statement's text order.
func (b *builder) qualityBranch(gd GridDialect, scope store.Scope, w store.Windowing, model string, feats []store.QualityFeature, categorical bool) string {
	label := b.bind(model)
	names := make([]string, len(feats))
	aggs := make([]string, len(feats))
	pairs := make([]UnpivotPair, len(feats))
	for i, f := range feats {
		c := featureAlias(i)
		names[i] = f.Feature
		pairs[i] = UnpivotPair{Cols: [2]string{"z" + c, "o" + c}, Name: f.Feature}
		flagged := "CAST(0 AS BIGINT)"
		if cond := b.flagged(gd, c, f, categorical); cond != "" {
			flagged = b.d.Filtered("count(*)", cond)
		}
		aggs[i] = fmt.Sprintf("count(*) - count(%[1]s) AS z%[1]s, %[2]s AS o%[1]s", c, flagged)
	}
	from := fmt.Sprintf("(SELECT w, %s FROM (%s) mm_x %s)", strings.Join(aggs, ", "),
		b.modelRows(scope, w, names, !categorical, model), b.d.GroupBy(1))
	return fmt.Sprintf("  SELECT %s AS m, w, feature, nulls, o FROM %s", label, gd.UnpivotPairs(from, pairs, "feature", [2]string{"nulls", "o"}))
}

// flagged renders the condition under which a value of column c counts against feature f ("" when none can): a
// numeric value not finite or outside the bound range ends; a categorical value present and not among the bound
// known categories.
func (b *builder) flagged(gd GridDialect, c string, f store.QualityFeature, categorical bool) string {
	if categorical {
		if len(f.Known) == 0 {
			return ""
		}
		return fmt.Sprintf("%s IS NOT NULL AND %s = 0", c, gd.ListPosition(b.bind(f.Known), c))
	}
	conds := []string{"NOT " + b.d.IsFinite(c)}
	if f.Min != nil {
		conds = append(conds, c+" < "+b.bind(*f.Min))
	}
	if f.Max != nil {
		conds = append(conds, c+" > "+b.bind(*f.Max))
	}
	return strings.Join(conds, " OR ")
}
