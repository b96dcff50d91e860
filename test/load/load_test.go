// Package load drives the built plugin executable the way Grafana does — started through go-plugin with
// Grafana's handshake, queried over the SDK's gRPC services on a local socket — with 50 concurrent heavy queries
// plus alert-flagged ones, and checks what the admission control promises (see README "Under load"). It runs only
// when MODELMON_LOAD_BINARY (the built executable) and MODELMON_LOAD_STORE (the demo store) are set:
// scripts/load.sh builds both and runs it. Everything is bounded: each query has a deadline, the whole run ends
// in a few minutes, and the plugin process is stopped at the end.
package load

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// Settings of the load run. The memory bound asserted is memoryLimitMB (DuckDB, per instance) + cacheMB (the
// window cache, per instance, which raises the Go heap's soft limit by as much) + the Go heap's soft limit + the
// stated fixed overhead — memoryLimitMB + cacheMB + 1 GiB — as README "Under load" states it.
const (
	memoryLimitMB   = 1024
	cacheMB         = 1024 // settings.DefaultCacheMB, set explicitly
	goHeapLimitMB   = 512  // plugin.GoMemoryLimitMB
	overheadMB      = 512  // binary, DuckDB allocations outside its buffer manager, thread stacks
	queryTimeoutSec = 180
	heavyQueries    = 50
	alertQueries    = 6
	clientDeadline  = 210 * time.Second // longer than the plugin's time-out, as Grafana's data proxy time-out is
)

// The demo's last three days (pkg/demo: 2026-10-01 → 11-05), in which every incident but the null flood shows.
var (
	curFrom = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	curTo   = time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
)

// plugin is the started executable and its gRPC clients.
type plugin struct {
	client *goplugin.Client
	pid    int
	data   pluginv2.DataClient
	diag   pluginv2.DiagnosticsClient
	pctx   backend.PluginContext
}

func start(t *testing.T, binary, store string) *plugin {
	t.Helper()
	cmd := exec.Command(binary)
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{ProtocolVersion: grpcplugin.ProtocolVersion,
			MagicCookieKey: grpcplugin.MagicCookieKey, MagicCookieValue: grpcplugin.MagicCookieValue},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {}},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Level: hclog.Off}),
	})
	proto, err := c.Client()
	if err != nil {
		c.Kill()
		t.Fatalf("start plugin: %v", err)
	}
	conn := proto.(*goplugin.GRPCClient).Conn
	jsonData, _ := json.Marshal(map[string]any{"path": store, "memoryLimitMB": memoryLimitMB, "cacheMB": cacheMB, "queryTimeoutSeconds": queryTimeoutSec})
	return &plugin{client: c, pid: cmd.Process.Pid, data: pluginv2.NewDataClient(conn), diag: pluginv2.NewDiagnosticsClient(conn),
		pctx: backend.PluginContext{PluginID: "aiops-modelmonitor-datasource", OrgID: 1,
			DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{UID: "load", ID: 1, Name: "load", JSONData: jsonData,
				Updated: time.Unix(1, 0)}}}
}

// outcome is one query's answer as the client saw it.
type outcome struct {
	kind    string
	alert   bool
	latency time.Duration
	status  backend.Status
	err     string
	frames  data.Frames
}

func (p *plugin) query(ctx context.Context, kind string, q map[string]any, from, to time.Time, alert bool) outcome {
	raw, _ := json.Marshal(q)
	queryType, _ := q["queryType"].(string) // "" for the empty query: the type then comes from the JSON (drift)
	req := &backend.QueryDataRequest{PluginContext: p.pctx, Queries: []backend.DataQuery{{RefID: "A",
		QueryType: queryType, JSON: raw, TimeRange: backend.TimeRange{From: from, To: to},
		Interval: time.Hour, MaxDataPoints: 1000}}}
	if alert { // what Grafana Alerting sends: FromAlert, intervalMs 1000, maxDataPoints 43200
		req.Headers = map[string]string{backend.FromAlertHeaderName: "true"}
		req.Queries[0].Interval, req.Queries[0].MaxDataPoints = time.Second, 43200
	}
	start := time.Now()
	res, err := p.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	o := outcome{kind: kind, alert: alert, latency: time.Since(start)}
	if err != nil {
		o.err = "transport: " + err.Error()
		return o
	}
	resp, err := backend.FromProto().QueryDataResponse(res)
	if err != nil {
		o.err = "decode: " + err.Error()
		return o
	}
	r := resp.Responses["A"]
	o.status = r.Status
	if r.Error != nil {
		o.err = r.Error.Error()
		return o
	}
	o.frames = r.Frames
	return o
}

// sameAnswer says how two answers differ (empty: they do not): frame names, field names, labels and values, the
// floats to 1e-9 relative (DuckDB's parallel sums may add in another order). The executed SQL is left out: a
// query whose reference summary was cached runs fewer statements for the same values.
func sameAnswer(a, b data.Frames) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d frames, want %d", len(a), len(b))
	}
	for i := range a {
		fa, fb := a[i], b[i]
		if fa.Name != fb.Name || len(fa.Fields) != len(fb.Fields) || fa.Rows() != fb.Rows() {
			return fmt.Sprintf("frame %d: %q %d×%d, want %q %d×%d", i, fa.Name, len(fa.Fields), fa.Rows(), fb.Name, len(fb.Fields), fb.Rows())
		}
		for j := range fa.Fields {
			x, y := fa.Fields[j], fb.Fields[j]
			if x.Name != y.Name || x.Labels.String() != y.Labels.String() {
				return fmt.Sprintf("frame %q field %d: %s%v, want %s%v", fa.Name, j, x.Name, x.Labels, y.Name, y.Labels)
			}
			for k := range x.Len() {
				u, uok := x.ConcreteAt(k)
				v, vok := y.ConcreteAt(k)
				uf, isFloat := u.(float64)
				vf, _ := v.(float64)
				switch {
				case uok != vok:
					return fmt.Sprintf("frame %q field %s row %d: %v, want %v", fa.Name, x.Name, k, u, v)
				case isFloat && math.Abs(uf-vf) > 1e-9*math.Max(1, math.Abs(vf)):
					return fmt.Sprintf("frame %q field %s row %d: %v, want %v", fa.Name, x.Name, k, uf, vf)
				case !isFloat && fmt.Sprint(u) != fmt.Sprint(v):
					return fmt.Sprintf("frame %q field %s row %d: %v, want %v", fa.Name, x.Name, k, u, v)
				}
			}
		}
	}
	return ""
}

// cpuTicks is the plugin process's user+system CPU time in clock ticks (/proc/<pid>/stat fields 14 and 15).
func cpuTicks(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("plugin process gone: %v", err)
	}
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// peakRSSMB is the plugin process's peak resident set (VmHWM).
func peakRSSMB(t *testing.T, pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("plugin process gone: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

func TestLoad(t *testing.T) {
	binary, store := os.Getenv("MODELMON_LOAD_BINARY"), os.Getenv("MODELMON_LOAD_STORE")
	if binary == "" || store == "" {
		t.Skip("set MODELMON_LOAD_BINARY and MODELMON_LOAD_STORE (scripts/load.sh does)")
	}
	p := start(t, binary, store)
	defer p.client.Kill()

	kinds := map[string]map[string]any{
		"fleet diagnosis": {"queryType": "diagnosis", "model": "", "window": "1d"},
		"fleet heatmap":   {"queryType": "driftHeatmap", "model": "", "window": "1d"},
		"empty query":     {},
	}
	alertQuery := map[string]any{"queryType": "drift", "model": "churn", "features": []string{"monthly_charges"}, "metric": "psi",
		"reference": map[string]any{"type": "range", "from": "2026-10-01T00:00:00Z", "to": "2026-10-08T00:00:00Z"}}

	// The answers computed alone, one at a time, before the load: what every answer under load must equal.
	alone := map[string]outcome{}
	for kind, q := range kinds {
		ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
		alone[kind] = p.query(ctx, kind, q, curFrom, curTo, false)
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
	alone["alert"] = p.query(ctx, "alert", alertQuery, curFrom, curTo, true)
	cancel()
	for kind, o := range alone {
		if o.err != "" {
			t.Fatalf("%s alone: %s", kind, o.err)
		}
		t.Logf("%s alone: %v", kind, o.latency.Round(time.Millisecond))
	}

	// Cancellation: a heavy query cancelled by the client stops using CPU within a second.
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.query(ctx, "cancelled", map[string]any{"queryType": "diagnosis", "model": "", "window": "1h"}, curFrom, curTo, false)
		close(done)
	}()
	time.Sleep(2 * time.Second)
	cancel()
	<-done
	time.Sleep(time.Second)
	before := cpuTicks(t, p.pid)
	time.Sleep(time.Second)
	used := cpuTicks(t, p.pid) - before
	t.Logf("cancellation: %d CPU ticks (1/100 s) used in the second after it settled", used)
	if used > 10 { // 10 ticks = 0.1 s of CPU in that second
		t.Errorf("cancellation: the plugin used %d CPU ticks in the second after the cancellation settled, want ≤ 10", used)
	}

	// The load: 50 heavy queries at once (every fifth one the same as its answer alone — identical ones share a
	// computation — the rest distinct by their range's end), alert queries arriving while they run.
	var wg sync.WaitGroup
	results := make(chan outcome, heavyQueries+alertQueries)
	names := []string{"fleet diagnosis", "fleet heatmap", "empty query"}
	begin := time.Now()
	for i := range heavyQueries {
		kind := names[i%len(names)]
		to := curTo
		if i%5 != 0 { // distinct ranges: no shared computation for these
			to = curTo.Add(-time.Duration(i) * time.Hour)
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
			defer cancel()
			o := p.query(ctx, kind, kinds[kind], curFrom, to, false)
			if to != curTo {
				o.kind += " (shifted)"
			}
			results <- o
		})
	}
	for i := range alertQueries {
		wg.Go(func() {
			time.Sleep(time.Duration(2+3*i) * time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
			defer cancel()
			results <- p.query(ctx, "alert", alertQuery, curFrom, curTo, true)
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	close(results)

	var ok, busy, timeout, other int
	var latencies []time.Duration
	for o := range results {
		latencies = append(latencies, o.latency)
		switch {
		case o.err == "":
			ok++
			if want, found := alone[o.kind]; found {
				if diff := sameAnswer(o.frames, want.frames); diff != "" {
					t.Errorf("%s under load differs from its answer alone: %s", o.kind, diff)
				}
			}
		case o.status == backend.StatusTooManyRequests:
			busy++
		case o.status == backend.StatusTimeout:
			timeout++
		default:
			other++
			t.Errorf("%s: status %v: %s", o.kind, o.status, o.err)
		}
		if o.alert && o.err != "" {
			t.Errorf("alert query not served: %v %s after %v", o.status, o.err, o.latency)
		}
		if o.latency > time.Duration(queryTimeoutSec)*time.Second+5*time.Second {
			t.Errorf("%s answered after %v, beyond its %d s time-out", o.kind, o.latency, queryTimeoutSec)
		}
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration {
		return latencies[int(p*float64(len(latencies)-1))].Round(10 * time.Millisecond)
	}
	peak := peakRSSMB(t, p.pid)
	bound := float64(memoryLimitMB + cacheMB + goHeapLimitMB + overheadMB)

	health, err := p.diag.CheckHealth(context.Background(), &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(p.pctx)})
	if err != nil || health.Status != pluginv2.CheckHealthResponse_OK {
		t.Errorf("plugin not healthy after the load: %v %v", health, err)
	}
	t.Logf("LOAD %d heavy + %d alert queries in %v: %d answered (%.2f/s), %d busy, %d timed out, %d other errors; "+
		"latency p50 %v p99 %v; peak RSS %.0f MB (bound %.0f MB)", heavyQueries, alertQueries, elapsed.Round(time.Second),
		ok, float64(ok)/elapsed.Seconds(), busy, timeout, other, pct(0.5), pct(0.99), peak, bound)
	if peak > bound {
		t.Errorf("peak RSS %.0f MB above the bound %.0f MB", peak, bound)
	}
}
