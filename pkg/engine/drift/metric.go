// Package drift computes one drift score of one feature in one window from binned reference and current
// counts. It is pure: the counts come from the store's GROUP BY, the statistics from package stats.
package drift

import (
	"fmt"

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
// (Evidently's rule: with more rows every p-value becomes "significant").
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

// Choose resolves the metric for one feature: `auto` picks by feature type and reference size and explains the
// choice; an explicit metric is checked against the feature type (no silent substitution).
func Choose(metric string, t store.FeatureType, referenceRows int64, binary bool) (string, string, error) {
	if metric != query.MetricAuto {
		switch {
		case t == store.Categorical && (metric == query.MetricKS || metric == query.MetricWasserstein):
			return "", "", fmt.Errorf("metric %s needs a numeric feature; this feature is categorical", metric)
		case metric == query.MetricZTest && (t != store.Categorical || !binary):
			return "", "", fmt.Errorf("metric ztest needs a binary (two-category) feature")
		}
		return metric, "requested", nil
	}
	small := referenceRows <= AutoSmallReference
	switch {
	case t == store.Numeric && small:
		return query.MetricKS, fmt.Sprintf("auto: numeric, reference rows %d <= %d", referenceRows, AutoSmallReference), nil
	case t == store.Numeric:
		return query.MetricWasserstein, fmt.Sprintf("auto: numeric, reference rows %d > %d", referenceRows, AutoSmallReference), nil
	case small && binary:
		return query.MetricZTest, fmt.Sprintf("auto: binary categorical, reference rows %d <= %d", referenceRows, AutoSmallReference), nil
	case small:
		return query.MetricChi2, fmt.Sprintf("auto: categorical, reference rows %d <= %d", referenceRows, AutoSmallReference), nil
	default:
		return query.MetricJS, fmt.Sprintf("auto: categorical, reference rows %d > %d", referenceRows, AutoSmallReference), nil
	}
}
