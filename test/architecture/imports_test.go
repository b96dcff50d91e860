// Package architecture checks the layering of the backend drawn in docs/architecture.md: which package may import
// which. The rules are read from each package's direct imports (go list), so a new file that reaches across a
// layer fails here, whoever writes it.
package architecture

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/aiops/modelmonitor/"

// sdk and drivers are the imports that tie a package to Grafana or to one engine (a prefix ending in / matches the
// packages under it); neither is both lists, forbidden to the layers between the frames and the adapters.
var (
	sdk     = []string{"github.com/grafana/grafana-plugin-sdk-go/"}
	drivers = []string{"database/sql", "database/sql/", "github.com/duckdb/", "github.com/jackc/", "github.com/apache/spark-connect-go/"}
	neither = slices.Concat(sdk, drivers)
)

// rule is what the packages under a path may import: Internal lists the module's packages they may import
// (prefixes; every other package of the module is forbidden), Forbidden the external prefixes they must not.
type rule struct {
	layer     string
	internal  []string
	forbidden []string
}

// rules by package path prefix; the longest matching prefix applies.
var rules = map[string]rule{
	"pkg/engine/": {"engine: pure maths on plain types, no I/O",
		[]string{"pkg/engine/"}, neither},
	"pkg/store": {"store seam: the Store interface and its types",
		[]string{"pkg/query"}, neither},
	"pkg/store/": {"engine adapters and store wrappers",
		[]string{"pkg/store", "pkg/store/sqlstore", "pkg/settings", "pkg/query"}, sdk},
	"pkg/store/sqlstore": {"the one SQL seam: each statement's shape over a Dialect and a Runner",
		[]string{"pkg/store", "pkg/settings", "pkg/query"}, append(append([]string{}, sdk...), drivers[1:]...)},
	"pkg/store/spark/sparktest": {"test support: the Spark Connect server of the tests, reached through the adapter's runner",
		[]string{"pkg/store/spark", "pkg/settings", "pkg/pgload"}, sdk},
	"pkg/store/open": {"opening a store: the engine chosen by the settings",
		[]string{"pkg/store", "pkg/store/", "pkg/settings"}, append(append([]string{}, sdk...), drivers...)},
	"pkg/monitor": {"monitor: orchestration of analyses over the store seam",
		[]string{"pkg/engine/", "pkg/store", "pkg/store/cache", "pkg/query", "pkg/settings"}, neither},
	"pkg/query":    {"query model", []string{"pkg/settings"}, neither},
	"pkg/settings": {"settings", nil, neither},
}

// exceptions are the imports that break a rule today and are known: each is debt to pay, and the test fails when
// one is no longer used, so the list only shrinks.
var exceptions = map[string][]string{
	// binning builds categorical bins from a store.CategoricalProfile; drift takes a store.FeatureType and the
	// query's metric names.
	"pkg/engine/binning": {"pkg/store"},
	"pkg/engine/drift":   {"pkg/store", "pkg/query"},
}

func ruleFor(pkg string) (rule, bool) {
	best, found := "", false
	for prefix := range rules {
		if (pkg == prefix || strings.HasPrefix(pkg, prefix) && strings.HasSuffix(prefix, "/")) && len(prefix) > len(best) {
			best, found = prefix, true
		}
	}
	return rules[best], found
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasSuffix(p, "/") && strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestLayerImports walks every package under pkg/ and checks its direct imports against its layer's rule.
func TestLayerImports(t *testing.T) {
	root := filepath.Join("..", "..")
	// go test caches a result by the files the test itself opens; go list reads the sources in a child process, so
	// open them here too, or an edit of an import would be answered from the cache.
	if err := filepath.WalkDir(filepath.Join(root, "pkg"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			_, err = os.ReadFile(path)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./pkg/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked, used := 0, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		r, ok := ruleFor(pkg)
		if !ok {
			continue
		}
		checked++
		for _, imp := range fields[1:] {
			if internal, ok := strings.CutPrefix(imp, module); ok {
				if hasPrefix(internal, r.internal) {
					continue
				}
				if hasPrefix(internal, exceptions[pkg]) {
					used[pkg+" → "+internal] = true
					continue
				}
				t.Errorf("%s (%s) imports %s", pkg, r.layer, internal)
			} else if hasPrefix(imp, r.forbidden) {
				t.Errorf("%s (%s) imports %s", pkg, r.layer, imp)
			}
		}
	}
	if checked < 8 {
		t.Fatalf("only %d packages checked: go list output not understood", checked)
	}
	for pkg, imps := range exceptions {
		for _, imp := range imps {
			if !used[pkg+" → "+imp] {
				t.Errorf("exception %s → %s is no longer used: remove it", pkg, imp)
			}
		}
	}
}

// The rules themselves: a package of each layer is matched by the intended rule.
func TestRuleFor(t *testing.T) {
	for pkg, layer := range map[string]string{
		"pkg/engine/cbpe": "pkg/engine/", "pkg/store": "pkg/store", "pkg/store/cache": "pkg/store/",
		"pkg/store/duckdb": "pkg/store/", "pkg/monitor": "pkg/monitor", "pkg/query": "pkg/query",
	} {
		r, ok := ruleFor(pkg)
		if !ok || r.layer != rules[layer].layer {
			t.Errorf("%s: rule %q, want %q", pkg, r.layer, rules[layer].layer)
		}
	}
	if _, ok := ruleFor("pkg/plugin"); ok {
		t.Error("pkg/plugin (the Grafana layer) may import every layer: no rule")
	}
	for _, imp := range []string{"github.com/grafana/grafana-plugin-sdk-go/backend", "database/sql", "github.com/duckdb/duckdb-go/v2"} {
		if !hasPrefix(imp, neither) {
			t.Errorf("%s is not recognised as an SDK or driver import", imp)
		}
	}
	if hasPrefix("database/sqlx", neither) {
		t.Error("database/sqlx taken for database/sql")
	}
	if _, ok := ruleFor("pkg/storefront"); ok {
		t.Error("a package that merely starts with pkg/store must not match its rule")
	}
}
