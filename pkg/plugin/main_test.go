package plugin

import (
	"os"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// TestMain keeps the SDK's per-query debug log lines out of test output.
func TestMain(m *testing.M) {
	log.DefaultLogger = log.NewWithLevel(log.Warn)
	os.Exit(m.Run())
}
