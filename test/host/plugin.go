// Package host runs the built data source executable the way Grafana runs a backend plugin, without Grafana: it
// finds the executable from the plugin's plugin.json, starts it with hashicorp/go-plugin using Grafana's
// handshake and environment, and talks to it over the SDK's pluginv2 gRPC services (Data, Diagnostics,
// Resource) with requests shaped as Grafana shapes them. Frames come back Arrow-encoded and are decoded with the
// SDK. The sub-package alerting applies Grafana's alert-evaluation semantics to what this host returns.
//
// Sources (read for this package; behaviour, not code, is taken from them):
//   - grafana-plugin-sdk-go v0.298.0 backend/grpcplugin (handshake.go: protocol version 2, magic cookie
//     grafana_plugin_type=datasource; serve.go: the plugin set names "diagnostics", "resource", "data").
//   - Grafana 12 pkg/plugins/backendplugin/grpcplugin (client.go: go-plugin client, gRPC only, the SDK's plugin
//     set under protocol version 2) and pkg/plugins/envvars/envvars.go (GF_VERSION, GF_EDITION, the
//     [plugin.<id>] ini section as GF_PLUGIN_<KEY>, and the same values in PluginContext.GrafanaConfig).
//   - Grafana 12 pkg/plugins/plugins.go ExecutablePath: <dir>/<executable>_<os>_<arch>[.exe].
package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// GrafanaVersion is the Grafana version the host presents itself as (GF_VERSION, the user agent): the lowest
// version the plugin's grafanaDependency (">=12.0.0") admits.
const GrafanaVersion = "12.0.0"

// Options configure how the host starts a plugin.
type Options struct {
	// Dir is the plugin's directory as Grafana loads it: the one holding plugin.json and the executable
	// (dist/datasource for the nested data source).
	Dir string
	// PluginSettings is the [plugin.<id>] section of grafana.ini; Grafana passes each key as GF_PLUGIN_<KEY>
	// in the environment and in PluginContext.GrafanaConfig ("path" and "id" are skipped, as Grafana does).
	PluginSettings map[string]string
	// Logs receives the plugin's own log lines (its stderr, forwarded by go-plugin); nil discards them.
	Logs io.Writer
	// StartTimeout bounds the handshake (go-plugin's default, 1 minute, when zero).
	StartTimeout time.Duration
}

// Manifest is the part of a plugin.json the host reads.
type Manifest struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Backend    bool   `json:"backend"`
	Alerting   bool   `json:"alerting"`
	Executable string `json:"executable"`
	Info       struct {
		Version string `json:"version"`
	} `json:"info"`
}

// Plugin is one running plugin process and its gRPC clients. It is safe for concurrent use.
type Plugin struct {
	Manifest Manifest
	// Env is the environment the process was started with, beyond the host's own (Grafana's GF_* variables).
	Env         []string
	client      *goplugin.Client
	data        pluginv2.DataClient
	diagnostics pluginv2.DiagnosticsClient
	resource    pluginv2.ResourceClient
	grafanaCfg  map[string]string
}

// ReadManifest reads dir/plugin.json.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	raw, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
	if err != nil {
		return m, fmt.Errorf("plugin.json: %w (build the plugin first: npm run build, then mage build:linux)", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("plugin.json in %s is not valid JSON: %w", dir, err)
	}
	return m, nil
}

// ExecutablePath is where Grafana looks for the backend of a plugin in dir: <executable>_<os>_<arch>, with .exe
// on Windows (Grafana's Plugin.ExecutablePath).
func ExecutablePath(dir string, m Manifest) string {
	ext := ""
	if runtime.GOOS == "windows" {
		ext = ".exe"
	}
	return filepath.Join(dir, fmt.Sprintf("%s_%s_%s%s", m.Executable, runtime.GOOS, strings.ToLower(runtime.GOARCH), ext))
}

// Start starts the plugin in o.Dir and completes Grafana's handshake. Errors name the cause: no plugin.json,
// not a backend plugin, executable missing or not executable, handshake failed (the plugin's exit or output
// is in the error).
func Start(o Options) (*Plugin, error) {
	m, err := ReadManifest(o.Dir)
	if err != nil {
		return nil, err
	}
	// the executable's path must not depend on the working directory: the process starts in o.Dir
	if o.Dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, err
	}
	if !m.Backend || m.Executable == "" {
		return nil, fmt.Errorf("plugin %s in %s has no backend (plugin.json backend/executable)", m.ID, o.Dir)
	}
	exe := ExecutablePath(o.Dir, m)
	info, err := os.Stat(exe)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("plugin %s: executable %s does not exist (build it: mage -v build:linux)", m.ID, exe)
	case err != nil:
		return nil, fmt.Errorf("plugin %s: executable %s: %w", m.ID, exe, err)
	case info.IsDir() || info.Mode().Perm()&0o111 == 0:
		return nil, fmt.Errorf("plugin %s: %s is not an executable file (mode %s)", m.ID, exe, info.Mode())
	}

	p := &Plugin{Manifest: m, grafanaCfg: grafanaConfig(o.PluginSettings)}
	p.Env = environment(o.PluginSettings)
	cmd := exec.Command(exe)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), p.Env...)
	logs := o.Logs
	if logs == nil {
		logs = io.Discard
	}
	p.client = goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:             cmd,
		HandshakeConfig: handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
		}},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: m.ID, Output: logs, Level: hclog.Warn}),
		StartTimeout:     o.StartTimeout,
	})
	rpc, err := p.client.Client()
	if err != nil {
		p.client.Kill()
		return nil, fmt.Errorf("plugin %s: start %s: %w", m.ID, exe, err)
	}
	if p.data, err = dispense[pluginv2.DataClient](rpc, "data"); err == nil {
		if p.diagnostics, err = dispense[pluginv2.DiagnosticsClient](rpc, "diagnostics"); err == nil {
			p.resource, err = dispense[pluginv2.ResourceClient](rpc, "resource")
		}
	}
	if err != nil {
		p.client.Kill()
		return nil, fmt.Errorf("plugin %s: %w", m.ID, err)
	}
	return p, nil
}

// dispense returns the plugin's client for one of the services it registered (Grafana's names: "data",
// "diagnostics", "resource").
func dispense[C any](rpc goplugin.ClientProtocol, name string) (C, error) {
	var c C
	raw, err := rpc.Dispense(name)
	if err != nil {
		return c, fmt.Errorf("does not serve %s: %w", name, err)
	}
	c, ok := raw.(C)
	if !ok {
		return c, fmt.Errorf("service %s dispensed %T, not the pluginv2 client", name, raw)
	}
	return c, nil
}

// handshake is Grafana's go-plugin handshake for backend plugins (the SDK's grpcplugin constants).
var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// environment is what Grafana's envvars provider adds to the plugin's environment for an OSS server without
// tracing, AWS, Azure or proxy settings: GF_VERSION, GF_EDITION, and the plugin settings.
func environment(pluginSettings map[string]string) []string {
	env := []string{"GF_VERSION=" + GrafanaVersion, "GF_EDITION=oss"}
	vars := pluginSettingVars(pluginSettings)
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		env = append(env, k+"="+vars[k])
	}
	return env
}

// pluginSettingVars is the [plugin.<id>] section as Grafana passes it on: GF_PLUGIN_<KEY>, without "path" and
// "id".
func pluginSettingVars(pluginSettings map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range pluginSettings {
		if k != "path" && !strings.EqualFold(k, "id") {
			out["GF_PLUGIN_"+strings.ToUpper(k)] = v
		}
	}
	return out
}

// grafanaConfig is PluginContext.GrafanaConfig as Grafana 12 fills it for an OSS server with default settings
// (envvars.go GetConfigMap; keys are the SDK's config constants): app URL, concurrent query count, the
// user-facing default error, SQL defaults, response limit, and the plugin settings as GF_PLUGIN_<KEY>.
func grafanaConfig(pluginSettings map[string]string) map[string]string {
	cfg := map[string]string{
		"GF_APP_URL":                               "http://localhost:3000/",
		"GF_CONCURRENT_QUERY_COUNT":                "10",
		"GF_USER_FACING_DEFAULT_ERROR":             "Please inspect the Grafana server log for details",
		"GF_SQL_ROW_LIMIT":                         "1000000",
		"GF_SQL_MAX_OPEN_CONNS_DEFAULT":            "100",
		"GF_SQL_MAX_IDLE_CONNS_DEFAULT":            "100",
		"GF_SQL_MAX_CONN_LIFETIME_SECONDS_DEFAULT": "14400",
		"GF_RESPONSE_LIMIT":                        "0",
	}
	maps.Copy(cfg, pluginSettingVars(pluginSettings))
	return cfg
}

// Exited reports whether the plugin process has exited (crashed or killed). Grafana restarts such a plugin;
// this host reports it instead.
func (p *Plugin) Exited() bool { return p.client.Exited() }

// Crash kills the process with SIGKILL, as when the plugin dies under the host (a panic, the OOM killer).
func (p *Plugin) Crash() error {
	proc, err := os.FindProcess(p.Pid())
	if err != nil {
		return err
	}
	return proc.Kill()
}

// Close ends the plugin process; safe to call more than once.
func (p *Plugin) Close() { p.client.Kill() }

// callErr wraps a gRPC failure, saying when the cause is the process having gone away.
func (p *Plugin) callErr(call string, err error) error {
	if err == nil {
		return nil
	}
	// The gRPC error can arrive a moment before go-plugin has reaped the process.
	for i := 0; i < 20 && !p.client.Exited(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if p.client.Exited() {
		return fmt.Errorf("%s: plugin %s exited during the call (Grafana would restart it): %w", call, p.Manifest.ID, err)
	}
	return fmt.Errorf("%s: %w", call, err)
}

// Pid is the plugin process's id.
func (p *Plugin) Pid() int { return p.client.ReattachConfig().Pid }

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on every mainstream
// architecture; the kernel ABI fixes it).
const clockTicks = 100

// CPUTime is the CPU time (user + system) the plugin process has used so far, read from /proc/<pid>/stat
// (Linux only). Unlike wall time it does not grow when other processes load the machine.
func (p *Plugin) CPUTime() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis are space separated,
	// utime and stime being the 14th and 15th fields of the line.
	_, rest, ok := strings.Cut(string(raw), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat line %q", raw)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat field %q: %w", f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
