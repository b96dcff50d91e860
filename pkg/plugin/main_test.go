package plugin

import (
	"database/sql"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// TestMain keeps the SDK's per-query debug log lines out of test output. Started with MODELMON_HOLD_LOCK=<path>,
// the test binary is instead a writer process that holds the DuckDB file's lock until its stdin closes (see
// TestStoreOpenIsRetried).
func TestMain(m *testing.M) {
	if path := os.Getenv("MODELMON_HOLD_LOCK"); path != "" {
		holdLock(path)
		return
	}
	log.DefaultLogger = log.NewWithLevel(log.Warn)
	os.Exit(m.Run())
}

func holdLock(path string) {
	db, err := sql.Open("duckdb", path)
	if err == nil {
		_, err = db.Exec("CREATE TABLE IF NOT EXISTS writer_was_here (i INTEGER)")
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = db.Close()
}
