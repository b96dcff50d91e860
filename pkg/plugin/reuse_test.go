package plugin

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/cache"
)

// growingLog is an inference log kept as Parquet files that a DuckDB data source reads through a glob, so that
// rows can arrive while data sources read it (a DuckDB file is locked by its reader): each batch of rows is a new
// file, and a late label rewrites a file with labels filled in. Columns: ts, model_id, prediction_id, region, x
// (numeric), c (categorical), prediction, score and label (1/0/NULL).
type growingLog struct {
	t     *testing.T
	dir   string
	db    *sql.DB // private in-memory DuckDB that writes the files
	rng   *rand.Rand
	files int
	ids   int
}

func newGrowingLog(t *testing.T, seed uint64) *growingLog {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &growingLog{t: t, dir: t.TempDir(), db: db, rng: rand.New(rand.NewPCG(seed, 7))}
}

// settings of a data source over the log: labels in the row, no labels table or registry, few rows per window.
func (g *growingLog) settings() settings.Settings {
	cfg := settings.Defaults()
	cfg.Path = filepath.Join(g.dir, "*.parquet")
	cfg.VersionColumn, cfg.LabelsTable, cfg.RegistryTable = "", "", ""
	cfg.LabelColumn = "label"
	cfg.SegmentColumns = []string{"region"}
	cfg.MinSamples = 20
	cfg.CacheSettleMinutes = 120
	return cfg
}

// add writes n rows per model with timestamps uniform in [from, to) as a new file; labelShare of them labelled.
// The drift of m1 grows with time, so windows differ.
func (g *growingLog) add(from, to time.Time, n int, labelShare float64) {
	g.t.Helper()
	var rows []string
	for _, m := range []string{"m1", "m2"} {
		for i := 0; i < n; i++ {
			ts := from.Add(time.Duration(g.rng.Int64N(int64(to.Sub(from)))))
			shift := 0.0
			if m == "m1" {
				shift = float64(ts.Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Hours()) / 48
			}
			x := g.rng.NormFloat64() + shift
			c := []string{"a", "b", "c", "d"}[g.rng.IntN(3+int(shift)%2)]
			region := []string{"EU", "NA"}[g.rng.IntN(2)]
			score := g.rng.Float64()
			label := "NULL"
			if g.rng.Float64() < labelShare {
				label = fmt.Sprint(labelOf(score, g.rng.Float64()))
			}
			g.ids++
			rows = append(rows, fmt.Sprintf("(TIMESTAMP '%s', '%s', 'p%d', '%s', %v, '%s', %d, %v, %s)",
				ts.Format("2006-01-02 15:04:05.999999"), m, g.ids, region, x, c, labelOf(score, 0.5), score, label))
		}
	}
	g.files++
	g.write(fmt.Sprintf("batch%03d", g.files), "SELECT * FROM (VALUES "+strings.Join(rows, ", ")+
		") t(ts, model_id, prediction_id, region, x, c, prediction, score, label)")
}

func labelOf(score, u float64) int {
	if u < score {
		return 1
	}
	return 0
}

// labelLate fills in the missing labels of one earlier batch (a late label, arriving as a rewritten file).
func (g *growingLog) labelLate() {
	g.t.Helper()
	name := fmt.Sprintf("batch%03d", 1+g.rng.IntN(g.files))
	src := filepath.Join(g.dir, name+".parquet")
	g.write(name, fmt.Sprintf(`SELECT ts, model_id, prediction_id, region, x, c, prediction, score,
		coalesce(label, CASE WHEN hash(prediction_id) %% 100 < score * 100 THEN 1 ELSE 0 END) AS label FROM read_parquet('%s')`, src))
}

// write materialises a query as <name>.parquet, replacing the file atomically.
func (g *growingLog) write(name, query string) {
	g.t.Helper()
	tmp := filepath.Join(g.dir, name+".tmp")
	if _, err := g.db.Exec(fmt.Sprintf(`COPY (SELECT CAST(ts AS TIMESTAMP) AS ts, CAST(model_id AS VARCHAR) AS model_id,
		CAST(prediction_id AS VARCHAR) AS prediction_id, CAST(region AS VARCHAR) AS region, CAST(x AS DOUBLE) AS x,
		CAST(c AS VARCHAR) AS c, CAST(prediction AS INTEGER) AS prediction, CAST(score AS DOUBLE) AS score,
		CAST(label AS INTEGER) AS label FROM (%s)) TO '%s' (FORMAT parquet)`, query, tmp)); err != nil {
		g.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(g.dir, name+".parquet")); err != nil {
		g.t.Fatal(err)
	}
}

// randomQuery is one drawn query: its JSON fields and where its range starts and ends (hours after the log's
// first day, and minutes before a window bound when the range ends inside a window).
type randomQuery struct {
	fields         map[string]any
	fromH, endBack int
	insideMin      int
}

// draw redraws one dimension of a query (all of them for a new query): query type and model, window width,
// reference (a range or trailing windows), segment, decision threshold, metric, range start, range end (on a window
// bound or inside the last window: the open, partial window of an alert rule).
func (r *randomQuery) draw(rng *rand.Rand, dim int) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := r.fields
	all := dim < 0
	if all || dim == 0 {
		types := []string{"drift", "driftHeatmap", "dataQuality", "performance", "estimatedPerformance", "diagnosis", "fleetHealth", "distribution"}
		q["queryType"] = types[rng.IntN(len(types))]
		delete(q, "model")
		if q["queryType"] != "fleetHealth" {
			q["model"] = []string{"", "m1", "m2"}[rng.IntN(3)]
		} else {
			delete(q, "segment")
		}
	}
	if all || dim == 1 {
		q["window"] = []string{"6h", "12h", "1d"}[rng.IntN(3)]
	}
	if all || dim == 2 {
		if rng.IntN(2) == 0 {
			from := day.Add(time.Duration(rng.IntN(3)) * 12 * time.Hour)
			q["reference"] = map[string]any{"type": "range", "from": from, "to": from.Add(time.Duration(1+rng.IntN(3)) * 12 * time.Hour)}
		} else {
			q["reference"] = map[string]any{"type": "trailing", "windows": 1 + rng.IntN(3)}
		}
	}
	if (all || dim == 3) && q["queryType"] != "fleetHealth" {
		delete(q, "segment")
		if rng.IntN(3) > 0 {
			q["segment"] = map[string]any{"column": "region", "value": []string{"EU", "NA"}[rng.IntN(2)]}
		}
	}
	if all || dim == 4 {
		var others []float64 // a change of threshold changes it
		for _, v := range []float64{0.3, 0.5, 0.7} {
			if v != q["decisionThreshold"] {
				others = append(others, v)
			}
		}
		q["decisionThreshold"] = others[rng.IntN(len(others))]
	}
	if all || dim == 5 {
		q["metric"] = []string{"auto", "psi", "ks", "jensen_shannon"}[rng.IntN(4)]
	}
	if all || dim == 6 {
		r.fromH = 48 + rng.IntN(8)*6
	}
	if all || dim == 7 {
		r.endBack, r.insideMin = rng.IntN(3)*6, 0
		if rng.IntN(2) == 0 {
			r.insideMin = 1 + rng.IntN(300)
		}
	}
}

// query renders the query and its range over a log that ends at end.
func (r *randomQuery) query(end time.Time) (string, time.Time, time.Time) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.fromH) * time.Hour)
	to := end.Add(-time.Duration(r.endBack)*time.Hour - time.Duration(r.insideMin)*time.Minute)
	if !to.After(from.Add(24 * time.Hour)) {
		to = from.Add(24 * time.Hour)
	}
	raw, _ := json.Marshal(r.fields)
	return string(raw), from, to
}

// answer runs one query as Grafana (or, alert, Grafana Alerting) sends it and returns the response as JSON.
func answer(t *testing.T, ds *Datasource, q string, from, to time.Time, alert bool) string {
	t.Helper()
	var head struct {
		QueryType string `json:"queryType"`
	}
	_ = json.Unmarshal([]byte(q), &head)
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", QueryType: head.QueryType,
		JSON: json.RawMessage(q), TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Minute, MaxDataPoints: 1000}}}
	if alert {
		req.Headers = map[string]string{backend.FromAlertHeaderName: "true"}
	}
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(resp.Responses["A"])
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// answerDiff compares two responses (JSON): "" when they are equal, else where they first differ. Everything
// must be equal — frames, fields, labels, types, notices, metadata, executed SQL, errors — except that numbers may
// differ in their last bits (relative 1e-12, or 1e-15 absolute near zero): DuckDB sums doubles in parallel in an
// order that varies from run to run, so two cold answers over a log of several files already differ there.
func answerDiff(a, b string) string {
	var x, y any
	for _, s := range []struct {
		raw string
		v   *any
	}{{a, &x}, {b, &y}} {
		d := json.NewDecoder(strings.NewReader(s.raw))
		d.UseNumber()
		if err := d.Decode(s.v); err != nil {
			return err.Error()
		}
	}
	return valueDiff("", x, y)
}

func valueDiff(path string, x, y any) string {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return fmt.Sprintf("%s: %.300v ≠ %.300v", path, x, y)
		}
		for k := range xv {
			if d := valueDiff(path+"."+k, xv[k], yv[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return fmt.Sprintf("%s: %.300v ≠ %.300v", path, x, y)
		}
		for i := range xv {
			if d := valueDiff(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i]); d != "" {
				return d
			}
		}
		return ""
	case json.Number:
		yv, ok := y.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: %v ≠ %v", path, x, y)
		}
		f, _ := xv.Float64()
		g, _ := yv.Float64()
		if xv != yv && math.Abs(f-g) > 1e-12*math.Max(math.Abs(f), math.Abs(g))+1e-15 {
			return fmt.Sprintf("%s: %v ≠ %v", path, xv, yv)
		}
		return ""
	}
	if x != y {
		return fmt.Sprintf("%s: %.300v ≠ %.300v", path, x, y)
	}
	return ""
}

func sharedOf(t *testing.T, ds *Datasource) *cache.Shared {
	t.Helper()
	svc, err := ds.open()
	if err != nil {
		t.Fatal(err)
	}
	return svc.Store().(*cache.Shared)
}

// The proof of reuse: one data source lives through a growing log — new rows, late rows into settled and into
// unsettled windows, late labels — and answers random queries (overlapping ranges, window widths, references,
// segments, decision thresholds, partial last windows, alert requests); after every change each of its answers is
// byte for byte the answer of a fresh data source (frames, metadata and executed SQL included). The kept windows
// must have been used, or the comparison would prove nothing.
func TestReusedAnswersEqualColdAnswers(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("MODELMON_REUSE_SEED"); s != "" {
		_, _ = fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (MODELMON_REUSE_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	g := newGrowingLog(t, seed)
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := day.Add(5 * 24 * time.Hour)
	for d := 0; d < 5; d++ {
		g.add(day.Add(time.Duration(d)*24*time.Hour), day.Add(time.Duration(d+1)*24*time.Hour), 120, 0.6)
	}
	now := end.Add(30 * time.Minute)
	clock := func() time.Time { return now }
	pool := make([]randomQuery, 4)
	for i := range pool {
		pool[i] = randomQuery{fields: map[string]any{}}
		pool[i].draw(rng, -1)
	}
	// The warm data source keeps its settled windows in a file too, and restarts now and then: Grafana stops the
	// plugin (Dispose) and starts a new instance on the same file, which must answer as a fresh data source.
	warmCfg := g.settings()
	warmCfg.CacheDir, warmCfg.UID = t.TempDir(), "warm"
	warm := NewWithClock(warmCfg, nil, clock)
	defer func() { warm.Dispose() }()
	var total cache.Stats // over the warm data source's restarts
	addStats := func() {
		st := sharedOf(t, warm).Stats()
		total.Reused, total.Asked, total.FileRead = total.Reused+st.Reused, total.Asked+st.Asked, total.FileRead+st.FileRead
		total.Parts, total.Bytes = st.Parts, st.Bytes
		if st.Warning != "" {
			t.Fatalf("window cache: %s", st.Warning)
		}
	}
	steps, restarts := 10, 0
	if testing.Short() {
		steps = 4
	}
	for step := 0; step < steps; step++ {
		var change string
		switch k := rng.IntN(5); {
		case step == 0:
			change = "none"
		case step == 2 || k == 4: // a restart (at least once), with late labels while it was down
			addStats()
			warm.Dispose()
			g.labelLate()
			warm = NewWithClock(warmCfg, nil, clock)
			restarts++
			change = "restart, and late labels meanwhile"
		case k == 0: // new rows: the log grows by a few hours, the clock with it
			next := end.Add(time.Duration(3+rng.IntN(10)) * time.Hour)
			g.add(end, next, 40, 0.5)
			end, now = next, next.Add(time.Duration(rng.IntN(90))*time.Minute)
			change = "new rows up to " + end.Format(time.RFC3339)
		case k == 1: // late rows into a settled window
			at := day.Add(time.Duration(rng.IntN(int(end.Add(-6*time.Hour).Sub(day).Hours()))) * time.Hour)
			g.add(at, at.Add(time.Hour), 1+rng.IntN(5), 0.5)
			change = "late rows at " + at.Format(time.RFC3339)
		case k == 2: // late rows into the unsettled last hours
			g.add(end.Add(-2*time.Hour), end, 1+rng.IntN(5), 0.5)
			change = "late rows in the last two hours"
		default:
			g.labelLate()
			change = "late labels"
		}
		// Each dashboard query comes back as it was, then with one thing changed; now and then a new one arrives.
		for i := 0; i < 2*len(pool); i++ {
			r := &pool[i/2]
			switch {
			case i%2 == 1 && rng.IntN(5) == 0:
				r.draw(rng, -1)
			case i%2 == 1:
				r.draw(rng, rng.IntN(8))
			}
			q, from, to := r.query(end)
			alert := rng.IntN(3) == 0
			got := answer(t, warm, q, from, to, alert)
			fresh := NewWithClock(g.settings(), nil, clock)
			want := answer(t, fresh, q, from, to, alert)
			fresh.Dispose()
			if diff := answerDiff(got, want); diff != "" {
				t.Fatalf("step %d (%s), query %s over [%s, %s) alert=%v: the warm answer differs from a fresh one: %s",
					step, change, q, from.Format(time.RFC3339), to.Format(time.RFC3339), alert, diff)
			}
		}
	}
	addStats()
	if total.Reused == 0 || total.Asked == 0 || restarts == 0 || total.FileRead == 0 {
		t.Fatalf("the warm data source reused %d windows and asked %d, and read %d parts from its file over %d restarts: the comparison proved nothing",
			total.Reused, total.Asked, total.FileRead, restarts)
	}
	t.Logf("warm data source: %d windows reused, %d asked, %d parts read from the file over %d restarts; %d parts kept (%d bytes)",
		total.Reused, total.Asked, total.FileRead, restarts, total.Parts, total.Bytes)
}

// Reuse is keyed by everything an answer depends on, and invalidated by what changes it: after each change below
// the warm answer is a fresh data source's, and kept windows were reused where nothing relevant changed.
func TestReuseKeysAndInvalidation(t *testing.T) {
	g := newGrowingLog(t, 3)
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 5; d++ {
		g.add(day.Add(time.Duration(d)*24*time.Hour), day.Add(time.Duration(d+1)*24*time.Hour), 120, 0.6)
	}
	warm := New(g.settings(), nil)
	defer warm.Dispose()
	from, to := day.Add(48*time.Hour), day.Add(5*24*time.Hour)
	check := func(what, q string, wantReused bool) {
		t.Helper()
		before := sharedOf(t, warm).Stats().Reused
		got := answer(t, warm, q, from, to, false)
		fresh := New(g.settings(), nil)
		defer fresh.Dispose()
		if diff := answerDiff(got, answer(t, fresh, q, from, to, false)); diff != "" {
			t.Fatalf("%s: the warm answer differs from a fresh one: %s", what, diff)
		}
		if reused := sharedOf(t, warm).Stats().Reused > before; reused != wantReused {
			t.Errorf("%s: windows reused %v, want %v", what, reused, wantReused)
		}
	}
	perf := func(threshold, segment string) string {
		return `{"model":"m1","queryType":"performance","reference":{"type":"trailing","windows":1},"window":"1d","decisionThreshold":` +
			threshold + `,"segment":{"column":"region","value":"` + segment + `"}}`
	}
	check("first query", perf("0.3", "EU"), false)
	check("the same query", perf("0.3", "EU"), true)
	check("another decision threshold", perf("0.7", "EU"), false)
	check("another segment", perf("0.7", "NA"), false)
	g.add(day.Add(50*time.Hour), day.Add(51*time.Hour), 3, 1) // late rows into a settled window of day 2
	check("late rows into a settled window", perf("0.7", "NA"), true)
	g.labelLate()
	check("late labels", perf("0.7", "NA"), true)
	drift := `{"model":"","queryType":"drift","metric":"psi","reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"},"window":"12h"}`
	check("drift", drift, false)
	check("drift again", drift, true)
	g.add(day.Add(2*time.Hour), day.Add(3*time.Hour), 5, 0) // late rows into the reference
	// The reference's profile is read again; its new quantiles are new bins, so every window is counted again.
	check("late rows into the reference", drift, false)

	// A settings change gives Grafana a new instance: nothing kept carries over; Dispose drops what was kept.
	cfg := g.settings()
	cfg.MinSamples = 200
	changed := New(cfg, nil)
	defer changed.Dispose()
	if st := sharedOf(t, changed).Stats(); st.Parts != 0 {
		t.Fatalf("a new instance starts with %d kept parts", st.Parts)
	}
	if a, b := answer(t, changed, drift, from, to, false), answer(t, warm, drift, from, to, false); answerDiff(a, b) == "" {
		t.Fatal("minSamples 200 answers as minSamples 20")
	}
	svc, _ := warm.open()
	warm.Dispose()
	if st := svc.Store().(*cache.Shared).Stats(); st.Parts != 0 {
		t.Fatalf("%d parts kept after Dispose", st.Parts)
	}
}

// The provisioned alert rules' queries (provisioning/alerting: a model's feature drift, the fleet diagnosis'
// verdicts, the fleet severity), each evaluated at a time and again a minute later as Grafana's alerting engine
// sends them (FromAlert; the range [t − 4 days, t) ends inside its last daily window; the clock is t), over a log
// that did not change: the second evaluation asks the store for no settled window, and for exactly one window per
// windowed aggregate call — the open one: the drift counts (drift); the drift counts, the quality counts, the score
// histograms and the performance of the windows (diagnosis, and severity, whose performance query makes the
// diagnosis' performance call again, answered by its request's cache: no multiclass model, so the same class
// models). The answers are a fresh data source's.
func TestAlertNextMinuteAsksOnlyTheOpenWindow(t *testing.T) {
	g := newGrowingLog(t, 11)
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 12; d++ { // the default reference: the 7 windows before each
		g.add(day.Add(time.Duration(d)*24*time.Hour), day.Add(time.Duration(d+1)*24*time.Hour), 60, 0.6)
	}
	first := day.Add(11*24*time.Hour + 13*time.Hour)
	var at time.Time // the evaluation time, the clock of both data sources
	clock := func() time.Time { return at }
	warm := NewWithClock(g.settings(), nil, clock)
	defer warm.Dispose()
	for _, rule := range []struct {
		name, query string
		asked       int64
	}{
		{"feature drift", `{"queryType":"drift","model":"m1","features":[],"metric":"wasserstein","window":"1d"}`, 1},
		{"diagnosis", `{"queryType":"diagnosis","diagnosisOutput":"verdicts","model":"","window":"1d","thresholds":{"mode":"static","output":"breach","hysteresis":2}}`, 4},
		{"severity", `{"queryType":"fleetHealth","model":"","window":"1d","fleet":{"output":"alert","hold":2}}`, 4},
	} {
		for minute := 0; minute < 2; minute++ {
			at = first.Add(time.Duration(minute) * time.Minute)
			before := sharedOf(t, warm).Stats()
			got := answer(t, warm, rule.query, at.Add(-4*24*time.Hour), at, true)
			fresh := NewWithClock(g.settings(), nil, clock)
			want := answer(t, fresh, rule.query, at.Add(-4*24*time.Hour), at, true)
			fresh.Dispose()
			if diff := answerDiff(got, want); diff != "" {
				t.Fatalf("%s at %s: the warm answer differs from a fresh one: %s", rule.name, at, diff)
			}
			after := sharedOf(t, warm).Stats()
			asked, settled := after.Asked-before.Asked, after.AskedSettled-before.AskedSettled
			if minute == 1 && (asked != rule.asked || settled != 0) {
				t.Errorf("%s a minute later: %d windows asked (%d settled), want %d open windows and no settled one", rule.name, asked, settled, rule.asked)
			}
		}
	}
}

// The cache file across restarts: a restart on the same settings reads it and reuses its windows; late rows while
// Grafana was down, a settings change, a second data source on the same store, a corrupt or truncated file and a
// directory that cannot be written all give the fresh data source's answer — the last three with a warning in the
// health check, never an error.
func TestReuseFileAcrossRestarts(t *testing.T) {
	flipBit := func(b []byte, at int) []byte {
		out := append([]byte(nil), b...)
		out[at] ^= 1
		return out
	}
	g := newGrowingLog(t, 5)
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 4; d++ {
		g.add(day.Add(time.Duration(d)*24*time.Hour), day.Add(time.Duration(d+1)*24*time.Hour), 120, 0.6)
	}
	from, to := day.Add(24*time.Hour), day.Add(4*24*time.Hour)
	q := `{"model":"","queryType":"drift","metric":"psi","reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"},"window":"12h"}`
	cfg := g.settings()
	cfg.CacheDir, cfg.UID = t.TempDir(), "ds1"
	file := filepath.Join(cfg.CacheDir, "modelmonitor-ds1.cache")
	// run answers q on a new instance of cfg (then disposed: the file is written) and checks it against a fresh
	// data source without a file; it returns the instance's cache stats and health message.
	run := func(what string, cfg settings.Settings) (cache.Stats, string) {
		t.Helper()
		ds := New(cfg, nil)
		defer ds.Dispose()
		fresh := New(g.settings(), nil)
		defer fresh.Dispose()
		if diff := answerDiff(answer(t, ds, q, from, to, false), answer(t, fresh, q, from, to, false)); diff != "" {
			t.Fatalf("%s: the answer differs from a fresh one: %s", what, diff)
		}
		health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
		if err != nil || health.Status != backend.HealthStatusOk {
			t.Fatalf("%s: health %v %v", what, health, err)
		}
		return sharedOf(t, ds).Stats(), health.Message
	}
	if st, _ := run("first start", cfg); st.FileRead != 0 || st.Reused != 0 {
		t.Fatalf("first start: %+v", st)
	}
	st, _ := run("restart", cfg)
	if st.FileRead == 0 || st.Asked != 0 {
		t.Fatalf("restart: %d parts read from the file, %d windows asked (want all reused)", st.FileRead, st.Asked)
	}
	g.add(day.Add(38*time.Hour), day.Add(39*time.Hour), 4, 0.5) // late rows into a settled window while down
	if st, _ := run("late rows while down", cfg); st.FileRead == 0 || st.Asked == 0 || st.Reused == 0 {
		t.Fatalf("late rows while down: %+v (want the changed window asked, the others reused)", st)
	}
	changed := cfg
	changed.MinSamples = 30
	if st, msg := run("settings changed while down", changed); st.FileRead != 0 || st.Reused != 0 || st.Warning != "" || strings.Contains(msg, "Window cache") {
		t.Fatalf("settings changed while down: %+v %q (want the file ignored, silently)", st, msg)
	}
	if st, _ := run("the settings back", cfg); st.FileRead != 0 {
		t.Fatalf("the file written under the changed settings was read under the old ones: %+v", st)
	}
	second := cfg
	second.UID = "ds2" // a second data source on the same store and directory: a file of its own
	if st, _ := run("a second data source", second); st.FileRead != 0 {
		t.Fatalf("a second data source read the first one's file: %+v", st)
	}
	if st, _ := run("the first data source again", cfg); st.FileRead == 0 {
		t.Fatalf("the second data source replaced the first one's file: %+v", st)
	}

	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, damage := range []struct {
		what string
		data []byte
	}{
		{"truncated file", raw[:len(raw)*2/3]},
		{"one bit flipped", flipBit(raw, len(raw)/2)},
		{"not a cache file", []byte("\x00\x01garbage")},
	} {
		if string(damage.data) == string(raw) {
			t.Fatalf("%s: the damage changed nothing", damage.what)
		}
		if err := os.WriteFile(file, damage.data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, msg := run(damage.what, cfg)
		if st.FileRead != 0 || !strings.Contains(msg, "Window cache: the cache file was ignored") {
			t.Fatalf("%s: %d parts read, health %q", damage.what, st.FileRead, msg)
		}
		if after, _ := os.ReadFile(file); string(after) == string(damage.data) {
			t.Fatalf("%s: the damaged file was not replaced", damage.what)
		}
	}

	// A directory that cannot be created, and a file that cannot be written (a directory stands in its place).
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.CacheDir = filepath.Join(notDir, "cache")
	if st, msg := run("cache directory under a file", bad); !strings.Contains(msg, "Window cache: memory only") || st.Parts == 0 {
		t.Fatalf("cache directory under a file: %+v, health %q", st, msg)
	}
	blocked := cfg
	blocked.CacheDir, blocked.UID = t.TempDir(), "blocked"
	if err := os.MkdirAll(filepath.Join(blocked.CacheDir, "modelmonitor-blocked.cache", "x"), 0o750); err != nil {
		t.Fatal(err)
	}
	ds := New(blocked, nil)
	answer(t, ds, q, from, to, false)
	svc, _ := ds.open()
	ds.Dispose()
	if st := svc.Store().(*cache.Shared).Stats(); !strings.Contains(st.Warning, "could not be written") {
		t.Fatalf("a file that cannot be written: %+v", st)
	}
}
