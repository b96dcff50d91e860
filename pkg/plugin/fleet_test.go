package plugin

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/aiops/modelmonitor/pkg/engine/severity"
	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/duckdb"
)

// fleetFixtureStore is fixtureStore with labels in the log rows (fleet_log: label = prediction, so every row is
// labelled) and a registry with the bad input a fleet meets (fleet_registry): m2 listed twice and without an
// owner, m3 with the unknown tier "gold", and a model m4 (a copy of m2's rows) with no registry row at all.
func fleetFixtureStore(t *testing.T) settings.Settings {
	t.Helper()
	cfg := fixtureStore(t)
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE fleet_log AS SELECT *, prediction AS label FROM inference_log
			UNION ALL SELECT * REPLACE ('m4' AS model_id, 'm4-' || prediction_id AS prediction_id), prediction AS label
			FROM inference_log WHERE model_id = 'm2'`,
		`CREATE TABLE fleet_registry AS SELECT * REPLACE (
			CASE WHEN model_id = 'm2' THEN NULL ELSE owner END AS owner,
			CASE WHEN model_id = 'm3' THEN 'gold' ELSE tier END AS tier) FROM model_registry`,
		`INSERT INTO fleet_registry SELECT * FROM fleet_registry WHERE model_id = 'm2'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	cfg.Table, cfg.LabelColumn, cfg.RegistryTable, cfg.LabelsTable = "fleet_log", "label", "fleet_registry", ""
	return cfg
}

const fleetQuery = `{"queryType":"fleetHealth","window":"1d",` + refDay1 + `}`

// The fleet of the fixture over days 1–2 (the reference day and the drifted day), by hand:
//   - m1 (critical, team-a): on day 2, 500 of its 1050 rows have c = "d", unseen in the reference:
//     new_category_share 500/1050 = 0.476190…, pipeline-break evidence 0.476190/0.05 = 9.523810 (x's null share
//     50/1050 = 0.0476 gives only 0.476, its volume 1050/1000 only |1.05 − 1|/0.5 = 0.1): verdict pipeline_break
//     since day 2, High urgency, critical → page.
//   - m3 (tier "gold" → standard, team-c): 50 NaN + 50 +Inf of 1000 x values on day 2 are out of the reference's
//     range: 100/1000 / 0.05 = 2: pipeline_break, High, standard → ticket.
//   - m2 and m4 (day 2 a copy of day 1): no drift, no quality issue: ok. m2 has no owner → "unassigned";
//     m4 has no registry row → tier standard, owner unassigned, task binary.
//
// Sorted page, ticket, then the ok models by their largest evidence (m4's, inferred features scored with KS
// p-values, above m2's).
func TestFleetHealthFixture(t *testing.T) {
	ds := New(fleetFixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, fleetQuery, day1, day1.AddDate(0, 0, 2))
	frames := mustOK(t, r)
	table := frameByName(t, frames, "fleet")
	col := func(name string) *data.Field {
		f, i := table.FieldByName(name)
		if i < 0 {
			t.Fatalf("no field %s", name)
		}
		return f
	}
	str := func(name string) []string {
		f := col(name)
		out := make([]string, f.Len())
		for i := range out {
			out[i] = f.At(i).(string)
		}
		return out
	}
	want := map[string][]string{
		"model":    {"m1", "m3", "m4", "m2"},
		"severity": {"page", "ticket", "ok", "ok"},
		"tier":     {"critical", "standard", "standard", "standard"},
		"owner":    {"team-a", "team-c", "unassigned", "unassigned"},
		"task":     {"binary", "binary", "binary", "regression"},
		"verdict":  {"pipeline_break", "pipeline_break", "ok", "ok"},
	}
	for name, w := range want {
		if got := str(name); !slices.Equal(got, w) {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
	}
	ev := values(col("worst_evidence"))
	for i, w := range []float64{500.0 / 1050 / 0.05, 100.0 / 1000 / 0.05} {
		if ev[i] == nil || !near(*ev[i], w, 1e-12) {
			t.Errorf("worst_evidence[%d] = %v, want %v", i, ev[i], w)
		}
	}
	if got := str("worst_feature")[:2]; !slices.Equal(got, []string{"c", "x"}) {
		t.Errorf("worst_feature = %q, want c, x", got)
	}
	if got := str("quality_check")[:2]; !slices.Equal(got, []string{"new_category_share:c", "out_of_range_share:x"}) {
		t.Errorf("quality_check = %q", got)
	}
	if since := col("since"); since.At(0) != day2 || since.At(3) != day1 {
		t.Errorf("since: m1 %v (want day 2), m2 %v (want day 1)", since.At(0), since.At(3))
	}
	vol := values(col("volume_ratio"))
	if vol[0] == nil || !near(*vol[0], 1.05, 1e-12) || vol[3] == nil || *vol[3] != 1 {
		t.Errorf("volume_ratio m1 %v (want 1.05), m2 %v (want 1)", vol[0], vol[3])
	}
	cov := values(col("label_coverage"))
	for i, c := range cov {
		if c == nil || *c != 1 {
			t.Errorf("label_coverage[%d] = %v, want 1 (labels in every row)", i, c)
		}
	}
	if f, _ := table.FieldByName("primary_metric"); f.At(3) != "mae" || f.At(0) != "roc_auc" {
		t.Errorf("primary metrics %v %v", f.At(0), f.At(3))
	}
	if mae := values(col("realized"))[3]; mae == nil || *mae != 0 {
		t.Errorf("m2 realized MAE = %v, want 0 (label = prediction)", mae)
	}
	var notices []string
	for _, n := range frames[0].Meta.Notices {
		notices = append(notices, n.Text)
	}
	all := strings.Join(notices, "\n")
	for _, w := range []string{`model m3: unknown tier "gold" taken as standard`, "1 models have no registry tier, taken as standard: m4",
		"2 models have no registry owner, shown as unassigned: m2, m4"} {
		if !strings.Contains(all, w) {
			t.Errorf("no notice %q in\n%s", w, all)
		}
	}
	if len(frames) != 1 {
		t.Errorf("%d frames, want the fleet table only", len(frames))
	}
	experimental.CheckGoldenJSONResponse(t, "testdata", "fleet_health", &r, *updateGolden)

	// The trend output: a row per model and window, in the fleet's order; m1's severity level per day is 0 (the
	// reference day against itself), then 3 (page).
	r = run(t, ds, `{"queryType":"fleetHealth","window":"1d","fleet":{"output":"trend"},`+refDay1+`}`, day1, day1.AddDate(0, 0, 2))
	trend := frameByName(t, mustOK(t, r), "fleet trend")
	if trend.Rows() != 8 || trend.Fields[1].At(0) != "m1" || trend.Fields[3].At(0) != int64(0) || trend.Fields[3].At(1) != int64(3) {
		t.Errorf("trend: %d rows, first %v %v %v", trend.Rows(), trend.Fields[1].At(0), trend.Fields[3].At(0), trend.Fields[3].At(1))
	}
}

// A model whose newest labels are pending stands at the label-based verdict of the latest window that decided it,
// with its severity from that verdict: the store of TestVerdictsOfAWindowWithoutLabels (model P's labels move from
// 20 % to 80 % positive on day 2, prior shift |0.8 − 0.2| / max(4·sqrt(0.16·(1/200 + 1/200)), 0.5·0.2) = 3.75; day
// 3 has no label yet) with a registry row making P critical. Day 3 reads prior_shift decided on day 2, since day 2,
// labels pending since day 3 (1 window); prior shift is Medium, critical → ticket on both days. Read as its own
// verdict (ok: missing evidence absent) day 3 would be a report (its score distribution moved: Low).
func TestFleetHealthPendingLabels(t *testing.T) {
	cfg := pendingLabelsStore(t, `CREATE TABLE model_registry AS SELECT 'P' AS model_id, 'binary' AS task, 'k' AS feature,
		'numeric' AS feature_type, 1.0 AS importance, 'risk-ml' AS owner, 'critical' AS tier`)
	cfg.RegistryTable = "model_registry"
	ds := New(cfg, nil)
	defer ds.Dispose()
	day3 := day2.AddDate(0, 0, 1)
	table := frameByName(t, mustOK(t, run(t, ds, `{"queryType":"fleetHealth","model":"P","window":"1d",`+refDay1+`}`, day2, day2.AddDate(0, 0, 2))), "fleet")
	if table.Rows() != 1 {
		t.Fatalf("%d rows", table.Rows())
	}
	at := func(name string) any {
		f, i := table.FieldByName(name)
		if i < 0 {
			t.Fatalf("no field %s", name)
		}
		x, _ := f.ConcreteAt(0)
		return x
	}
	want := map[string]any{"verdict": "prior_shift", "verdict_at": day2, "since": day2, "labels_pending": int64(1),
		"pending_since": day3, "severity": "ticket", "worst_cause": "prior_shift", "tier": "critical", "owner": "risk-ml"}
	for name, w := range want {
		if got := at(name); got != w {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
	if e := at("worst_evidence"); e == nil || !near(e.(float64), 3.75, 1e-12) {
		t.Errorf("worst_evidence = %v, want 3.75", e)
	}
	if r := at("reason").(string); !strings.Contains(r, "labels pending since 2026-01-03 00:00 (1 window): the verdict of 2026-01-02 00:00 stands") {
		t.Errorf("reason %q", r)
	}
	trend := frameByName(t, mustOK(t, run(t, ds, `{"queryType":"fleetHealth","model":"P","window":"1d","fleet":{"output":"trend"},`+refDay1+`}`,
		day2, day2.AddDate(0, 0, 2))), "fleet trend")
	var got []string
	for i := 0; i < trend.Rows(); i++ {
		got = append(got, fmt.Sprintf("%v %v %v", trend.Fields[2].At(i), trend.Fields[6].At(i), trend.Fields[3].At(i)))
	}
	if w := []string{"prior_shift false 2", "prior_shift true 2"}; !slices.Equal(got, w) {
		t.Errorf("trend (verdict, labels_pending, severity_level) %q, want %q", got, w)
	}
}

// The alert output: one numeric-multi frame per model, its severity as a number, labelled for routing.
func TestFleetHealthAlertFrames(t *testing.T) {
	ds := New(fleetFixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"fleetHealth","window":"1d","fleet":{"output":"alert"},`+refDay1+`}`, day1, day1.AddDate(0, 0, 2))
	frames := mustOK(t, r)
	got := map[string]string{}
	for _, f := range frames {
		if f.Meta.Type != data.FrameTypeNumericMulti || len(f.Fields) != 1 || f.Rows() != 1 {
			t.Fatalf("frame %q: type %s, %d fields, %d rows", f.Name, f.Meta.Type, len(f.Fields), f.Rows())
		}
		l := f.Fields[0].Labels
		x, _ := f.Fields[0].ConcreteAt(0)
		got[l["model"]] = fmt.Sprintf("%v %s %s %s %s", x, l["severity"], l["tier"], l["owner"], l["cause"])
	}
	want := map[string]string{"m1": "3 page critical team-a pipeline_break", "m3": "2 ticket standard team-c pipeline_break",
		"m2": "0 ok standard unassigned ", "m4": "0 ok standard unassigned "}
	for m, w := range want {
		if got[m] != w {
			t.Errorf("%s: %q, want %q", m, got[m], w)
		}
	}
	experimental.CheckGoldenJSONResponse(t, "testdata", "fleet_health_alert", &r, *updateGolden)
}

// A bad fleet option is refused; a range whose reference is empty is an empty fleet with a notice, not an error.
func TestFleetHealthBadInput(t *testing.T) {
	ds := New(fleetFixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"fleetHealth","fleet":{"hold":-1}}`, day1, day2)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "fleet hold") {
		t.Errorf("negative hold: %v", r.Error)
	}
	r = run(t, ds, `{"queryType":"fleetHealth","fleet":{"output":"pager"}}`, day1, day2)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "unknown fleet output") {
		t.Errorf("unknown output: %v", r.Error)
	}
	// Far after the data: the trailing reference holds no rows: an empty fleet with a notice.
	r = run(t, ds, `{"queryType":"fleetHealth","window":"1d"}`, day1.AddDate(1, 0, 0), day1.AddDate(1, 0, 2))
	frames := mustOK(t, r)
	if len(frames) != 1 || frames[0].Rows() != 0 || !strings.Contains(fmt.Sprint(frames[0].Meta.Notices), "the reference has no rows of any model") {
		t.Errorf("empty reference: %d frames, notices %v", len(frames), frames[0].Meta.Notices)
	}
	// 0 models in range: a month after the data, against the reference day: every model is a row (a logging
	// outage must not read as healthy), its volume 0 a pipeline break, and one notice says no model logged a row.
	from := day1.AddDate(0, 1, 0)
	r = run(t, ds, `{"queryType":"fleetHealth","window":"1d",`+refDay1+`}`, from, from.AddDate(0, 0, 2))
	table := frameByName(t, mustOK(t, r), "fleet")
	verdict, _ := table.FieldByName("verdict")
	check, _ := table.FieldByName("quality_check")
	for i := 0; i < table.Rows(); i++ {
		if verdict.At(i) != "pipeline_break" || check.At(i) != "volume_ratio" {
			t.Errorf("row %d: %v %v, want a pipeline break of volume_ratio", i, verdict.At(i), check.At(i))
		}
	}
	want := "no model has rows in 2026-02-01T00:00:00Z – 2026-02-03T00:00:00Z: each reads as a pipeline break (volume 0) — " +
		"a logging outage of the whole fleet, or a range outside the log"
	if table.Rows() != 4 || !hasNotice(data.Frames{table}, want) {
		t.Errorf("0 models in range: %d rows, notices %v", table.Rows(), table.Meta.Notices)
	}
}

// countingStore counts the aggregate statements a request sends to the store.
type countingStore struct {
	store.Store
	calls map[string]int
}

func (c *countingStore) Profile(ctx context.Context, s store.Scope, f []store.Feature, p []float64, cap int) (store.Profile, error) {
	c.calls["Profile"]++
	return c.Store.Profile(ctx, s, f, p, cap)
}

func (c *countingStore) Counts(ctx context.Context, s store.Scope, w store.Windowing, n []store.NumericBins, k []store.CategoricalBins) (store.Counts, error) {
	c.calls["Counts"]++
	return c.Store.Counts(ctx, s, w, n, k)
}

func (c *countingStore) Quality(ctx context.Context, s store.Scope, w store.Windowing, f []store.QualityFeature) (store.Quality, error) {
	c.calls["Quality"]++
	return c.Store.Quality(ctx, s, w, f)
}

func (c *countingStore) Performance(ctx context.Context, s store.Scope, w store.Windowing, r store.PerformanceRequest) (store.Performance, error) {
	c.calls["Performance"]++
	return c.Store.Performance(ctx, s, w, r)
}

func (c *countingStore) ScoreHistogram(ctx context.Context, s store.Scope, w store.Windowing, t float64) (store.ScoreHistogram, error) {
	c.calls["ScoreHistogram"]++
	return c.Store.ScoreHistogram(ctx, s, w, t)
}

// fleetHealth reuses the diagnosis' aggregates: on a fresh service each, it sends the store exactly the
// aggregate statements the diagnosis sends, although it also runs the drift, quality, CBPE and performance
// analyses on its own — also on a fleet with a multiclass model (the performance fixture's p2), whose class
// counts the performance analysis reads: the diagnosis asks its windows' label aggregates with them (classModels),
// so that the two are one call, within a request and in the window cache.
func TestFleetHealthReadsWhatTheDiagnosisReads(t *testing.T) {
	perf := func(t *testing.T) settings.Settings { cfg, _ := performanceFixtureStore(t); return cfg }
	for name, store := range map[string]func(*testing.T) settings.Settings{"fleet": fleetFixtureStore, "multiclass": perf} {
		t.Run(name, func(t *testing.T) {
			cfg := store(t)
			q, err := query.Parse(json.RawMessage(`{"queryType":"fleetHealth","window":"1d",`+refDay1+`}`), "")
			if err != nil {
				t.Fatal(err)
			}
			req := monitor.Request{Query: q, From: day1, To: day1.AddDate(0, 0, 2), Interval: time.Minute, MaxDataPoints: 1000}
			count := func(run func(*monitor.Service) error) map[string]int {
				st, err := duckdb.Open(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				c := &countingStore{Store: st, calls: map[string]int{}}
				if err := run(monitor.New(c, cfg)); err != nil {
					t.Fatal(err)
				}
				return c.calls
			}
			diag := count(func(s *monitor.Service) error { _, err := s.Diagnosis(context.Background(), req); return err })
			fleet := count(func(s *monitor.Service) error { _, err := s.FleetHealth(context.Background(), req); return err })
			if !reflect.DeepEqual(diag, fleet) || diag["Counts"] == 0 || diag["Performance"] == 0 {
				t.Errorf("aggregate statements: fleetHealth %v, diagnosis %v", fleet, diag)
			}
		})
	}
}

// A fleet of 1000 models without a registry and without any labels is one row per model, never an error: model
// m0000 … m0999, 100 rows a day each on days 1 and 2 (day 2 a copy of day 1: nothing moves), every model ok,
// standard, unassigned; the defaults said in two notices that name 10 models and count the rest, and the missing
// labels in the diagnosis' notice (no estimate, no realized performance: the rest of the fleet still stands).
func TestFleetHealthThousandModels(t *testing.T) {
	cfg := logStore(t, `CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (d - 1) DAY + INTERVAL (10 * i) MINUTE AS ts,
		'm' || lpad(CAST(m AS VARCHAR), 4, '0') AS model_id, m || '-' || d || '-' || i AS prediction_id,
		CAST(i % 2 AS INTEGER) AS prediction, (i % 10) / 10 + 0.05 AS score, CAST(i % 13 AS DOUBLE) AS x
		FROM range(0, 1000) a(m), range(1, 3) b(d), range(0, 100) c(i)`)
	// The time-out is not what this test is about: 13 s on an idle machine took over 60 s beside the Spark server
	// and the conformance suite.
	cfg.PredictionColumn, cfg.ScoreColumn, cfg.QueryTimeoutSecs = "prediction", "score", 900
	ds := New(cfg, nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"fleetHealth","window":"1d",`+refDay1+`}`, day1, day1.AddDate(0, 0, 2))
	frames := mustOK(t, r)
	table := frameByName(t, frames, "fleet")
	if table.Rows() != 1000 {
		t.Fatalf("%d rows, want 1000", table.Rows())
	}
	sev, _ := table.FieldByName("severity")
	owner, _ := table.FieldByName("owner")
	for i := 0; i < table.Rows(); i++ {
		if sev.At(i) != "ok" || owner.At(i) != "unassigned" {
			t.Fatalf("row %d: %v, %v", i, sev.At(i), owner.At(i))
		}
	}
	var notices []string
	for _, n := range frames[0].Meta.Notices {
		notices = append(notices, n.Text)
	}
	ten := "m0000, m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009 and 990 more"
	for _, w := range []string{"1000 models have no registry tier, taken as standard: " + ten,
		"1000 models have no registry owner, shown as unassigned: " + ten} {
		if !slices.Contains(notices, w) {
			t.Errorf("no notice %q in %q", w, notices)
		}
	}
	if !strings.Contains(strings.Join(notices, "\n"), "no labels (performance needs labels") {
		t.Errorf("no notice of the missing labels in %q", notices)
	}
}

// While the cool-down holds a severity, the alert instance keeps the cause and feature of the window it is held
// from (the runbook text and routing of that incident, the same labels as when it fired), and the table says
// which; a severity of the window's own labels its own worst signal.
func TestFleetHeldSeverityLabels(t *testing.T) {
	at := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	held := monitor.FleetRow{Model: "m", Owner: "risk-ml", Tier: "critical", Severity: severity.Page, WorstCause: "prediction_drift",
		WorstFeature: "income", HeldAt: at, HeldCause: "concept_drift", HeldFeature: "age"}
	own := monitor.FleetRow{Model: "n", Owner: "risk-ml", Tier: "critical", Severity: severity.Report, WorstCause: "prediction_drift",
		WorstFeature: "income"}
	res := monitor.FleetResult{Rows: []monitor.FleetRow{held, own}}
	var got []string
	for _, f := range fleetAlertFrames(res) {
		l := f.Fields[0].Labels
		got = append(got, l["model"]+" "+l["severity"]+" "+l["cause"]+" "+l["feature"])
	}
	if want := []string{"m page concept_drift age", "n report prediction_drift income"}; !slices.Equal(got, want) {
		t.Errorf("alert labels %q, want %q", got, want)
	}
	table := fleetFrames(res)[0]
	cause, _ := table.FieldByName("held_cause")
	heldAt, _ := table.FieldByName("held_at")
	if cause.At(0) != "concept_drift" || *heldAt.At(0).(*time.Time) != at || cause.At(1) != "" || heldAt.At(1).(*time.Time) != nil {
		t.Errorf("held_cause %v %v, held_at %v %v", cause.At(0), cause.At(1), heldAt.At(0), heldAt.At(1))
	}
}

// A low-volume critical model L: 20 rows on the reference day, 9 on day 2, none on day 3. Day 2's ratio 0.45 is
// Poisson noise where 20 rows are expected (P(N <= 9) = 0.0050, z/4 = 0.64403667666493802; mpmath): no break, ok.
// Day 3's silence is not (P(N = 0) = e^-20, z/4 = 1.4698023391213341): a pipeline break, which pages.
func TestFleetLowVolumeIsJudgedAgainstPoissonNoise(t *testing.T) {
	cfg := logStore(t, `CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (d - 1) DAY + INTERVAL (60 * i) MINUTE AS ts,
		'L' AS model_id, 'L-' || d || '-' || i AS prediction_id, CAST(i % 5 AS DOUBLE) AS k, CAST(i % 2 AS INTEGER) AS prediction,
		(i % 10) / 10 + 0.05 AS score FROM range(1, 3) a(d), range(0, 20) b(i) WHERE d = 1 OR i < 9`,
		`CREATE TABLE model_registry AS SELECT 'L' AS model_id, 'binary' AS task, 'k' AS feature, 'numeric' AS feature_type,
		1.0 AS importance, 'risk-ml' AS owner, 'critical' AS tier`)
	cfg.RegistryTable, cfg.PredictionColumn, cfg.ScoreColumn = "model_registry", "prediction", "score"
	ds := New(cfg, nil)
	defer ds.Dispose()
	from, to := day2, day2.AddDate(0, 0, 2)
	evidence := frameByName(t, mustOK(t, run(t, ds, `{"queryType":"diagnosis","model":"L","window":"1d",`+refDay1+`}`, from, to)), "L · pipeline_break")
	var got []float64
	for i := 0; i < evidence.Rows(); i++ {
		x, _ := evidence.Fields[1].ConcreteAt(i)
		got = append(got, x.(float64))
	}
	if want := []float64{0.64403667666493802, 1.4698023391213341}; len(got) != 2 || !near(got[0], want[0], 1e-9) || !near(got[1], want[1], 1e-9) {
		t.Errorf("pipeline_break evidence %v, want %v", got, want)
	}
	trend := frameByName(t, mustOK(t, run(t, ds, `{"queryType":"fleetHealth","model":"L","window":"1d","fleet":{"output":"trend"},`+refDay1+`}`, from, to)), "fleet trend")
	var levels []string
	for i := 0; i < trend.Rows(); i++ {
		levels = append(levels, fmt.Sprintf("%v %v", trend.Fields[2].At(i), trend.Fields[3].At(i)))
	}
	if want := []string{"ok 0", "pipeline_break 3"}; !slices.Equal(levels, want) {
		t.Errorf("trend (verdict, severity_level) %q, want %q", levels, want)
	}
}

// Registry rows of one model that disagree: m1's row for x says experimental and team-z, its others critical and
// team-a. The model keeps its most critical tier (its day-2 pipeline break still pages: by the store's greatest
// value alone it would be an experimental model's report), the owner is the store's greatest, and notices say both.
func TestFleetRegistryRowsThatDisagree(t *testing.T) {
	cfg := fleetFixtureStore(t)
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE fleet_registry SET tier = 'experimental', owner = 'team-z' WHERE model_id = 'm1' AND feature = 'x'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, `{"queryType":"fleetHealth","model":"m1","window":"1d","fleet":{"output":"alert"},`+refDay1+`}`, day1, day1.AddDate(0, 0, 2)))
	l := frames[0].Fields[0].Labels
	if got := l["severity"] + " " + l["tier"] + " " + l["owner"]; got != "page critical team-z" {
		t.Errorf("m1: %q, want page critical team-z", got)
	}
	for _, w := range []string{"model m1: its registry rows disagree on tier (critical, experimental): taken as critical, the most critical",
		"model m1: its registry rows disagree on owner (team-a, team-z): shown as team-z"} {
		if !hasNotice(frames, w) {
			t.Errorf("no notice %q in %v", w, frames[0].Meta.Notices)
		}
	}
}

// A log without a score column (scoreColumn ""): CBPE, the realized ROC AUC and the score histograms cannot be
// read, but the fleet still stands on its score-free evidence — the same severities as TestFleetHealthFixture,
// whose verdicts are pipeline breaks and ok — with a notice saying what is left out, and so does the diagnosis.
func TestFleetHealthWithoutScoreColumn(t *testing.T) {
	cfg := fleetFixtureStore(t)
	cfg.ScoreColumn = ""
	ds := New(cfg, nil)
	defer ds.Dispose()
	frames := mustOK(t, run(t, ds, fleetQuery, day1, day1.AddDate(0, 0, 2)))
	table := frameByName(t, frames, "fleet")
	for name, want := range map[string][]string{
		"model":    {"m1", "m3", "m4", "m2"},
		"severity": {"page", "ticket", "ok", "ok"},
		"verdict":  {"pipeline_break", "pipeline_break", "ok", "ok"},
	} {
		f, i := table.FieldByName(name)
		if i < 0 {
			t.Fatalf("no field %s", name)
		}
		got := make([]string, f.Len())
		for j := range got {
			got[j] = f.At(j).(string)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if !hasNotice(frames, "no score column (scoreColumn)") {
		t.Error("no notice that the score-based evidence is left out")
	}
	diag := mustOK(t, run(t, ds, `{"queryType":"diagnosis","window":"1d",`+refDay1+`}`, day1, day1.AddDate(0, 0, 2)))
	if !hasNotice(diag, "no score column (scoreColumn)") {
		t.Error("diagnosis: no notice that the score-based evidence is left out")
	}
	est := mustOK(t, run(t, ds, `{"queryType":"estimatedPerformance","window":"1d",`+refDay1+`}`, day1, day1.AddDate(0, 0, 2)))
	if !hasNotice(est, "no score column (scoreColumn): CBPE estimates performance from the model's scores") {
		t.Error("estimatedPerformance: no notice that CBPE needs the scores")
	}
}
