package spark_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/spark"
	"github.com/aiops/modelmonitor/pkg/store/spark/sparktest"
	"github.com/aiops/modelmonitor/pkg/store/storetest"
)

// heavyQuery keeps both executor threads of the local[2] server busy for far longer than any test waits.
const heavyQuery = "SELECT sum(id % 7) FROM range(0, 1000000000000, 1, 2)"

// faultFixture loads the Wide fixture plus a registry whose importance is text ("high") and one without its
// feature columns, and returns settings for its schema.
func faultFixture(t *testing.T) settings.Settings {
	t.Helper()
	f := storetest.Wide()
	text := func(names ...string) []storetest.Column {
		cols := make([]storetest.Column, len(names))
		for i, n := range names {
			cols[i] = storetest.Column{Name: n, Type: storetest.Text}
		}
		return cols
	}
	return loadFixture(t, storetest.Fixture{Tables: append(f.Tables,
		storetest.Table{Name: "text_registry", Columns: text("model_id", "feature", "feature_type", "importance", "task", "tier", "owner"),
			Rows: [][]any{{"a", "x", "numeric", "high", "binary", "1", "team-a"}}},
		storetest.Table{Name: "thin_registry", Columns: text("model_id", "task"), Rows: [][]any{{"a", "binary"}}},
	), Settings: f.Settings})
}

var (
	jan1   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	daily  = store.Windowing{Origin: jan1, Width: 24 * time.Hour}
	twoDay = store.Scope{From: jan1, To: jan1.Add(48 * time.Hour), Model: "a"}
)

// CheckHealth and the queries name what is wrong: no server, a missing table, mapped columns missing, a column
// of the wrong type, a schema that does not exist, an analysis error of Spark's.
func TestHealthAndQueriesNameTheFault(t *testing.T) {
	base := faultFixture(t)
	cases := []struct {
		name   string
		change func(*settings.Settings)
		check  func(store.Store) error
		want   string
	}{
		{"ok", func(*settings.Settings) {}, health, ""},
		{"server not reachable", func(c *settings.Settings) { c.Spark.URL = "sc://" + closedAddress(t) },
			health, `Spark is not reachable: cannot connect to Spark Connect at 127.0.0.1:`},
		{"table missing", func(c *settings.Settings) { c.Table = "nosuch_log" }, health, `table "nosuch_log" not found in Spark`},
		{"columns missing", func(c *settings.Settings) { c.Table = "thin_registry" }, health,
			`table "thin_registry" is missing mapped columns: column "region", prediction column "prediction", prediction id column "prediction_id", score column "score", time column "ts", version column "model_version"`},
		{"schema missing", func(c *settings.Settings) { c.Database = "nosuch_schema" }, health,
			`Spark database "nosuch_schema": Spark database (schema) missing: [SCHEMA_NOT_FOUND]`},
		{"text where a number is expected", func(c *settings.Settings) { c.RegistryTable = "text_registry" },
			func(st store.Store) error {
				_, err := st.Features(ctx, "a")
				return err
			}, "Spark query failed: a column holds values of the wrong type (text where a number is expected?): [CAST_INVALID_INPUT] The value 'high' of the type \"STRING\" cannot be cast to \"DOUBLE\""},
		{"registry without its columns", func(c *settings.Settings) { c.Table, c.RegistryTable = "inference_log", "thin_registry" },
			func(st store.Store) error {
				_, err := st.Models(ctx)
				return err
			}, `model registry "thin_registry" has no column "feature"`},
		{"reference table missing", func(*settings.Settings) {},
			func(st store.Store) error {
				return st.ValidateTable(ctx, "nosuch_reference", []store.Feature{{Model: "a", Name: "x", Type: store.Numeric}})
			}, `reference table "nosuch_reference" not found`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.change(&cfg)
			st, err := spark.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			began := time.Now()
			err = c.check(st)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant %q", err, c.want)
			}
			if took := time.Since(began); c.name == "server not reachable" && took > 5*time.Second {
				t.Errorf("an unreachable server took %v to report", took)
			}
		})
	}
}

func health(st store.Store) error { return st.Health(ctx) }

// An analysis error of Spark's carries its error class and SQLSTATE, and says what is wrong.
func TestAnalysisError(t *testing.T) {
	r := testRunner(t, "")
	_, err := r.Query(ctx, "SELECT nosuch FROM range(1)")
	var se *spark.Error
	if !errors.As(err, &se) || se.Class != "UNRESOLVED_COLUMN.WITH_SUGGESTION" || se.SQLState != "42703" || se.Unreachable || se.Generated() ||
		!strings.HasPrefix(err.Error(), "column missing: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `nosuch` cannot be resolved. Did you mean one of the following? [`id`].") {
		t.Fatalf("%#v", err)
	}
	_, err = r.Query(ctx, "SELECT (1")
	if !errors.As(err, &se) || se.Class != "PARSE_SYNTAX_ERROR" || !se.Generated() {
		t.Fatalf("%#v", err)
	}
}

// A statement past the query time-out, or whose context is cancelled, returns at once with an error saying so,
// and its operation is interrupted on the server (the server confirms): the next statement runs.
func TestTimeoutAndCancelInterruptTheOperation(t *testing.T) {
	cfg := sparktest.Settings(sparktest.Need(t), "")
	cfg.QueryTimeoutSecs = 3
	r, err := spark.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Ping(ctx); err != nil { // the session is set up before the clock starts
		t.Fatal(err)
	}
	began := time.Now()
	_, err = r.Query(ctx, heavyQuery)
	took := time.Since(began)
	if err == nil || !strings.Contains(err.Error(), "query cancelled or timed out (queryTimeoutSeconds 3 s; the Spark operation was interrupted)") ||
		!errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("time-out: %v", err)
	}
	if took > 3*time.Second+10*time.Second {
		t.Errorf("a 3 s time-out returned after %v", took)
	}

	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(time.Second, cancel)
	_, err = r.Query(cctx, heavyQuery)
	if err == nil || !strings.Contains(err.Error(), "query cancelled or timed out (the Spark operation was interrupted)") || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}

	rows, err := r.Query(ctx, "SELECT 41 + 1")
	if err != nil {
		t.Fatalf("after the interrupts: %v", err)
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n != 42 {
		t.Fatalf("after the interrupts: %d", n)
	}
}

// The connection cut while a statement runs (what the plugin sees when the server stops mid-query: a proxy
// between the runner and the real server closes both sides) is an error naming the lost connection, returned
// at once rather than after the time-out; the next statement connects again.
func TestConnectionLostMidQuery(t *testing.T) {
	url := sparktest.Need(t)
	target := strings.TrimPrefix(url, "sc://")
	p := startProxy(t, target)
	cfg := sparktest.Settings("sc://"+p.addr, "")
	cfg.QueryTimeoutSecs = 60
	r, err := spark.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(2*time.Second, p.cut)
	began := time.Now()
	_, err = r.Query(ctx, heavyQuery)
	if err == nil || !strings.Contains(err.Error(), "the connection to Spark Connect at "+p.addr+" was lost (server down or restarted?)") {
		t.Fatalf("lost connection: %v", err)
	}
	var se *spark.Error
	if !errors.As(err, &se) || !se.Unreachable {
		t.Fatalf("lost connection is not marked unreachable: %#v", err)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("the lost connection was reported after %v", took)
	}
	// The runner interrupted the operation the cut left running (through a new connection), so the next
	// statement gets the executors at once.
	began = time.Now()
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("after the cut: %v", err)
	}
	if took := time.Since(began); took > 30*time.Second {
		t.Errorf("the next statement took %v: was the cut operation left running?", took)
	}
}

// closedAddress is a loopback address nothing listens on.
func closedAddress(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// proxy forwards TCP connections to a target until cut closes every open one (new ones are still accepted).
type proxy struct {
	addr  string
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	p := &proxy{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
			go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
		}
	}()
	return p
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
