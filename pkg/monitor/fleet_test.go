package monitor

import (
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Models without a row in the range are named; none, or no volume series (a reference table), say nothing.
func TestSilentNotice(t *testing.T) {
	d := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	req := Request{From: d, To: d.AddDate(0, 0, 2)}
	models := []store.Model{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	vol := func(rows ...int64) QualitySeries {
		var qs QualitySeries
		for _, n := range rows {
			qs.Points = append(qs.Points, QualityPoint{Rows: n})
		}
		return qs
	}
	some := map[string]QualitySeries{"a": vol(0, 0), "b": vol(0, 3), "c": vol(0, 0)}
	if got, want := silentNotice(models, some, req), "2 models have no rows in 2026-11-29T00:00:00Z – 2026-12-01T00:00:00Z, "+
		"read as a pipeline break (volume 0): a, c"; got != want {
		t.Errorf("some: %q\nwant  %q", got, want)
	}
	if got := silentNotice(models, map[string]QualitySeries{"a": vol(1), "b": vol(2), "c": vol(0, 1)}, req); got != "" {
		t.Errorf("none silent: %q", got)
	}
	if got := silentNotice(models, map[string]QualitySeries{}, req); got != "" {
		t.Errorf("no volume series: %q", got)
	}
}
