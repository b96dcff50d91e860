// Command panelframes serves the panels of the provisioned dashboards with live frames to a browser page: it
// starts the built plugin executable through the Grafana-faithful host (package host), sends the request of every
// plugin panel (aiops-*) of the provisioned dashboards and the app's fleet dashboard to it over gRPC, decodes the Arrow frames with the
// SDK and serves them re-encoded as the JSON Grafana's /api/ds/query answers, so that the browser check
// (test/browser) and `npm run demo` render the plugin's own panels from what the running plugin returned.
//
//	panelframes -dist dist [-store demo/modelmon.duckdb -now 2026-11-05] [-listen 127.0.0.1:0]
//
// Without -store it generates the demo store with the fixed demo dates in a temporary directory. The dashboards'
// relative ranges ("now-28d/d") resolve at -now (default: the end of the fixed demo dates); the data source's
// default reference is the store's first week, now-35d to now-28d, as scripts/demo.sh sets it.
//
// HTTP (127.0.0.1 only):
//
//	GET /api/panels                   the panels, without their frames: [host.LivePanel…]
//	GET /api/panels/<dashboard>/<i>   panel i's response: {"results": {"A": {"frames": […]}, …}}
//
// It prints "listening on http://<addr>" once every response is ready, and stops on SIGINT/SIGTERM or when its
// standard input closes (its parent went away), ending the plugin process with it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/test/host"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "panelframes:", err)
		os.Exit(1)
	}
}

func run() error {
	dist := flag.String("dist", "dist", "the built plugin's dist/ directory (npm run build, mage build:linux)")
	store := flag.String("store", "", "the demo store; empty: generate one with the fixed demo dates")
	nowFlag := flag.String("now", demo.DefaultStart.AddDate(0, 0, demo.DefaultDays).Format(time.DateOnly),
		`the dashboards' "now" (YYYY-MM-DD, 00:00 UTC): the end of the store`)
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on")
	repo := flag.String("repo", ".", "the repository root (provisioning/ and src/dashboards/)")
	flag.Parse()

	now, err := time.Parse(time.DateOnly, *nowFlag)
	if err != nil {
		return fmt.Errorf("-now: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { // the parent closing our standard input ends us too
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()

	if *store == "" {
		dir, err := os.MkdirTemp("", "modelmon-panelframes-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*store = filepath.Join(dir, "demo.duckdb")
		start := time.Now()
		if _, err := demo.Generate(ctx, *store, demo.Options{}); err != nil {
			return fmt.Errorf("generate the demo store: %w", err)
		}
		now = demo.DefaultStart.AddDate(0, 0, demo.DefaultDays)
		fmt.Fprintf(os.Stderr, "panelframes: demo store generated in %s\n", time.Since(start).Round(time.Millisecond))
	}
	panels, err := livePanels(ctx, *dist, *repo, *store, now)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler(panels), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// livePanels starts the plugin from dist, provisions the demo data source over store, and returns the live panels
// of the provisioned dashboards and the app's dashboards, the time ranges resolved at now.
func livePanels(ctx context.Context, dist, repo, store string, now time.Time) ([]host.LivePanel, error) {
	p, err := host.Start(host.Options{Dir: filepath.Join(dist, "datasource"), Logs: os.Stderr, StartTimeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	abs, err := filepath.Abs(store)
	if err != nil {
		return nil, err
	}
	ds, err := host.ProvisionedDataSource(filepath.Join(repo, "provisioning", "datasources", "modelmonitor.yaml"), map[string]string{
		"MODELMON_DEMO_STORE":     abs,
		"MODELMON_REFERENCE_FROM": now.AddDate(0, 0, -demo.DefaultDays).Format(time.RFC3339),
		"MODELMON_REFERENCE_TO":   now.AddDate(0, 0, 7-demo.DefaultDays).Format(time.RFC3339),
	}, now)
	if err == nil {
		// the fleet's diagnosis takes minutes on a loaded machine: the 60 s default would cut it off
		ds, err = ds.WithJSONData("queryTimeoutSeconds", 1800)
	}
	if err != nil {
		return nil, err
	}
	var dashboards []host.Dashboard
	for _, pattern := range []string{"provisioning/dashboards/json/*.json", "src/dashboards/*.json"} {
		d, err := host.LoadDashboards(filepath.Join(repo, pattern), now)
		if err != nil {
			return nil, err
		}
		dashboards = append(dashboards, d...)
	}
	// the panels a browser page can render without Grafana: the plugin's own (Grafana's core panels are not
	// published as packages)
	panels, err := p.LivePanels(ctx, ds, dashboards, func(p host.Panel) bool { return strings.HasPrefix(p.Type, "aiops-") })
	if err != nil {
		return nil, err
	}
	for _, lp := range panels {
		fmt.Fprintf(os.Stderr, "panelframes: %s / %s: %d ms\n", lp.Dashboard, lp.Title, lp.QueryMs)
	}
	return panels, nil
}

// handler serves the panel list and each panel's response.
func handler(panels []host.LivePanel) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/panels", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(panels)
	})
	mux.HandleFunc("GET /api/panels/{dashboard}/{index}", func(w http.ResponseWriter, r *http.Request) {
		for _, lp := range panels {
			if lp.Dashboard == r.PathValue("dashboard") && fmt.Sprint(lp.Index) == r.PathValue("index") {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(lp.Response)
				return
			}
		}
		http.Error(w, "no such panel", http.StatusNotFound)
	})
	return mux
}
