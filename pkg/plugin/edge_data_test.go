package plugin

import (
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/test/fixtures/edge"
)

// edgeStore writes a DuckDB log for the edge-data cases of issue 9, from the SciPy fixture
// (test/fixtures/edge/edge_cases.json). Model "e", reference day 1, current day 2, 1000 rows a day:
//   - b BIGINT: 0/1 on the first 500 rows, 150 ones on day 1 and 190 on day 2 (NULL on the other rows);
//   - x DOUBLE: the "ten-day sample" pair, 300 values on day 1 and 240 on day 2 (NULL elsewhere);
//   - f DOUBLE: 0.3 ×400, 0.7 ×350, 0.9 ×250 on day 1, the same values through FLOAT (float32) on day 2.
func edgeStore(t *testing.T) settings.Settings {
	t.Helper()
	fx, err := edge.Load()
	if err != nil {
		t.Fatal(err)
	}
	c, err := fx.Case("ten-day sample (300 vs 240)")
	if err != nil {
		t.Fatal(err)
	}
	ref, cur := expand(c.RefValues, c.RefCounts), expand(c.CurValues, c.CurCounts)
	stmts := []string{
		`CREATE TABLE xs (d INT, i INT, x DOUBLE)`,
		`INSERT INTO xs VALUES ` + rowsOf(1, ref) + `, ` + rowsOf(2, cur),
		`CREATE TABLE inference_log AS
		SELECT TIMESTAMP '2026-01-01' + INTERVAL (d - 1) DAY + INTERVAL (i) SECOND AS ts, 'e' AS model_id,
			'e-' || d || '-' || i AS prediction_id,
			CASE WHEN i <= 500 THEN CAST(i <= CASE WHEN d = 1 THEN 150 ELSE 190 END AS BIGINT) END AS b,
			xs.x,
			CASE WHEN d = 1 THEN v ELSE CAST(CAST(v AS FLOAT) AS DOUBLE) END AS f
		FROM (SELECT d, i, CASE WHEN i <= 400 THEN 0.3 WHEN i <= 750 THEN 0.7 ELSE 0.9 END AS v
			FROM range(1, 3) a(d), range(1, 1001) r(i)) g
		LEFT JOIN xs USING (d, i)`,
	}
	return logStore(t, stmts...)
}

// logStore writes a DuckDB file with the statements and returns settings reading it with every optional name
// switched off (no version, prediction, score or label column, no labels or registry table, no segments); tests
// map what their log has.
func logStore(t *testing.T, stmts ...string) settings.Settings {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	cfg := settings.Defaults()
	cfg.Path, cfg.VersionColumn, cfg.PredictionColumn, cfg.ScoreColumn = path, "", "", ""
	cfg.SegmentColumns, cfg.LabelsTable, cfg.RegistryTable = nil, "", ""
	return cfg
}

func expand(values, counts []float64) []string {
	var out []string
	for i, v := range values {
		for j := 0; j < int(counts[i]); j++ {
			out = append(out, fmt.Sprintf("%.17g", v))
		}
	}
	return out
}

func rowsOf(day int, xs []string) string {
	rows := make([]string, len(xs))
	for i, x := range xs {
		rows[i] = fmt.Sprintf("(%d, %d, %s)", day, i+1, x)
	}
	return strings.Join(rows, ", ")
}

// driftOf runs a one-day drift query on feature f of model e and returns its frame's value for day 2 and its
// metadata.
func driftOf(t *testing.T, ds *Datasource, feature, metric string) (float64, map[string]any) {
	t.Helper()
	q := fmt.Sprintf(`{"queryType":"drift","model":"e","features":[%q],"metric":%q,"window":"1d",%s}`, feature, metric, refDay1)
	frames := mustOK(t, run(t, ds, q, day2, day2.Add(24*time.Hour)))
	f := frames[0]
	v, ok := f.Fields[1].ConcreteAt(0)
	if !ok {
		t.Fatalf("%s: no value; notices %v", feature, f.Meta.Notices)
	}
	return v.(float64), f.Meta.Custom.(map[string]any)
}

// Issue 9 items 1–3 end to end: type detection by distinct values, exact small-sample KS, and a float32 round
// trip of a discrete feature, each against the SciPy value of test/fixtures/edge.
func TestEdgeDataThroughQueryData(t *testing.T) {
	ds := New(edgeStore(t), nil)
	defer ds.Dispose()

	// item 2: a BIGINT 0/1 column is binary: z-test, p = 0.007579945249440958 (drift)
	p, meta := driftOf(t, ds, "b", "auto")
	if meta["metric"] != "ztest" || meta["metricChosenBy"] != "auto: binary, reference rows 500 <= 1000" || math.Abs(p-0.007579945249440958) > 1e-12 {
		t.Errorf("b: %s (%s) p = %v, want ztest p 0.007579945249440958", meta["metric"], meta["metricChosenBy"], p)
	}
	// item 3: 300 vs 240 rows, exact two-sample KS p = 0.03556010167129128 (scipy ks_2samp method=auto)
	p, meta = driftOf(t, ds, "x", "auto")
	if meta["metric"] != "ks" || math.Abs(p-0.03556010167129128) > 1e-9 || fmt.Sprint(meta["methods"]) != "[exact]" {
		t.Errorf("x: %s p = %v methods %v, want ks p 0.03556010167129128 exact", meta["metric"], p, meta["methods"])
	}
	// item 1: {0.3, 0.7, 0.9} through float32 is no drift: chi-square p = 1 on the per-value bins, and
	// W1/σ = 5.989282360365067e-08 (scipy wasserstein_distance / np.std) instead of a false alarm
	p, meta = driftOf(t, ds, "f", "auto")
	if meta["metric"] != "chi2" || p != 1 || meta["metricChosenBy"] != "auto: numeric with few distinct values, reference rows 1000 <= 1000" {
		t.Errorf("f: %s (%s) p = %v, want chi2 p 1", meta["metric"], meta["metricChosenBy"], p)
	}
	w, _ := driftOf(t, ds, "f", "wasserstein")
	if math.Abs(w-5.989282360365067e-08) > 1e-6*5.989282360365067e-08 {
		t.Errorf("f: W1/σ = %v, want 5.989282360365067e-08", w)
	}
	if psi, _ := driftOf(t, ds, "f", "psi"); psi != 0 {
		t.Errorf("f: PSI = %v, want 0", psi)
	}
}

// labelStore is a binary model "L" with 200 rows on day 1: score i/200 (i = 1..200) and a label column holding
// 'pos' for i > 100 and 'neg' otherwise.
func labelStore(t *testing.T) settings.Settings {
	t.Helper()
	cfg := logStore(t, `CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE AS ts, 'L' AS model_id,
		'L-' || i AS prediction_id, CAST(i >= 100 AS INTEGER) AS prediction, i / 200 AS score,
		CASE WHEN i > 100 THEN 'pos' ELSE 'neg' END AS y, i % 7 AS k FROM range(1, 201) r(i)`)
	cfg.PredictionColumn, cfg.ScoreColumn, cfg.LabelColumn = "prediction", "score", "y"
	return cfg
}

func perfValue(t *testing.T, frames data.Frames, name string) (*float64, []data.Notice) {
	t.Helper()
	for _, f := range frames {
		if f.Name == name {
			v, ok := f.Fields[1].ConcreteAt(0)
			if !ok {
				return nil, frames[0].Meta.Notices
			}
			x := v.(float64)
			return &x, frames[0].Meta.Notices
		}
	}
	t.Fatalf("no frame %q", name)
	return nil, nil
}

// Issue 9 item 7: labels 'pos'/'neg' are not silently "no labels": a notice names them and how to read them, and
// with positiveLabel "pos" they are read (accuracy at 0.5: only i = 100, score 0.5 and label neg, is wrong →
// 199/200 = 0.995; label coverage 1).
func TestLabelsThatAreNot01(t *testing.T) {
	cfg := labelStore(t)
	q := `{"queryType":"performance","model":"L","window":"1d"}`
	ds := New(cfg, nil)
	frames := mustOK(t, run(t, ds, q, day1, day2))
	ds.Dispose()
	coverage, notices := perfValue(t, frames, "L · label_coverage")
	want := "model L: 200 labels are neither the positive class (1, true, yes) nor the negative one (0, false, no), " +
		"so they count as unlabelled; name the positive class with positiveLabel in the data source settings"
	if coverage == nil || *coverage != 0 || len(notices) == 0 || notices[0].Text != want {
		t.Fatalf("coverage %v, notices %v", coverage, notices)
	}
	cfg.PositiveLabel = "pos"
	ds = New(cfg, nil)
	defer ds.Dispose()
	frames = mustOK(t, run(t, ds, q, day1, day2))
	if acc, _ := perfValue(t, frames, "L · accuracy"); acc == nil || *acc != 0.995 {
		t.Fatalf("accuracy %v, want 0.995", acc)
	}
	if cov, _ := perfValue(t, frames, "L · label_coverage"); cov == nil || *cov != 1 {
		t.Fatalf("coverage %v, want 1", cov)
	}
}

// Issue 9 item 5: CBPE on a reference whose labels are all one class is refused for that model with a notice,
// and the other model of the query keeps its estimate. Model A's 200 reference labels are all 1; model B's are
// 1 for i > 100. Both have 200 scored rows on day 2.
func TestCBPEOnAOneClassReference(t *testing.T) {
	cfg := logStore(t, `CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (d - 1) DAY + INTERVAL (i) MINUTE AS ts,
		m AS model_id, m || '-' || d || '-' || i AS prediction_id, CAST(i >= 100 AS INTEGER) AS prediction, i / 200 AS score,
		CASE WHEN d = 1 THEN CASE WHEN m = 'A' OR i > 100 THEN 1 ELSE 0 END END AS label, i % 7 AS k
		FROM range(1, 201) r(i), range(1, 3) a(d), (VALUES ('A'), ('B')) v(m)`)
	cfg.PredictionColumn, cfg.ScoreColumn, cfg.LabelColumn = "prediction", "score", "label"
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","window":"1d",`+refDay1+`}`, day2, day2.Add(24*time.Hour)))
	a, _ := perfValue(t, frames, "A · accuracy")
	b, _ := perfValue(t, frames, "B · accuracy")
	if a != nil || b == nil {
		t.Fatalf("accuracy A %v (want none), B %v (want an estimate)", a, b)
	}
	want := "the labelled reference of A has only positive labels (200 rows): calibration needs both classes, no estimate"
	found := false
	for _, f := range frames {
		if f.Name == "A · accuracy" {
			for _, n := range f.Meta.Notices {
				found = found || strings.Contains(n.Text, want)
			}
		}
	}
	if !found {
		t.Fatalf("no notice %q on A · accuracy", want)
	}
}

// Issue 9 item 10: diagnosis without any labels (no label column, no labels table) returns the label-free
// evidence with a notice instead of a 400.
func TestDiagnosisWithoutLabels(t *testing.T) {
	cfg := labelStore(t)
	cfg.LabelColumn = ""
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"diagnosis","model":"L","window":"1d","reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-01T12:00:00Z"}}`, day1, day2)
	frames := mustOK(t, r)
	want := "no labels (performance needs labels: map labelColumn, or labelsTable and predictionIdColumn): concept drift and " +
		"prior shift need labels; the evidence shown is label-free (pipeline breaks, covariate shift, prediction drift)"
	found, names := false, []string{}
	for _, n := range frames[0].Meta.Notices {
		found = found || n.Text == want
	}
	for _, f := range frames {
		names = append(names, f.Name)
	}
	if !found || !strings.Contains(strings.Join(names, ","), "L · covariate_shift") {
		t.Fatalf("notices %v, frames %v", frames[0].Meta.Notices, names)
	}
}

// Issue 9 item 6: the last, partial window is not a volume drop. Model "u" logs one row every 15 minutes (96 a
// day); the reference is day 1. Evaluated at 06:00, 12:00 and 23:00 of day 3, its partial window has 24, 48 and 92
// rows, expected 96 × 6/24, 12/24 and 23/24 of a day: volume_ratio 1 each time, never a pipeline break.
func TestPartialLastWindowIsNotAVolumeDrop(t *testing.T) {
	cfg := logStore(t, `CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (15 * i) MINUTE AS ts,
		'u' AS model_id, 'u-' || i AS prediction_id, i % 5 AS k FROM range(0, 3 * 96) r(i)`)
	ds := New(cfg, nil)
	defer ds.Dispose()
	day3 := day1.Add(48 * time.Hour)
	for _, hours := range []int{6, 12, 23} {
		last, meta := lastVolumeRatio(t, ds, "u", refDay1, day3.Add(time.Duration(hours)*time.Hour))
		if elapsed := meta["partialWindowElapsed"]; last == nil || *last != 1 || elapsed != float64(hours)/24 {
			t.Errorf("at %02d:00: last volume_ratio %v (elapsed %v), want 1 (elapsed %v)", hours, last, elapsed, float64(hours)/24)
		}
	}
}

// lastVolumeRatio runs dataQuality of model m in daily windows from day 2 to `to` against ref and returns the last
// window's volume_ratio (nil: none) and its frame's custom meta.
func lastVolumeRatio(t *testing.T, ds *Datasource, m, ref string, to time.Time) (*float64, map[string]any) {
	t.Helper()
	for _, f := range mustOK(t, run(t, ds, `{"queryType":"dataQuality","model":"`+m+`","window":"1d",`+ref+`}`, day2, to)) {
		if f.Name == m+" · volume_ratio" {
			return values(f.Fields[1])[f.Rows()-1], f.Meta.Custom.(map[string]any)
		}
	}
	t.Fatalf("no %s · volume_ratio frame", m)
	return nil, nil
}

// The partial last window against a daily traffic curve: model "a" logs 60 rows in the first UTC hour of each day
// (one a minute) and 40 from 12:00 to 16:00 (one every 6 minutes). Its partial window expects the reference day's
// rows in the same span — at 00:30 half of hour 0's 60 = 30, at 01:00 60, at 14:00 60 + 10 + 10 = 80 — and holds
// exactly that many: volume_ratio 1 each time, against the day before with a trailing reference too. The elapsed
// share of the day's 100 rows would expect 2.08, 4.17 and 58.3: a volume surge of ratio 14.4 at 01:00, a
// pipeline break (evidence |14.4 − 1| / 0.5 = 26.8) on a healthy model every night.
func TestPartialLastWindowFollowsTheDailyCurve(t *testing.T) {
	cfg := logStore(t, `CREATE TABLE inference_log AS
		SELECT TIMESTAMP '2026-01-01' + INTERVAL (d) DAY + INTERVAL (i) MINUTE AS ts, 'a' AS model_id, 'a-' || d || '-' || i AS prediction_id,
			i % 5 AS k FROM range(0, 3) x(d), range(0, 60) r(i)
		UNION ALL SELECT TIMESTAMP '2026-01-01 12:00:00' + INTERVAL (d) DAY + INTERVAL (6 * i) MINUTE, 'a', 'a-' || d || '-n' || i, i % 5
			FROM range(0, 3) x(d), range(0, 40) r(i)`)
	ds := New(cfg, nil)
	defer ds.Dispose()
	day3 := day1.Add(48 * time.Hour)
	for _, c := range []struct {
		at       time.Duration
		ref      string
		expected float64
	}{
		{30 * time.Minute, refDay1, 30}, {time.Hour, refDay1, 60}, {14 * time.Hour, refDay1, 80},
		{time.Hour, `"reference":{"type":"trailing","windows":1}`, 60},
	} {
		last, meta := lastVolumeRatio(t, ds, "a", c.ref, day3.Add(c.at))
		if exp := meta["partialWindowExpectedRows"]; last == nil || *last != 1 || exp != c.expected {
			t.Errorf("at %s (%s): last volume_ratio %v, expected rows %v; want 1, %v", c.at, c.ref, last, exp, c.expected)
		}
	}
}

// Issue 9 item 4: a categorical feature whose reference has more than 1000 categories (here 2000, and every
// current value new) says that its unseen values cannot be told apart, instead of a silent low JS.
func TestHighCardinalityOverflowIsNoticed(t *testing.T) {
	cfg := logStore(t, `CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (d - 1) DAY + INTERVAL (i) SECOND AS ts,
		'h' AS model_id, 'h-' || d || '-' || i AS prediction_id,
		CASE WHEN d = 1 THEN 'ref-' || (i % 2000) ELSE 'new-' || i END AS cat
		FROM range(0, 4000) r(i), range(1, 3) a(d)`)
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"drift","model":"h","window":"1d",`+refDay1+`}`, day2, day2.Add(24*time.Hour)))
	want := "h · cat: the reference has more than 1000 categories, so values it never had cannot be told from its rare ones: " +
		"they count as (other) and no unseen share is given"
	for _, n := range frames[0].Meta.Notices {
		if n.Text == want {
			return
		}
	}
	t.Fatalf("notices %v", frames[0].Meta.Notices)
}
