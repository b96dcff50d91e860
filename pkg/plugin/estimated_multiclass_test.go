package plugin

import (
	"database/sql"
	"math"
	"strings"
	"testing"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// mcFixtureStore is fixtureStore plus model "mc" (registry task multiclass; prediction = class index 0, 1, 2;
// score = the top-class confidence) with its labels in inference_label(prediction_id, label, label_ts = ts + 1h).
// The reference day (2026-01-01) is monitor's hand-computed mcReference with A, B, C = 0, 1, 2 (score 0.6005 →
// bucket 600, 0.9005 → bucket 900), 240 labelled rows, as (prediction, score, label) × rows:
//
//	0: 0.6005 → 0 ×16, 1 ×18, 2 ×6;   0.9005 → 0 ×54, 1 ×2, 2 ×4   (100 rows, 70 correct)
//	1: 0.6005 → 1 ×42, 0 ×9,  2 ×9;   0.9005 → 1 ×26, 0 ×7, 2 ×7   (100 rows, 68 correct)
//	2: 0.9005 → 2 ×32, 0 ×4,  1 ×4                                  (40 rows < minSamples 100: pooled calibration)
//
// plus rows that must not count: 30 rows (0, 0.9005) labelled 1 only on 2026-01-10 (after the query's end) and 25
// rows (1, 0.6005) never labelled. Day 2026-01-02: the hand-computed current window doubled (140 rows) —
// 0: 0.6005 ×20, 0.9005 ×40; 1: 0.6005 ×20, 0.9005 ×20; 2: 0.6005 ×20, 0.9005 ×20. Day 2026-01-03: 50 rows (0, 0.9005),
// below minSamples.
func mcFixtureStore(t *testing.T) settings.Settings {
	t.Helper()
	cfg := fixtureStore(t)
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE inference_label (prediction_id VARCHAR, label DOUBLE, label_ts TIMESTAMP)`,
		`INSERT INTO model_registry VALUES ('mc', 'multiclass', 'x', 'numeric', 1.0, 'team-m', 'standard')`,
		// g: group id; d: day offset; label NULL = never labelled; late: labelled on 2026-01-10.
		`CREATE TEMP TABLE mc_spec (g INTEGER, d INTEGER, pred DOUBLE, score DOUBLE, label DOUBLE, n INTEGER, late BOOLEAN)`,
		`INSERT INTO mc_spec VALUES
			(1, 0, 0, 0.6005, 0, 16, false), (2, 0, 0, 0.6005, 1, 18, false), (3, 0, 0, 0.6005, 2, 6, false),
			(4, 0, 0, 0.9005, 0, 54, false), (5, 0, 0, 0.9005, 1, 2, false), (6, 0, 0, 0.9005, 2, 4, false),
			(7, 0, 1, 0.6005, 1, 42, false), (8, 0, 1, 0.6005, 0, 9, false), (9, 0, 1, 0.6005, 2, 9, false),
			(10, 0, 1, 0.9005, 1, 26, false), (11, 0, 1, 0.9005, 0, 7, false), (12, 0, 1, 0.9005, 2, 7, false),
			(13, 0, 2, 0.9005, 2, 32, false), (14, 0, 2, 0.9005, 0, 4, false), (15, 0, 2, 0.9005, 1, 4, false),
			(16, 0, 0, 0.9005, 1, 30, true), (17, 0, 1, 0.6005, NULL, 25, false),
			(18, 1, 0, 0.6005, NULL, 20, false), (19, 1, 0, 0.9005, NULL, 40, false), (20, 1, 1, 0.6005, NULL, 20, false),
			(21, 1, 1, 0.9005, NULL, 20, false), (22, 1, 2, 0.6005, NULL, 20, false), (23, 1, 2, 0.9005, NULL, 20, false),
			(24, 2, 0, 0.9005, NULL, 50, false)`,
		`CREATE TEMP TABLE mc_rows AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (d) DAY + INTERVAL (g * 100 + i) SECOND AS ts,
			'mc-' || g || '-' || i AS id, pred, score, label, late
			FROM mc_spec JOIN range(100) r(i) ON r.i < mc_spec.n`,
		`INSERT INTO inference_log (ts, model_id, model_version, prediction_id, region, channel, x, prediction, score)
			SELECT ts, 'mc', 'v1', id, 'NA', 'web', 1, pred, score FROM mc_rows`,
		`INSERT INTO inference_label SELECT id, label,
			CASE WHEN late THEN TIMESTAMP '2026-01-10' ELSE ts + INTERVAL 1 HOUR END FROM mc_rows WHERE label IS NOT NULL`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	return cfg
}

// Multiclass CBPE end to end through QueryData on mcFixtureStore: the day-2 window gives exactly the hand-computed
// values of monitor's TestMulticlassCBPEHandComputed (the window is that one doubled, so every ratio is the same;
// σ uses n = 140), the late and unlabelled reference rows do not count, and day 3 (50 rows) is null with a notice.
func TestEstimatedMulticlassEndToEnd(t *testing.T) {
	ds := New(mcFixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","model":"mc","window":"1d",`+refDay1+`}`, day2, day4))
	if len(frames) != 6 {
		t.Fatalf("want 6 frames (value, upper, lower × accuracy, macro_f1), got %d", len(frames))
	}
	const n = 140.0
	acc := 49.4 / 70
	accSigma := math.Sqrt(acc * (1 - acc) / n)
	f1A := 44 / (44 + 8 + 6.3)
	f1B := 27.2 / (27.2 + 6.4 + 16.0/3 + 3.1)
	f1C := 27.6 / (27.6 + 6.2 + 8.0/3 + 3.2)
	macro := (f1A + f1B + f1C) / 3
	sig := func(tp, fp, fn float64) float64 {
		m := tp + fp + fn
		q := tp / m
		return m / (tp + (fp+fn)/2) * math.Sqrt(q*(1-q)) / math.Sqrt(n*m/240)
	}
	sA, sB, sC := sig(70, 30, 20), sig(68, 32, 24), sig(32, 8, 26)
	macroSigma := math.Sqrt(sA*sA+sB*sB+sC*sC) / 3
	for _, c := range []struct {
		metric       string
		value, sigma float64
	}{{"accuracy", acc, accSigma}, {"macro_f1", macro, macroSigma}} {
		e := values(frameByName(t, frames, "mc · "+c.metric).Fields[1])
		up := values(frameByName(t, frames, "mc · "+c.metric+" · upper").Fields[1])
		lo := values(frameByName(t, frames, "mc · "+c.metric+" · lower").Fields[1])
		if len(e) != 2 || e[0] == nil || up[0] == nil || lo[0] == nil {
			t.Fatalf("%s: %d points, first %v", c.metric, len(e), e)
		}
		if !near(*e[0], c.value, 1e-12) || !near(*up[0], math.Min(1, c.value+3*c.sigma), 1e-12) ||
			!near(*lo[0], math.Max(0, c.value-3*c.sigma), 1e-12) {
			t.Fatalf("%s = %v [%v, %v], want %v ± 3·%v", c.metric, *e[0], *lo[0], *up[0], c.value, c.sigma)
		}
		if e[1] != nil || up[1] != nil || lo[1] != nil {
			t.Fatalf("%s day 3 (50 rows) = %v, want null", c.metric, *e[1])
		}
		f := frameByName(t, frames, "mc · "+c.metric)
		if len(f.Meta.Notices) == 0 || !strings.Contains(f.Meta.Notices[0].Text, "minimum sample size of 100") {
			t.Fatalf("%s notices %+v", c.metric, f.Meta.Notices)
		}
		m := custom(f)
		if m["task"] != "multiclass" || !strings.Contains(m["method"].(string), "top-class confidence") ||
			m["referenceLabelled"] != int64(240) && m["referenceLabelled"] != 240.0 {
			t.Fatalf("%s meta task %v, referenceLabelled %v (%T)", c.metric, m["task"], m["referenceLabelled"], m["referenceLabelled"])
		}
	}
}

// Realized and estimated multiclass series share their metric names, so a panel overlays them.
func TestEstimatedMulticlassNamesMatchRealized(t *testing.T) {
	ds := New(mcFixtureStore(t), nil)
	defer ds.Dispose()
	est := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","model":"mc","window":"1d",`+refDay1+`}`, day1, day2))
	real := mustOK(t, run(t, ds, `{"queryType":"performance","model":"mc","window":"1d"}`, day1, day2))
	for _, m := range []string{"accuracy", "macro_f1"} {
		e := values(frameByName(t, est, "mc · "+m).Fields[1])
		r := values(frameByName(t, real, "mc · "+m).Fields[1])
		if e[0] == nil || r[0] == nil {
			t.Fatalf("%s: estimate %v, realized %v", m, e[0], r[0])
		}
		// Realized on the reference day: the 240 rows labelled in time, 70+68+32 = 170 correct (the late and the
		// unlabelled rows do not count).
		if m == "accuracy" && !near(*r[0], 170.0/240, 1e-12) {
			t.Fatalf("realized accuracy %v", *r[0])
		}
	}
}
