// Package drift computes one drift score of one feature in one window from binned reference and current
// counts. It is pure: the counts come from the store's GROUP BY, the statistics from package stats.
package drift

import (
	"fmt"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Direction says which side of the threshold is drift.
type Direction string

const (
	// Above: distances (PSI, JS, …) drift when value >= threshold.
	Above Direction = "above"
	// Below: tests (KS, chi-square, z-test) report a p-value and drift when p < threshold.
	Below Direction = "below"
)

// AutoSmallReference is the reference size at or below which `auto` uses statistical tests rather than distances
// (Evidently's rule: with more rows every p-value becomes "significant"). The size is counted in reference rows
// with a usable value: finite for numeric features (NaN, ±Inf and NULL left out), non-NULL for categorical ones —
// Evidently drops NaN and ±Inf from both samples before it picks the test, so a 1000-row reference with 100 NaN
// counts 900 rows.
const AutoSmallReference = 1000

// DefaultThreshold returns the conventional threshold of a metric and the side of it that is drift: PSI 0.2 (act;
// 0.1 is watch), Jensen–Shannon distance 0.1 (Evidently), Hellinger 0.7 (WhyLabs), L∞ 0.1 (SageMaker, Vertex AI),
// normalised Wasserstein 0.1 (Azure, Evidently), p < 0.05 for the tests.
func DefaultThreshold(metric string) (float64, Direction) {
	switch metric {
	case query.MetricPSI:
		return 0.2, Above
	case query.MetricHellinger:
		return 0.7, Above
	case query.MetricKS, query.MetricChi2, query.MetricZTest:
		return 0.05, Below
	default: // js, kl, linf, wasserstein
		return 0.1, Above
	}
}

// Kind is how a feature is scored, detected from its SQL type and the distinct values of its reference, not
// from the type alone: a BIGINT column holding only 0 and 1 is binary like a BOOLEAN one.
type Kind string

const (
	// Continuous: a numeric feature with more than binning.DiscreteMax distinct reference values.
	Continuous Kind = "numeric"
	// Discrete: a numeric feature with 3 to binning.DiscreteMax distinct reference values, binned one bin per
	// value and tested like a categorical (Evidently treats ≤ 5 unique numeric values as categorical).
	Discrete Kind = "numeric with few distinct values"
	// Binary: a numeric feature with at most two distinct reference values, or a categorical with exactly two
	// categories and nothing else in the reference; compared as proportions.
	Binary Kind = "binary"
	// Categorical: any other categorical feature.
	Categorical Kind = "categorical"
)

// DetectKind returns the kind of a feature from its type and reference binning: numeric features are
// discrete when binned by binning.NewDiscrete (at most binning.DiscreteMax distinct reference values) and
// binary with at most two of them; categorical features are binary when their reference has exactly two
// categories and the category list is complete.
func DetectKind(t store.FeatureType, num binning.Numeric, cat binning.Categorical) Kind {
	switch {
	case t == store.Numeric && num.Discrete() && len(num.Values) <= 2:
		return Binary
	case t == store.Numeric && num.Discrete():
		return Discrete
	case t == store.Numeric:
		return Continuous
	case cat.Complete && len(cat.Known) == 2:
		return Binary
	}
	return Categorical
}

// Choose resolves the metric for one feature of the given kind: `auto` picks by kind and reference size
// (referenceRows counted as AutoSmallReference says) and explains the choice; an explicit metric is checked
// against the feature (no silent substitution). numeric says the feature is numeric (KS and Wasserstein need
// numbers; a binary or discrete numeric feature may still ask for them).
//
//	kind         rows <= 1000   rows > 1000
//	numeric      ks             wasserstein
//	few values   chi2           js
//	binary       ztest          js
//	categorical  chi2           js
//
// This is Evidently's default test table (its n_unique <= 5 rule included).
func Choose(metric string, kind Kind, numeric bool, referenceRows int64) (string, string, error) {
	if metric != query.MetricAuto {
		switch {
		case !numeric && (metric == query.MetricKS || metric == query.MetricWasserstein):
			return "", "", fmt.Errorf("metric %s needs a numeric feature; this feature is categorical", metric)
		case metric == query.MetricZTest && kind != Binary:
			return "", "", fmt.Errorf("metric ztest needs a binary feature (at most two distinct values); this one is %s", kind)
		}
		return metric, "requested", nil
	}
	small := referenceRows <= AutoSmallReference
	var chosen string
	switch {
	case kind == Continuous && small:
		chosen = query.MetricKS
	case kind == Continuous:
		chosen = query.MetricWasserstein
	case kind == Binary && small:
		chosen = query.MetricZTest
	case small:
		chosen = query.MetricChi2
	default:
		chosen = query.MetricJS
	}
	cmp := "<="
	if !small {
		cmp = ">"
	}
	return chosen, fmt.Sprintf("auto: %s, reference rows %d %s %d", kind, referenceRows, cmp, AutoSmallReference), nil
}
