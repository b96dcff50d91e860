package plugin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aiops/modelmonitor/pkg/monitor"
)

// performanceMetricNames are the metric series the performance query types can return, for validating `metrics`.
func performanceMetricNames() []string {
	var out []string
	for _, list := range [][]string{monitor.PerformanceMetrics, monitor.MulticlassMetrics, monitor.RegressionMetrics} {
		for _, m := range list {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// keepMetrics keeps the series of the metrics a query asks for (all of them when it names none); an unknown
// metric name is an error naming the known ones.
func keepMetrics[S any](series []S, metric func(S) string, metrics []string) ([]S, error) {
	if len(metrics) == 0 {
		return series, nil
	}
	known := performanceMetricNames()
	for _, m := range metrics {
		if !slices.Contains(known, m) {
			return nil, fmt.Errorf("metrics: unknown metric %q (known: %s)", m, strings.Join(known, ", "))
		}
	}
	var out []S
	for _, s := range series {
		if slices.Contains(metrics, metric(s)) {
			out = append(out, s)
		}
	}
	return out, nil
}
