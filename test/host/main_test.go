package host_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/test/host"
)

// distEnv names the built plugin's dist/ directory. The tests that run the plugin executable skip without it:
// scripts/test.sh sets it after build_plugin, so they never run against a stale build.
const distEnv = "MODELMON_DIST"

// storeEnv may name a demo store generated with the fixed demo dates (gendemo without --end), which scripts/test.sh
// shares with the browser stage; without it the tests generate one.
const storeEnv = "MODELMON_FIXED_DEMO_STORE"

var (
	dist      string // the built dist/ directory
	demoStore string // the demo store with the fixed dates (only when dist is set)
)

func TestMain(m *testing.M) {
	dist = os.Getenv(distEnv)
	if dist == "" {
		os.Exit(m.Run())
	}
	if demoStore = os.Getenv(storeEnv); demoStore != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "modelmon-host-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		demoStore = filepath.Join(dir, "demo.duckdb")
		if _, err := demo.Generate(context.Background(), demoStore, demo.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, "generate demo store:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// pluginDir is the nested data source's directory in dist/, as Grafana loads it.
func pluginDir(t *testing.T) string {
	t.Helper()
	if dist == "" {
		t.Skipf("%s is not set: these tests run the built plugin (npm run build && mage -v build:linux, then %s=$PWD/dist)", distEnv, distEnv)
	}
	return filepath.Join(dist, "datasource")
}

// startPlugin starts the built plugin for one test; its log lines go to the test log.
func startPlugin(t *testing.T) *host.Plugin {
	t.Helper()
	p, err := host.Start(host.Options{Dir: pluginDir(t), Logs: testLog{t}, StartTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// demoDataSource is the provisioned demo data source (provisioning/datasources/modelmonitor.yaml) over the
// generated store: its jsonData read from the file, the environment variables expanded as Grafana expands them in
// provisioning files — the store's path, and the validation week of the fixed demo dates as the default reference —
// with the plugin's own query time-out raised from 60 s to 10 min: on a loaded machine the states are still
// checked, and the alert tests check the time of every evaluation against Grafana's 30 s evaluation timeout
// themselves.
func demoDataSource() host.DataSource {
	ds, err := host.ProvisionedDataSource("../../provisioning/datasources/modelmonitor.yaml", map[string]string{
		"MODELMON_DEMO_STORE":     demoStore,
		"MODELMON_REFERENCE_FROM": demo.DefaultStart.Format(time.RFC3339),
		"MODELMON_REFERENCE_TO":   demo.DefaultStart.AddDate(0, 0, 7).Format(time.RFC3339),
	}, time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
	if err == nil {
		ds, err = ds.WithJSONData("queryTimeoutSeconds", 600)
	}
	if err != nil {
		panic(err)
	}
	return ds
}
