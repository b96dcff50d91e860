package plugin

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// missingShares are the daily missing_score_share of model "s" in shareStore: seven quiet days, then two days of
// a logging break.
var missingShares = []float64{0.10, 0.12, 0.08, 0.10, 0.11, 0.09, 0.10, 0.40, 0.40}

// shareStore writes 200 rows a day for model "s" from 2026-01-01, the first 200·missingShares[d] of day d without
// a score.
func shareStore(t *testing.T) *Datasource {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shares.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`CREATE TABLE inference_log (ts TIMESTAMP, model_id VARCHAR, model_version VARCHAR, prediction_id VARCHAR,
		region VARCHAR, channel VARCHAR, x DOUBLE, prediction DOUBLE, score DOUBLE)`}
	for d, share := range missingShares {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-01' + INTERVAL (%d) DAY + INTERVAL (i) MINUTE,
			's', 'v1', 's-%d-' || i, 'EU', 'web', i, 0, CASE WHEN i <= %d THEN NULL ELSE 0.5 END FROM range(1, 201) t(i)`,
			d, d, int(share*200+0.5)))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	db.Close()
	cfg := settings.Defaults()
	cfg.Path = path
	ds := New(cfg, nil)
	t.Cleanup(ds.Dispose)
	return ds
}

func day(d int) time.Time { return day1.AddDate(0, 0, d-1) }

// bandOf reads a series' values and the band frames next to it.
func bandOf(t *testing.T, frames data.Frames, name string) (value, upper, lower []*float64) {
	t.Helper()
	value = values(frameByName(t, frames, name).Fields[1])
	upper = values(frameByName(t, frames, name+" · upper").Fields[1])
	lower = values(frameByName(t, frames, name+" · lower").Fields[1])
	return
}

const missingQuery = `{"queryType":"dataQuality","model":"s","window":"1d","reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-08T00:00:00Z"}`

// Reference mode: the band is mean ± 3σ (σ with n − 1) of the seven reference days' shares, each window left out of
// its own baseline (numpy: days 5, 6, 7 drop their own share; days 8 and 9 use all seven). Hysteresis 2: the break shows on its second day only.
func TestReferenceThresholds(t *testing.T) {
	ds := shareStore(t)
	frames := mustOK(t, run(t, ds, missingQuery+`,"thresholds":{"mode":"reference"}}`, day(5), day(10)))
	v, up, lo := bandOf(t, frames, "s · missing_score_share")
	wantUp := []float64{0.1382081374080871, 0.14154147074142043, 0.14242640687119285, 0.13872983346207415, 0.13872983346207415}
	wantLo := []float64{0.05845852925857956, 0.061791862591912904, 0.057573593128807145, 0.06127016653792583, 0.06127016653792583}
	if len(v) != 5 {
		t.Fatalf("%d windows", len(v))
	}
	for i := range wantUp {
		if up[i] == nil || lo[i] == nil || !near(*up[i], wantUp[i], 1e-12) || !near(*lo[i], wantLo[i], 1e-12) {
			t.Errorf("day %d: band [%v, %v], want [%v, %v]", i+5, lo[i], up[i], wantLo[i], wantUp[i])
		}
	}
	f := frameByName(t, frames, "s · missing_score_share · upper")
	if f.Fields[1].Labels["threshold"] != "upper" || f.Fields[1].Labels["check"] != "missing_score_share" {
		t.Errorf("upper labels %v", f.Fields[1].Labels)
	}
	if !strings.Contains(frames[0].Meta.Notices[0].Text, "reference windows 2026-01-01T00:00:00Z") {
		t.Errorf("first notice %q", frames[0].Meta.Notices[0].Text)
	}

	frames = mustOK(t, run(t, ds, missingQuery+`,"thresholds":{"mode":"reference","output":"breach","hysteresis":2}}`, day(5), day(10)))
	breach := values(frameByName(t, frames, "s · missing_score_share").Fields[1])
	for i, want := range []float64{0, 0, 0, 0, 1} {
		if breach[i] == nil || *breach[i] != want {
			t.Errorf("day %d: breach %v, want %v", i+5, breach[i], want)
		}
	}
	for _, f := range frames {
		if strings.HasSuffix(f.Name, " · upper") {
			t.Error("breach output carries band frames")
		}
	}
}

// Trailing mode, history 7: day 8's band comes from days 1–7; day 9's from days 2–8, which holds day 8's break,
// so the band widens to [0 (clipped from −0.1995), 0.4852] and day 9 is inside — a trailing baseline absorbs a
// lasting change, which is why the reference mode exists.
func TestTrailingThresholds(t *testing.T) {
	ds := shareStore(t)
	frames := mustOK(t, run(t, ds, missingQuery+`,"thresholds":{"mode":"trailing","history":7}}`, day(8), day(10)))
	_, up, lo := bandOf(t, frames, "s · missing_score_share")
	if !near(*up[0], 0.13872983346207415, 1e-12) || !near(*lo[0], 0.06127016653792583, 1e-12) {
		t.Errorf("day 8 band [%v, %v]", *lo[0], *up[0])
	}
	if !near(*up[1], 0.4852228621023467, 1e-12) || *lo[1] != 0 {
		t.Errorf("day 9 band [%v, %v], want [0, 0.4852228621023467]", *lo[1], *up[1])
	}
	frames = mustOK(t, run(t, ds, missingQuery+`,"thresholds":{"mode":"trailing","history":7,"output":"breach"}}`, day(8), day(10)))
	breach := values(frameByName(t, frames, "s · missing_score_share").Fields[1])
	if *breach[0] != 1 || *breach[1] != 0 {
		t.Errorf("breach %v %v, want 1 0", *breach[0], *breach[1])
	}
	// a history that does not reach back three values falls back to the static threshold (none here): a notice
	frames = mustOK(t, run(t, ds, missingQuery+`,"thresholds":{"mode":"trailing","history":3}}`, day(1), day(3)))
	if !hasNotice(frames, "2 of 2 windows have no threshold") {
		t.Errorf("no notice for windows without a baseline")
	}
}

// Static mode on drift: the metric's own threshold (normalised Wasserstein 0.1), as an upper band only; the
// drifted day breaches, the 35-row day has no value and no signal.
func TestStaticThresholdsOnDrift(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	q := `{"queryType":"drift","model":"m1","features":["x"],"metric":"wasserstein","window":"1d",` + refDay1 + `,"thresholds":{"output":"breach"}}`
	frames := mustOK(t, run(t, ds, q, day2, day4))
	breach := values(frameByName(t, frames, "m1 · x").Fields[1])
	if len(breach) != 2 || breach[0] == nil || *breach[0] != 1 || breach[1] != nil {
		t.Fatalf("breach %v", breach)
	}
	q = strings.Replace(q, `"output":"breach"`, `"output":"band"`, 1)
	frames = mustOK(t, run(t, ds, q, day2, day4))
	up := values(frameByName(t, frames, "m1 · x · upper").Fields[1])
	if *up[0] != 0.1 || *up[1] != 0.1 {
		t.Errorf("upper %v %v", *up[0], *up[1])
	}
	for _, f := range frames {
		if f.Name == "m1 · x · lower" {
			t.Error("a static drift threshold has a lower band")
		}
	}
}

func hasNotice(frames data.Frames, text string) bool {
	for _, f := range frames {
		if f.Meta == nil {
			continue
		}
		for _, n := range f.Meta.Notices {
			if strings.Contains(n.Text, text) {
				return true
			}
		}
	}
	return false
}

// Breach output is for alert rules, which read every frame as a series: the CBPE band frames are left out (with a
// notice) and only the thresholded estimates remain, one breach signal per (model, metric).
func TestBreachOutputKeepsOnlyTheSignals(t *testing.T) {
	ds := New(cbpeFixtureStore(t), nil)
	defer ds.Dispose()
	q := `{"queryType":"estimatedPerformance","model":"e1","window":"1d",` + refDay1 + `,"thresholds":{"mode":"trailing","history":3,"output":"breach"}}`
	frames := mustOK(t, run(t, ds, q, day2, day2.AddDate(0, 0, 8)))
	if len(frames) != len(estMetrics) {
		t.Fatalf("%d frames, want %d (one breach signal per metric)", len(frames), len(estMetrics))
	}
	for _, f := range frames {
		if _, bound := f.Fields[1].Labels["bound"]; bound || custom(f)["breach"] != true {
			t.Errorf("%s: labels %v, breach %v", f.Name, f.Fields[1].Labels, custom(f)["breach"])
		}
	}
	if !hasNotice(frames, "breach output: 10 frames that are not thresholded series") {
		t.Error("no notice about the frames left out")
	}
}

// A frame whose fields are not time and a number gets an error, never a panic.
func TestPointsOfAForeignFrame(t *testing.T) {
	f := data.NewFrame("x", data.NewField("time", nil, []string{"monday"}), data.NewField("v", data.Labels{"a": "b"}, []*float64{nil}))
	if _, err := points(f); err == nil || !strings.Contains(err.Error(), "not time") {
		t.Errorf("text time field: %v", err)
	}
	f = data.NewFrame("x", data.NewField("time", nil, []time.Time{day1}), data.NewField("v", data.Labels{"a": "b"}, []string{"high"}))
	if _, err := points(f); err == nil {
		t.Error("text value field: no error")
	}
}
