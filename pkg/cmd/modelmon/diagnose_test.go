package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// verdictRuns reads the verdicts table into runs of non-ok verdicts and runs of windows whose labels are pending,
// per model (verdicts first), by hand: model a's days 2–3 are covariate_shift, its days 3–4 pending (day 4 a
// partial window ending at the range's end, 12:00); model b is ok throughout; both are counted.
func TestVerdictRunsWithPendingLabels(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	table := data.NewFrame("verdicts",
		data.NewField("time", nil, []time.Time{day(1), day(2), day(3), day(4), day(1), day(2), day(3), day(4)}),
		data.NewField("model", nil, []string{"b", "b", "b", "b", "a", "a", "a", "a"}),
		data.NewField("verdict", nil, []string{"ok", "ok", "ok", "ok", "ok", "covariate_shift", "covariate_shift", "ok"}),
		data.NewField("labels_pending", nil, []bool{false, false, false, false, false, false, true, true}))
	end := day(4).Add(12 * time.Hour)
	runs, models := verdictRuns(data.Frames{table}, end)
	want := []verdictRun{{"a", "covariate_shift", day(2), day(4), 2}, {"a", verdictPending, day(3), end, 2}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("runs\n %v\nwant\n %v", runs, want)
	}
	if !reflect.DeepEqual(models, map[string]bool{"a": true, "b": true}) {
		t.Errorf("models %v", models)
	}
}
