// Package sparktest connects tests to the local Spark Connect server scripts/spark.sh starts (pyspark[connect]'s
// start-connect-server.sh, local[2], 127.0.0.1), whose address it exports as MODELMON_SPARK_URL. Without that
// variable the tests that need Spark skip with the reason — or fail when MODELMON_REQUIRE_SPARK=1, as npm test
// sets it, so that a server that did not start cannot pass for a green run.
package sparktest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/spark"
)

// URL returns the test server's address, or "" with the reason it has none.
func URL() (string, string) {
	if u := os.Getenv("MODELMON_SPARK_URL"); u != "" {
		return u, ""
	}
	return "", "no Spark Connect server: MODELMON_SPARK_URL is not set (run the tests through scripts/test.sh, or source scripts/lib.sh and scripts/spark.sh and call start_spark_connect)"
}

// Required reports whether a missing server fails the tests (MODELMON_REQUIRE_SPARK=1).
func Required() bool { return os.Getenv("MODELMON_REQUIRE_SPARK") == "1" }

// Need returns the test server's address; without one the test is skipped, or fails when Required.
func Need(t testing.TB) string {
	t.Helper()
	u, why := URL()
	if u == "" {
		if Required() {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return u
}

// Settings are the settings of a Spark data source on the test server, reading the tables of schema db.
func Settings(url, db string) settings.Settings {
	cfg := settings.Defaults()
	cfg.Engine, cfg.Path = settings.EngineSpark, ""
	cfg.Spark.URL, cfg.Spark.MaxConcurrentQueries = url, 2
	cfg.Database = db
	cfg.QueryTimeoutSecs = 120
	return cfg
}

// Exec runs statements (DDL, INSERT) on the test server in a session of its own, failing on the first error.
func Exec(ctx context.Context, url string, stmts ...string) error {
	r, err := spark.NewRunner(Settings(url, ""))
	if err != nil {
		return err
	}
	defer r.Close()
	for _, q := range stmts {
		rows, err := r.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
		_ = rows.Close()
	}
	return nil
}

// ExecArgs runs one statement with bound arguments (markers :p1, :p2, …).
func ExecArgs(ctx context.Context, url, q string, args ...any) error {
	r, err := spark.NewRunner(Settings(url, ""))
	if err != nil {
		return err
	}
	defer r.Close()
	rows, err := r.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, q)
	}
	return rows.Close()
}

// Schema returns a fresh schema name for a test (letters, digits and _), unique per process and call.
func Schema(prefix string) string {
	return strings.ToLower(fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9))
}
