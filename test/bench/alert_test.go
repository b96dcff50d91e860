package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/test/host/alerting"
)

// The provisioned alert rules (provisioning/alerting/*.yaml: their queries, relative ranges, intervalMs and
// maxDataPoints as written) evaluated every minute for an hour of simulated time against one data source instance
// on the bench store, as Grafana's alerting engine sends them (the FromAlert header; each query's range made
// absolute at the evaluation time). The simulated clock — the evaluation time and the clock that decides which
// windows are settled — starts at noon of the store's last whole day and advances a minute per round; the store
// does not change, but the labels whose label_ts passes the moving cut-off (the range's end) arrive as they would
// have. One evaluation is one rule at one minute.
//
// Reported: total-s and total-cpu-s over every evaluation (the rules of a minute run one after the other: the
// instance's busy time, its statements in the store and the analyses in Go); p50-s and max-s per evaluation (wall), first-s the slowest first evaluation of a
// rule (cold), and per rule (by uid) its first evaluation and the p50 and maximum of the others (warm);
// open-only-share, the share of evaluations that asked the store for no settled window (only the open window and
// the windows ended less than the settle time ago; label changes of kept windows brought by label deltas; each
// rule's first evaluation is cold), and settled-asked, the settled windows asked over the warm evaluations (0 when
// every warm evaluation asked only what it must). Each evaluation is also printed on stderr as it ends.
//
// MODELMON_BENCH_ALERT_MINUTES (default 60) shortens the simulated time; MODELMON_BENCH_ALERT_RULES, a
// comma-separated list of rule uids, evaluates only those rules (e.g. mm-fleet-diagnosis): a few warm minutes of
// one rule measure its warm evaluation without an hour of the others.
func BenchmarkAlertHour(b *testing.B) {
	path := benchStore(b)
	rules := provisionedRules(b, os.Getenv("MODELMON_BENCH_ALERT_RULES"))
	minutes := 60
	if v := os.Getenv("MODELMON_BENCH_ALERT_MINUTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			b.Fatalf("MODELMON_BENCH_ALERT_MINUTES=%q: want a whole number of minutes ≥ 2 (one cold, one warm)", v)
		}
		minutes = n
	}
	start := curTo.AddDate(0, 0, -1).Add(12 * time.Hour)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var mu sync.Mutex
		now := start
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		cfg := settings.Defaults()
		cfg.Path, cfg.QueryTimeoutSecs = path, 3600
		ds := plugin.NewWithClock(cfg, nil, clock)
		var walls []float64
		var total, totalCPU, openOnly, settledAsked float64
		first := map[string]float64{}
		warm := map[string][]float64{}    // per rule, its evaluations after the first (wall)
		warmCPU := map[string][]float64{} // the same, CPU
		for minute := 0; minute < minutes; minute++ {
			mu.Lock()
			now = start.Add(time.Duration(minute) * time.Minute)
			mu.Unlock()
			for _, r := range rules {
				before := cacheStats(b, ds)
				t0, cpu0 := time.Now(), processCPU()
				b.StartTimer()
				evaluate(b, ds, r, clock())
				b.StopTimer()
				wall, cpu := time.Since(t0).Seconds(), processCPU()-cpu0
				total, totalCPU = total+wall, totalCPU+cpu
				walls = append(walls, wall)
				after := cacheStats(b, ds)
				asked := after.AskedSettled - before.AskedSettled
				if minute == 0 {
					first[r.UID] = wall
				} else {
					settledAsked += asked
					warm[r.UID] = append(warm[r.UID], wall)
					warmCPU[r.UID] = append(warmCPU[r.UID], cpu)
				}
				if asked == 0 {
					openOnly++
				}
				// progress as it goes (an hour of evaluations takes most of an hour on the 10 M store)
				fmt.Fprintf(os.Stderr, "minute %d %s: %.2f s wall, %.2f s CPU, windows asked %v (settled %v), reused %v, relabelled %v\n",
					minute, r.UID, wall, cpu, after.Asked-before.Asked, asked, after.Reused-before.Reused, after.Relabelled-before.Relabelled)
			}
		}
		ds.Dispose()
		slices.Sort(walls)
		b.ReportMetric(total, "total-s")
		b.ReportMetric(totalCPU, "total-cpu-s")
		b.ReportMetric(walls[len(walls)/2], "p50-s")
		b.ReportMetric(walls[len(walls)-1], "max-s")
		b.ReportMetric(slices.Max(slices.Collect(maps.Values(first))), "first-s")
		b.ReportMetric(openOnly/float64(len(walls)), "open-only-share")
		b.ReportMetric(settledAsked, "settled-asked")
		for uid, ws := range warm {
			slices.Sort(ws)
			b.ReportMetric(first[uid], uid+"-first-s")
			b.ReportMetric(ws[len(ws)/2], uid+"-warm-p50-s")
			b.ReportMetric(ws[len(ws)-1], uid+"-warm-max-s")
			cs := warmCPU[uid]
			slices.Sort(cs)
			b.ReportMetric(cs[len(cs)/2], uid+"-warm-cpu-p50-s")
		}
		b.StartTimer()
	}
}

// provisionedRules loads the provisioned alert rules (provisioning/alerting/*-rules.yaml, in the files' order);
// only, when not empty, is a comma-separated list of the uids to keep (in that order), each existing and named once.
func provisionedRules(b *testing.B, only string) []alerting.Rule {
	files, err := filepath.Glob("../../provisioning/alerting/*-rules.yaml")
	if err != nil || len(files) == 0 {
		b.Fatalf("no provisioned rules (%v)", err)
	}
	var rules []alerting.Rule
	for _, f := range files {
		rs, err := alerting.LoadRules(f)
		if err != nil {
			b.Fatal(err)
		}
		rules = append(rules, rs...)
	}
	if only == "" {
		return rules
	}
	var kept []alerting.Rule
	for _, uid := range strings.Split(only, ",") {
		uid = strings.TrimSpace(uid)
		i := slices.IndexFunc(rules, func(r alerting.Rule) bool { return r.UID == uid })
		if i < 0 {
			b.Fatalf("MODELMON_BENCH_ALERT_RULES: no provisioned rule %q", uid)
		}
		if slices.ContainsFunc(kept, func(r alerting.Rule) bool { return r.UID == uid }) {
			b.Fatalf("MODELMON_BENCH_ALERT_RULES: rule %q named twice (its evaluations would be counted together)", uid)
		}
		kept = append(kept, rules[i])
	}
	return kept
}

// evaluate sends a rule's data source queries as Grafana's alerting engine does at time at (the FromAlert header,
// the query's relative range made absolute, intervalMs and maxDataPoints from the model) and fails on an error.
func evaluate(b *testing.B, ds *plugin.Datasource, r alerting.Rule, at time.Time) {
	req := &backend.QueryDataRequest{Headers: map[string]string{backend.FromAlertHeaderName: "true"}}
	for _, q := range r.DataSourceQueries() {
		m := maps.Clone(q.Model)
		m["refId"] = q.RefID
		raw, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		from, to := q.TimeRange(at)
		req.Queries = append(req.Queries, backend.DataQuery{RefID: q.RefID, QueryType: q.QueryType, JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Duration(number(m["intervalMs"], alertIntervalMs)) * time.Millisecond,
			MaxDataPoints: number(m["maxDataPoints"], alertMaxDataPoints)})
	}
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	for ref, res := range resp.Responses {
		if res.Error != nil {
			b.Fatalf("%s %s: %v", r.UID, ref, res.Error)
		}
	}
}

// Grafana's alerting engine's intervalMs and maxDataPoints when a rule's model names none.
const (
	alertIntervalMs    = 1000
	alertMaxDataPoints = 43200
)

// number reads a number of a YAML-decoded model (int) or def.
func number(v any, def int64) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case float64:
		return int64(x)
	}
	return def
}

// windowCacheStats is the health check's windowCache details (cache.Stats).
type windowCacheStats struct {
	Reused       float64 `json:"reusedWindows"`
	Asked        float64 `json:"askedWindows"`
	AskedSettled float64 `json:"askedSettledWindows"`
	Relabelled   float64 `json:"relabelledWindows"`
	Bytes        float64 `json:"keptBytes"`
}

// cacheStats reads what the data source's window cache did so far (its health check's details).
func cacheStats(b *testing.B, ds *plugin.Datasource) windowCacheStats {
	res, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		b.Fatal(err)
	}
	var details struct {
		Cache windowCacheStats `json:"windowCache"`
	}
	if err := json.Unmarshal(res.JSONDetails, &details); err != nil {
		b.Fatal(fmt.Errorf("health details: %w", err))
	}
	return details.Cache
}
