package plugin

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Errors are classified by whose problem they are: real DuckDB errors of each kind, and the plugin's own.
func TestErrorsAreClassified(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	engineErr := func(stmt string) error {
		_, err := db.Exec(stmt)
		if err == nil {
			t.Fatalf("%s did not fail", stmt)
		}
		return fmt.Errorf("DuckDB query failed: %w", err)
	}
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	cases := []struct {
		name   string
		ctx    context.Context
		err    error
		status backend.Status
		source backend.ErrorSource
	}{
		{"bad query", context.Background(), errors.New(`unknown model "nope"`), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"generated SQL does not bind", context.Background(), engineErr("SELECT no_such_column FROM range(3)"), backend.StatusInternal, backend.ErrorSourcePlugin},
		{"generated SQL does not parse", context.Background(), engineErr("SELEC 1"), backend.StatusInternal, backend.ErrorSourcePlugin},
		{"a value the store holds cannot convert", context.Background(), engineErr("SELECT CAST('x' AS INTEGER)"), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"store file unreadable", context.Background(), engineErr("SELECT * FROM read_parquet('/nonexistent/x.parquet')"), backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"store cannot be opened", context.Background(), errStoreUnavailable{errors.New("Conflicting lock")}, backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"time-out", expired, errors.New("query cancelled or timed out: context deadline exceeded"), backend.StatusTimeout, backend.ErrorSourceDownstream},
		{"busy", context.Background(), errBusy{running: 3, waiting: 7, waited: time.Second}, backend.StatusTooManyRequests, backend.ErrorSourceDownstream},
		{"recovered panic", context.Background(), errPanic{"nil map"}, backend.StatusInternal, backend.ErrorSourcePlugin},
		{"marked as the plugin's", context.Background(), backend.PluginError(errors.New("frame shape")), backend.StatusInternal, backend.ErrorSourcePlugin},
	}
	for _, c := range cases {
		r := errorResponse(c.ctx, c.err, 4096)
		if r.Status != c.status || r.ErrorSource != c.source || r.Error == nil {
			t.Errorf("%s (%v): status %v source %q, want %v %q", c.name, c.err, r.Status, r.ErrorSource, c.status, c.source)
		}
	}
}

// A store whose first open fails (a writer holds DuckDB's file lock) is opened again on the next request once the
// writer has gone: no remembered "Conflicting lock". The writer is a real second process.
func TestStoreOpenIsRetried(t *testing.T) {
	cfg := fixtureStore(t)
	writer := exec.Command(os.Args[0])
	writer.Env = append(os.Environ(), "MODELMON_HOLD_LOCK="+cfg.Path)
	stdin, _ := writer.StdinPipe()
	stdout, _ := writer.StdoutPipe()
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("writer: %q", line)
	}
	ds := New(cfg, nil)
	defer ds.Dispose()
	res, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "lock") {
		t.Fatalf("health while a writer holds the lock: %v %q", res.Status, res.Message)
	}
	r := run(t, ds, `{"queryType":"drift","model":"m1"}`, day1, day4)
	if r.Status != backend.StatusBadGateway || r.ErrorSource != backend.ErrorSourceDownstream {
		t.Fatalf("query while locked: %v %v %v", r.Status, r.ErrorSource, r.Error)
	}
	_ = stdin.Close()
	if err := writer.Wait(); err != nil {
		t.Fatal(err)
	}
	res, _ = ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusOk {
		t.Fatalf("health after the writer exited: %v %q", res.Status, res.Message)
	}
	mustOK(t, run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"window":"1d",`+refDay1+`}`, day1, day4))
}

// A range beyond 100 years (Grafana accepts now-300y) is clamped with a notice; an overflowing window is capped
// with a notice; neither panics nor returns a wrong window count.
func TestExtremeRangesAndWindows(t *testing.T) {
	cfg, _ := performanceFixtureStore(t) // fixtureStore with labels, for the label-based query types
	ds := New(cfg, nil)
	defer ds.Dispose()
	from := day4.AddDate(-300, 0, 0)
	for _, qt := range []string{"drift", "diagnosis", "dataQuality", "performance", "estimatedPerformance", "distribution", "driftHeatmap"} {
		r := run(t, ds, `{"queryType":"`+qt+`","model":"m1",`+refDay1+`}`, from, day4)
		if r.Error != nil {
			t.Fatalf("%s over 300 years: %v", qt, r.Error)
		}
		want := "time range starts 1726-01-04T00:00:00Z, more than 36525 days before its end: clamped to start 1926-01-04T00:00:00Z"
		if n := r.Frames[0].Meta.Notices; len(n) == 0 || n[0].Text != want {
			t.Fatalf("%s: notices %v, want first %q", qt, n, want)
		}
	}
	for _, w := range []string{"110000d", "106752d", "2562047h", "275189593262967d", "15250w"} {
		r := run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"window":"`+w+`",`+refDay1+`}`, day1, day4)
		if r.Error != nil {
			t.Fatalf("%s: %v", w, r.Error)
		}
		found := false
		for _, n := range r.Frames[0].Meta.Notices {
			found = found || n.Text == "window "+w+" capped to the longest window, 3660d"
		}
		if !found {
			t.Fatalf("%s: notices %v", w, r.Frames[0].Meta.Notices)
		}
	}
}

// A segment value with no rows is no data: every query type answers with a notice, never an error.
func TestSegmentValueWithoutRowsIsANotice(t *testing.T) {
	cfg, _ := performanceFixtureStore(t)
	ds := New(cfg, nil)
	defer ds.Dispose()
	for _, qt := range []string{"drift", "driftHeatmap", "distribution", "dataQuality", "performance", "estimatedPerformance", "diagnosis"} {
		r := run(t, ds, `{"queryType":"`+qt+`","model":"m1","segment":{"column":"region","value":"Atlantis"},`+refDay1+`}`, day1, day4)
		if r.Error != nil {
			t.Errorf("%s: %v (status %v)", qt, r.Error, r.Status)
			continue
		}
		var notices []string
		for _, f := range r.Frames {
			if f.Meta != nil {
				for _, n := range f.Meta.Notices {
					notices = append(notices, n.Text)
				}
			}
		}
		if len(notices) == 0 {
			t.Errorf("%s: no notice", qt)
		}
		switch qt {
		case "drift", "driftHeatmap", "distribution", "diagnosis":
			if want := `segment region = "Atlantis" has no rows in the reference: nothing to compare`; notices[0] != want {
				t.Errorf("%s: notices %q, want first %q", qt, notices, want)
			}
		}
	}
}
