package host_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/test/host"
)

// The executable is started the way Grafana starts it: go-plugin's handshake variables and Grafana's GF_*
// variables are in its environment (read back from /proc), and plugin settings arrive as GF_PLUGIN_<KEY>.
func TestPluginStartsWithGrafanasHandshakeAndEnvironment(t *testing.T) {
	p, err := host.Start(host.Options{Dir: pluginDir(t), Logs: testLog{t}, PluginSettings: map[string]string{"tracing": "false", "path": "/ignored"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.Pid()), "environ"))
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(string(raw), "\x00")
	for _, want := range []string{"grafana_plugin_type=datasource", "PLUGIN_PROTOCOL_VERSIONS=2",
		"GF_VERSION=" + host.GrafanaVersion, "GF_EDITION=oss", "GF_PLUGIN_TRACING=false"} {
		if !slices.Contains(env, want) {
			t.Errorf("plugin environment lacks %s", want)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "GF_PLUGIN_PATH=") {
			t.Errorf("Grafana does not pass the path setting, got %s", kv)
		}
	}
	if cpu, err := p.CPUTime(); err != nil || cpu < 0 {
		t.Errorf("CPU time of the plugin: %s, %v", cpu, err)
	}
	if p.Manifest.ID != "aiops-modelmonitor-datasource" || !p.Manifest.Alerting {
		t.Errorf("manifest %+v: want the alerting data source aiops-modelmonitor-datasource", p.Manifest)
	}
}

// Save & test on the demo data source reports every model of the generated fleet.
func TestHealthThroughTheHost(t *testing.T) {
	p := startPlugin(t)
	res, err := p.CheckHealth(context.Background(), demoDataSource())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.HealthStatusOk {
		t.Fatalf("health %v: %s", res.Status, res.Message)
	}
	var details struct {
		Models int    `json:"models"`
		Engine string `json:"engine"`
	}
	if err := json.Unmarshal(res.JSONDetails, &details); err != nil {
		t.Fatalf("health details %s: %v", res.JSONDetails, err)
	}
	if details.Models != len(demo.Models()) || details.Engine != "duckdb" {
		t.Errorf("health details %+v, want %d models on duckdb", details, len(demo.Models()))
	}
}

// The catalogue resources the editors and template variables call answer with the generated fleet: every
// model, churn's features in the generator's spec, the configured segment columns and their values.
func TestResourcesThroughTheHost(t *testing.T) {
	p := startPlugin(t)
	ctx, ds := context.Background(), demoDataSource()
	get := func(path string, q url.Values, v any) {
		t.Helper()
		r, err := p.CallResource(ctx, ds, path, q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != 200 || !strings.HasPrefix(strings.Join(r.Headers["Content-Type"], ""), "application/json") {
			t.Fatalf("%s: status %d, headers %v: %s", path, r.Status, r.Headers, r.Body)
		}
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("%s: %v: %s", path, err, r.Body)
		}
	}
	var models []struct{ ID string }
	get("models", nil, &models)
	var want []string
	var churn demo.ModelSpec
	for _, m := range demo.Models() {
		want = append(want, m.ID)
		if m.ID == "churn" {
			churn = m
		}
	}
	var got []string
	for _, m := range models {
		got = append(got, m.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("models %v, want %v", got, want)
	}
	var features []struct{ Name, Type string }
	get("features", url.Values{"model": {"churn"}}, &features)
	gotF := map[string]string{}
	for _, f := range features {
		gotF[f.Name] = f.Type
	}
	if len(gotF) != len(churn.Features) {
		t.Errorf("churn features %v, want %d", gotF, len(churn.Features))
	}
	for _, f := range churn.Features {
		if gotF[f.Name] != f.Type {
			t.Errorf("churn feature %s: type %q, want %q", f.Name, gotF[f.Name], f.Type)
		}
	}
	var segments, regions []string
	get("segments", nil, &segments)
	if !slices.Equal(segments, []string{"region", "channel"}) {
		t.Errorf("segments %v, want [region channel]", segments)
	}
	get("segments", url.Values{"column": {"region"}, "model": {"churn"}}, &regions)
	if len(regions) == 0 {
		t.Errorf("no region values for churn")
	}
}

// Bad input on the host side: a plugin directory without its executable, with a file that cannot be executed,
// or with an executable that is no plugin: each is a clear error, never a hang.
func TestHostReportsAnExecutableItCannotStart(t *testing.T) {
	manifest, err := os.ReadFile(filepath.Join(pluginDir(t), "plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := host.ReadManifest(pluginDir(t))
	cases := []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"missing", "", 0, "does not exist"},
		{"not executable", "#!/bin/sh\n", 0o644, "not an executable file"},
		{"not a plugin", "#!/bin/sh\necho hello\nexit 3\n", 0o755, "start"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "plugin.json"), manifest, 0o644); err != nil {
				t.Fatal(err)
			}
			if c.mode != 0 {
				if err := os.WriteFile(host.ExecutablePath(dir, m), []byte(c.content), c.mode); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			p, err := host.Start(host.Options{Dir: dir, StartTimeout: 5 * time.Second})
			if err == nil {
				p.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %s to fail", time.Since(start))
			}
		})
	}
}

// A plugin killed in the middle of a query: the call fails at once, naming the exit, as Grafana would see it
// before restarting the plugin; later calls fail the same way instead of hanging.
func TestHostReportsAPluginThatDiesMidRequest(t *testing.T) {
	p := startPlugin(t)
	ds := demoDataSource()
	var wg sync.WaitGroup
	var qerr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The whole fleet's diagnosis: seconds of work, so the kill lands while it runs.
		_, qerr = p.QueryData(context.Background(), ds, nil, host.Query{RefID: "A", From: demo.DefaultStart.AddDate(0, 0, 7),
			To: demo.DefaultStart.AddDate(0, 0, demo.DefaultDays), Model: map[string]any{"queryType": "diagnosis", "model": "", "window": "1d",
				"reference": map[string]any{"type": "range", "from": demo.DefaultStart, "to": demo.DefaultStart.AddDate(0, 0, 7)}}})
	}()
	time.Sleep(300 * time.Millisecond)
	if err := p.Crash(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the query did not return within 10 s of the plugin's death")
	}
	if qerr == nil || !strings.Contains(qerr.Error(), "exited") {
		t.Fatalf("query error %v, want the plugin's exit named", qerr)
	}
	if !p.Exited() {
		t.Error("host does not know the plugin exited")
	}
	if _, err := p.CheckHealth(context.Background(), ds); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("health after the exit: %v, want the exit named", err)
	}
}

// Bad settings on the plugin side: malformed jsonData, an unknown engine, a missing store file, a server engine
// without its connection settings. Health says what is wrong; queries and resources return that error, not a hang.
func TestPluginReportsBadSettings(t *testing.T) {
	p := startPlugin(t)
	// Statuses as docs/contract.md classes them: settings the plugin refuses are a bad request (400); a store that
	// cannot be opened is the store's failure (502, downstream, retried on the next request).
	cases := []struct {
		name     string
		jsonData string
		secure   map[string]string
		want     string
		status   int
	}{
		{"malformed json", `{"engine": "duckdb", "path": `, nil, "not valid JSON", 400},
		{"unknown engine", `{"engine": "oracle"}`, nil, "oracle", 400},
		{"missing file", `{"path": "/nonexistent/store.duckdb"}`, nil, "/nonexistent/store.duckdb", 502},
		{"postgres connection incomplete", `{"engine": "postgres"}`, map[string]string{}, "PostgreSQL connection needs: host, database, user", 400},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := host.DataSource{ID: int64(100 + i), UID: "bad-" + c.name, Name: c.name, JSONData: []byte(c.jsonData),
				SecureJSONData: c.secure, Updated: time.Now()}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			h, err := p.CheckHealth(ctx, ds)
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != backend.HealthStatusError || !strings.Contains(h.Message, c.want) {
				t.Errorf("health %v %q, want an error saying %q", h.Status, h.Message, c.want)
			}
			res, err := p.QueryData(ctx, ds, nil, host.Query{RefID: "A", Model: map[string]any{"queryType": "drift", "model": "churn"},
				From: demo.DefaultStart, To: demo.DefaultStart.AddDate(0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			if r := res["A"]; r.Error == nil || !strings.Contains(r.Error.Error(), c.want) || int(r.Status) != c.status {
				t.Errorf("query: status %d error %v, want %d saying %q", r.Status, r.Error, c.status, c.want)
			}
			r, err := p.CallResource(ctx, ds, "models", nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
				t.Errorf("resource: %d %s, want %d saying %q", r.Status, r.Body, c.status, c.want)
			}
		})
	}
}
