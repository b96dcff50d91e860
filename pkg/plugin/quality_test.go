package plugin

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// qualityFixtureStore is fixtureStore plus model "m4", built for the row-level checks (x numeric, registry):
//   - reference day 2026-01-01: 200 rows, unique ids, x = 1..200, score and prediction never NULL.
//   - day 2026-01-02: 200 rows, x = 1..200; ids: i ≤ 150 unique, 151..190 repeat the ids of 101..140 (40
//     duplicates), 191..200 NULL (a missing id is not a duplicate); score NULL when i % 4 = 0 (50 rows);
//     prediction NULL for i ≤ 20 (20 rows).
func qualityFixtureStore(t *testing.T) settings.Settings {
	t.Helper()
	cfg := fixtureStore(t)
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND, 'm4', 'v1', 'm4-r-' || i,
			'NA', 'web', i::DOUBLE, NULL, NULL, NULL, NULL, 1, 0.7 FROM range(1, 201) t(i)`,
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-02' + INTERVAL (i) SECOND, 'm4', 'v1',
			CASE WHEN i <= 150 THEN 'm4-d-' || i WHEN i <= 190 THEN 'm4-d-' || (i - 50) END,
			'NA', 'web', i::DOUBLE, NULL, NULL, NULL, NULL, CASE WHEN i > 20 THEN 1 END, CASE WHEN i % 4 <> 0 THEN 0.7 END
			FROM range(1, 201) t(i)`,
		`INSERT INTO model_registry VALUES ('m4', 'binary', 'x', 'numeric', 1.0, 'team-d', 'standard')`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	return cfg
}

// checkSeries asserts one quality frame's values exactly (nil = null point).
func checkSeries(t *testing.T, frames data.Frames, name string, want ...any) *data.Frame {
	t.Helper()
	f := frameByName(t, frames, name)
	got := values(f.Fields[1])
	if len(got) != len(want) {
		t.Fatalf("%s: %d points %v, want %v", name, len(got), storetest.Deref(got), want)
	}
	for i, w := range want {
		switch w := w.(type) {
		case nil:
			if got[i] != nil {
				t.Fatalf("%s: point %d = %v, want null (all: %v)", name, i, *got[i], storetest.Deref(got))
			}
		case float64:
			if got[i] == nil || !near(*got[i], w, 1e-12) {
				t.Fatalf("%s: point %d, got %v, want %v", name, i, storetest.Deref(got), want)
			}
		}
	}
	return f
}

// m1 by hand (range reference = day 1, 1000 rows, 1-day windows over days 1–3):
//   - volume_ratio: 1000/1000, 1050/1000, 35/1000 (given below minSamples: a volume drop is its signal).
//   - x null_share: day 2 has 50 NULL of 1050 rows; x is inside the reference [1, 1000] on every day (day 3's
//     5000 is outside, but day 3 has 35 rows < 100, so every share there is null).
//   - c new_category_share: 500 "d" of 1050 on day 2; flag has no new categories.
func TestDataQualityHandDerived(t *testing.T) {
	ds := New(qualityFixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"dataQuality","model":"m1","window":"1d",`+refDay1+`}`, day1, day4))
	// per model 4 row checks; x: null + range, c and flag: null + new category
	if len(frames) != 10 {
		names := []string{}
		for _, f := range frames {
			names = append(names, f.Name)
		}
		t.Fatalf("want 10 frames, got %d: %v", len(frames), names)
	}
	vol := checkSeries(t, frames, "m1 · volume_ratio", 1.0, 1.05, 0.035)
	if vol.Meta.Type != data.FrameTypeTimeSeriesMulti || vol.Meta.TypeVersion != (data.FrameTypeVersion{0, 1}) {
		t.Fatalf("frame type %q %v", vol.Meta.Type, vol.Meta.TypeVersion)
	}
	if l := vol.Fields[1].Labels; l["model"] != "m1" || l["check"] != "volume_ratio" || len(l) != 2 {
		t.Fatalf("labels %v", l)
	}
	if !strings.Contains(vol.Meta.ExecutedQueryString, "count(DISTINCT") {
		t.Fatalf("executed SQL missing: %q", vol.Meta.ExecutedQueryString)
	}
	checkSeries(t, frames, "m1 · duplicate_share", 0.0, 0.0, nil)
	checkSeries(t, frames, "m1 · missing_score_share", 0.0, 0.0, nil)
	checkSeries(t, frames, "m1 · missing_prediction_share", 0.0, 0.0, nil)
	xn := checkSeries(t, frames, "m1 · x · null_share", 0.0, 50.0/1050, nil)
	if l := xn.Fields[1].Labels; l["feature"] != "x" || l["check"] != "null_share" {
		t.Fatalf("labels %v", l)
	}
	if len(xn.Meta.Notices) != 1 || !strings.Contains(xn.Meta.Notices[0].Text, "1 of 3 windows have no value (window below the minimum sample size of 100") {
		t.Fatalf("min-sample notice: %+v", xn.Meta.Notices)
	}
	xr := checkSeries(t, frames, "m1 · x · out_of_range_share", 0.0, 0.0, nil)
	if c := custom(xr); c["referenceMin"] != 1.0 || c["referenceMax"] != 1000.0 {
		t.Fatalf("range meta %v", c)
	}
	checkSeries(t, frames, "m1 · c · null_share", 0.0, 0.0, nil)
	checkSeries(t, frames, "m1 · c · new_category_share", 0.0, 500.0/1050, nil)
	checkSeries(t, frames, "m1 · flag · new_category_share", 0.0, 0.0, nil)
}

// m3: NaN and +Inf are values, not NULLs — they do not count in null_share but count as out of range (outside
// any finite reference range): 50 NaN + 50 Inf of 1000 rows on day 2. z is always NULL: null_share 1 and no
// range to check (a notice). k is constant 42, inside its reference range [42, 42].
func TestDataQualityNonFiniteAndAllNull(t *testing.T) {
	ds := New(qualityFixtureStore(t), nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"dataQuality","model":"m3","window":"1d",`+refDay1+`}`, day1, day1.AddDate(0, 0, 2)))
	checkSeries(t, frames, "m3 · x · null_share", 0.0, 0.0)
	checkSeries(t, frames, "m3 · x · out_of_range_share", 0.0, 0.1)
	checkSeries(t, frames, "m3 · k · out_of_range_share", 0.0, 0.0)
	checkSeries(t, frames, "m3 · z · null_share", 1.0, 1.0)
	z := frameByName(t, frames, "m3 · z · out_of_range_share")
	if z.Fields[1].Len() != 0 || len(z.Meta.Notices) != 1 || !strings.Contains(z.Meta.Notices[0].Text, "no finite values of z") {
		t.Fatalf("all-NULL feature: len %d notices %+v", z.Fields[1].Len(), z.Meta.Notices)
	}
}

// m4: 40 duplicated ids of 200 rows (the 10 NULL ids are not duplicates) = 0.2; 50 NULL scores = 0.25; 20 NULL
// predictions = 0.1. With the score column unmapped its check is an empty frame with a notice.
func TestDataQualityDuplicatesAndMissingOutputs(t *testing.T) {
	cfg := qualityFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	q := `{"queryType":"dataQuality","model":"m4","window":"1d",` + refDay1 + `}`
	frames := mustOK(t, run(t, ds, q, day1, day1.AddDate(0, 0, 2)))
	checkSeries(t, frames, "m4 · volume_ratio", 1.0, 1.0)
	checkSeries(t, frames, "m4 · duplicate_share", 0.0, 0.2)
	checkSeries(t, frames, "m4 · missing_score_share", 0.0, 0.25)
	checkSeries(t, frames, "m4 · missing_prediction_share", 0.0, 0.1)
	checkSeries(t, frames, "m4 · x · out_of_range_share", 0.0, 0.0)

	cfg.ScoreColumn = ""
	unmapped := New(cfg, nil)
	defer unmapped.Dispose()
	frames = mustOK(t, run(t, unmapped, q, day1, day1.AddDate(0, 0, 2)))
	f := frameByName(t, frames, "m4 · missing_score_share")
	if f.Fields[1].Len() != 0 || len(f.Meta.Notices) != 1 || !strings.Contains(f.Meta.Notices[0].Text, "no column is mapped") {
		t.Fatalf("unmapped score column: len %d notices %+v", f.Fields[1].Len(), f.Meta.Notices)
	}
	checkSeries(t, frames, "m4 · duplicate_share", 0.0, 0.2)
}

// The reference kinds: trailing (1 window) gives day 2 the ratio 1050/1000 as the range does; a table has no
// windows, so volume_ratio is an empty frame with a notice while the range/category checks still run. A segment
// filter scales both sides: EU is 500 reference rows and all 1050 day-2 rows → 2.1. A MAP feature column gives
// the same feature checks as wide columns.
func TestDataQualityReferencesSegmentAndMap(t *testing.T) {
	cfg := qualityFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	day3 := day2.AddDate(0, 0, 1)
	frames := mustOK(t, run(t, ds, `{"queryType":"dataQuality","model":"m1","window":"1d","reference":{"type":"trailing","windows":1}}`, day2, day3))
	checkSeries(t, frames, "m1 · volume_ratio", 1.05)
	checkSeries(t, frames, "m1 · c · new_category_share", 500.0/1050)

	frames = mustOK(t, run(t, ds, `{"queryType":"dataQuality","model":"m1","window":"1d","reference":{"type":"table","table":"training_set"}}`, day2, day3))
	vol := frameByName(t, frames, "m1 · volume_ratio")
	if vol.Fields[1].Len() != 0 || len(vol.Meta.Notices) == 0 || !strings.Contains(vol.Meta.Notices[len(vol.Meta.Notices)-1].Text, "reference table has no windows") {
		t.Fatalf("table reference volume: len %d notices %+v", vol.Fields[1].Len(), vol.Meta.Notices)
	}
	checkSeries(t, frames, "m1 · x · null_share", 50.0/1050)
	checkSeries(t, frames, "m1 · c · new_category_share", 500.0/1050)

	frames = mustOK(t, run(t, ds, `{"queryType":"dataQuality","model":"m1","features":["x"],"window":"1d",`+refDay1+`,"segment":{"column":"region","value":"EU"}}`, day2, day3))
	checkSeries(t, frames, "m1 · volume_ratio", 2.1)

	cfg.Table, cfg.FeatureMapColumn = "map_log", "features"
	mds := New(cfg, nil)
	defer mds.Dispose()
	frames = mustOK(t, run(t, mds, `{"queryType":"dataQuality","model":"","window":"1d",`+refDay1+`}`, day1, day1.AddDate(0, 0, 2)))
	checkSeries(t, frames, "m1 · x · null_share", 0.0, 50.0/1050)
	checkSeries(t, frames, "m1 · c · new_category_share", 0.0, 500.0/1050)
	checkSeries(t, frames, "m3 · x · out_of_range_share", 0.0, 0.1)
	checkSeries(t, frames, "m3 · z · null_share", 1.0, 1.0)
}

func TestGoldenDataQuality(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"dataQuality","model":"m1","window":"1d",`+refDay1+`}`, day1, day4)
	experimental.CheckGoldenJSONResponse(t, "testdata", "data_quality", &r, *updateGolden)
}
