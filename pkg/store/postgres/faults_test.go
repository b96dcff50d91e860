package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// faultDB creates a database holding the statements' tables and returns settings for it as the superuser.
func faultDB(t *testing.T, srv *pgtest.Server, name string, stmts ...string) settings.Settings {
	t.Helper()
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(ctx, name, stmts...); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Settings(name)
	cfg.SegmentColumns = []string{"region"}
	return cfg
}

func openStore(t *testing.T, cfg settings.Settings) store.Store {
	t.Helper()
	st, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

const faultLog = `CREATE TABLE inference_log (ts timestamp, model_id text, model_version text, prediction_id text, region text,
	x double precision, c text, prediction double precision, score double precision)`

var (
	ctx    = context.Background()
	jan1   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	daily  = store.Windowing{Origin: jan1, Width: 24 * time.Hour}
	twoDay = store.Scope{From: jan1, To: jan1.Add(48 * time.Hour)}
)

// CheckHealth names what is wrong: authentication, a missing table, missing columns, a role without SELECT, a
// feature map column of a type that is not PostgreSQL's JSON.
func TestHealthNamesTheFault(t *testing.T) {
	srv := pgtest.Need(t)
	base := faultDB(t, srv, "health", faultLog, `CREATE TABLE other (ts timestamp, model_id text)`,
		`DO $$ BEGIN CREATE ROLE nosel LOGIN PASSWORD 'nosel'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
	cases := []struct {
		name   string
		change func(*settings.Settings)
		want   string
	}{
		{"ok", func(*settings.Settings) {}, ""},
		{"wrong password", func(c *settings.Settings) { c.Password = "nope" },
			`PostgreSQL is not reachable: PostgreSQL authentication failed for user "postgres" (check user and password)`},
		{"table missing", func(c *settings.Settings) { c.Table = "nosuch_log" }, `table "nosuch_log" not found in PostgreSQL`},
		{"columns missing", func(c *settings.Settings) { c.Table = "other" },
			`table "other" is missing mapped columns: column "region", prediction column "prediction", prediction id column "prediction_id", score column "score", version column "model_version"`},
		{"no SELECT permission", func(c *settings.Settings) { c.User, c.Password = "nosel", "nosel" },
			`no SELECT permission for user "nosel" on table "inference_log"`},
		{"server down", func(c *settings.Settings) { c.Port = pgtest.ClosedPort(t) }, "cannot connect to PostgreSQL at 127.0.0.1:"},
		{"feature map column not JSON", func(c *settings.Settings) { c.FeatureMapColumn = "c" },
			`feature map column "c" has type TEXT, expected JSONB or JSON (one object per row, a key per feature)`},
	}
	for _, c := range cases {
		cfg := base
		c.change(&cfg)
		err := openStore(t, cfg).Health(ctx)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %q", c.name, err, c.want)
		}
	}
}

// Odd data reads without an error: an empty log, NULL timestamps (outside every window), a 63-byte column name;
// a JSONB feature whose value is not a number is a type error, not a value.
func TestOddData(t *testing.T) {
	srv := pgtest.Need(t)
	long := strings.Repeat("f", 63)
	cfg := faultDB(t, srv, "odd", faultLog,
		`CREATE TABLE empty_log (LIKE inference_log)`,
		`ALTER TABLE inference_log ADD COLUMN `+long+` double precision`,
		`INSERT INTO inference_log VALUES
			('2026-01-01 01:00', 'a', 'v1', 'p1', 'EU', 1, 'u', 1, 0.9, 10),
			('2026-01-01 02:00', 'a', 'v1', 'p2', 'EU', 2, 'v', 0, 0.2, 20),
			(NULL, 'a', 'v1', 'p3', 'EU', 3, 'u', 1, 0.8, 30),
			('2026-01-02 01:00', 'a', 'v1', 'p4', 'US', NULL, 'u', 1, 0.7, NULL)`,
		`CREATE TABLE json_log (ts timestamp, model_id text, model_version text, prediction_id text, region text,
			features jsonb, prediction double precision, score double precision)`,
		`INSERT INTO json_log VALUES
			('2026-01-01 01:00', 'a', 'v1', 'p1', 'EU', '{"x": 1.5, "c": "u"}', 1, 0.9),
			('2026-01-01 02:00', 'a', 'v1', 'p2', 'EU', '{"x": "abc", "c": "v"}', 0, 0.2),
			('2026-01-01 03:00', 'a', 'v1', 'p3', 'EU', '{"x": true, "c": 7}', 0, 0.2),
			('2026-01-01 04:00', 'a', 'v1', 'p4', 'EU', '{"x": {"deep": 1}}', 0, 0.2),
			('2026-01-01 05:00', 'a', 'v1', 'p5', 'EU', '"not an object"', 0, 0.2),
			('2026-01-01 06:00', 'a', 'v1', 'p6', 'EU', '{"x": null, "c": null}', 0, 0.2)`,
		`CREATE TABLE model_registry (model_id text, feature text, feature_type text, importance double precision)`,
		`INSERT INTO model_registry VALUES ('a', 'x', 'numeric', 1)`)

	st := openStore(t, cfg)
	if err := st.Health(ctx); err != nil {
		t.Fatal(err)
	}
	feats, err := st.Features(ctx, "a")
	if err != nil || len(feats) != 1 || feats[0].Name != "x" {
		t.Fatalf("features %+v, %v", feats, err)
	}
	// The long column, unmapped by the registry for a, is a feature of its own name through featureColumns.
	wide := cfg
	wide.RegistryTable, wide.FeatureColumns = "", []string{"x", long}
	wst := openStore(t, wide)
	counts, err := wst.Counts(ctx, twoDay, daily, []store.NumericBins{{Model: "a", Feature: long, Edges: []float64{15}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Window 0: 10 (bin 0), 20 (bin 1); the NULL-timestamp row (30) is in no window; window 1: NULL. Window 0 is a
	// small sample, so its distinct values are listed too (BinValue rows, keyed here by their value).
	got, values := map[[3]int64]int64{}, map[[3]int64]int64{}
	for _, c := range counts.Numeric {
		if c.Bin == store.BinValue {
			values[[3]int64{c.Window, int64(c.Value), 0}] = c.Count
			continue
		}
		got[[3]int64{c.Window, int64(c.Bin), 0}] = c.Count
	}
	if want := map[[3]int64]int64{{0, 0, 0}: 1, {0, 1, 0}: 1, {1, store.BinNull, 0}: 1}; !equalCounts(got, want) {
		t.Errorf("counts of the 63-byte column: %v, want %v", got, want)
	}
	if want := map[[3]int64]int64{{0, 10, 0}: 1, {0, 20, 0}: 1}; !equalCounts(values, want) {
		t.Errorf("values of the 63-byte column: %v, want %v", values, want)
	}
	q, err := wst.Quality(ctx, twoDay, daily, []store.QualityFeature{{Model: "a", Feature: "x", Type: store.Numeric}})
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, w := range q.Windows {
		rows += w.Rows
	}
	if rows != 3 {
		t.Errorf("rows in windows %d, want 3 (the NULL timestamp in none)", rows)
	}

	empty := cfg
	empty.Table = "empty_log"
	est := openStore(t, empty)
	if err := est.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if models, err := est.Models(ctx); err != nil || len(models) != 0 {
		t.Errorf("models of an empty log: %v, %v", models, err)
	}
	if c, err := est.Counts(ctx, twoDay, daily, []store.NumericBins{{Model: "a", Feature: "x", Edges: []float64{1}}}, nil); err != nil || len(c.Numeric) != 0 {
		t.Errorf("counts of an empty log: %+v, %v", c.Numeric, err)
	}

	js := cfg
	js.Table, js.FeatureMapColumn = "json_log", "features"
	jst := openStore(t, js)
	jq, err := jst.Quality(ctx, twoDay, daily, []store.QualityFeature{{Model: "a", Feature: "x", Type: store.Numeric}})
	if err != nil {
		t.Fatal(err)
	}
	// x: 1.5 is a number; "abc", true and {"deep": 1} are values that are not numbers (type errors); the row
	// whose features are not an object, and the JSON null, have no x (nulls).
	if len(jq.Features) != 1 || jq.Features[0].TypeErrors != 3 || jq.Features[0].Nulls != 2 || !jq.TypeChecked {
		t.Errorf("quality of a JSONB x: %+v (type checked %v), want 3 type errors and 2 nulls", jq.Features, jq.TypeChecked)
	}
}

func equalCounts(a, b map[[3]int64]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A server that goes down mid-query fails that query with a clear error; the store recovers when it is back.
func TestServerDownMidQuery(t *testing.T) {
	pgtest.Need(t)
	srv := pgtest.StartFor(t)
	if err := srv.CreateDatabase(ctx, "down"); err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(srv.Settings("down"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	errc := make(chan error, 1)
	go func() {
		rows, err := r.Query(ctx, "SELECT pg_sleep(30)")
		if err == nil {
			for rows.Next() {
			}
			err = rows.Close()
		}
		errc <- err
	}()
	time.Sleep(500 * time.Millisecond)
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err == nil || !(strings.Contains(err.Error(), "is shutting down or starting") || strings.Contains(err.Error(), "was lost (server down or restarted?)")) {
			t.Fatalf("query during the crash: %v", err)
		}
		t.Logf("query during the crash: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the query did not return after the server went down")
	}
	if err := r.Ping(ctx); err == nil || !strings.Contains(err.Error(), "cannot connect to PostgreSQL") || !errors.Is(err, ErrUnreachable) {
		t.Fatalf("ping while down: %v", err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("ping after the restart: %v", err)
	}
}
