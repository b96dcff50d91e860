// Package packaging checks what Grafana's plugin validator (grafana/plugin-validator) checks, over the built
// dist/ and the sources: the validator itself cannot be built here (some of its dependencies are not served by
// the registries). Checked: every plugin.json (the app, the nested data source, the panels) has the fields
// Grafana's plugin.schema.json requires, a semantic version, an update date and a grafanaDependency; ids end in
// their type; logos, screenshots and nested plugins exist at the paths named; the linux/amd64 backend exists,
// is executable and completes Grafana's handshake; README, CHANGELOG and LICENSE are packaged; and the
// validator's code rules: no fmt.Print* in the backend's Go code, no direct /api/ds/query calls and no
// testDatasource() in the front end.
package packaging

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/test/host"
)

const distEnv = "MODELMON_DIST"

// distDir is the built dist/ (scripts/test.sh sets MODELMON_DIST after build_plugin; without it the checks of
// the build skip, so they never read a stale one).
func distDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv(distEnv)
	if d == "" {
		t.Skipf("%s is not set: these checks read the built plugin (npm run build && mage -v build:linux)", distEnv)
	}
	return d
}

// manifest is the part of plugin.json the checks read.
type manifest struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	Backend    bool   `json:"backend"`
	Executable string `json:"executable"`
	Info       struct {
		Keywords    []string `json:"keywords"`
		Description string   `json:"description"`
		Author      struct {
			Name string `json:"name"`
		} `json:"author"`
		Logos struct {
			Small string `json:"small"`
			Large string `json:"large"`
		} `json:"logos"`
		Links []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"links"`
		Screenshots []struct {
			Name string `json:"name"`
			Path string `json:"path"`
		} `json:"screenshots"`
		Version string `json:"version"`
		Updated string `json:"updated"`
	} `json:"info"`
	Includes []struct {
		Type string `json:"type"`
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"includes"`
	Dependencies struct {
		GrafanaDependency string `json:"grafanaDependency"`
	} `json:"dependencies"`
}

var (
	semver     = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	dependency = regexp.MustCompile(`^>=\s*\d+\.\d+\.\d+`)
	pluginID   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+-(app|panel|datasource)$`)
	// comments matches TypeScript block and line comments (a "//" inside a string is rare enough in this code
	// base, and would only hide, never invent, a finding).
	comments       = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	testDatasource = regexp.MustCompile(`testDatasource\s*\(`)
)

func readManifest(t *testing.T, path string) manifest {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// checkManifest checks one plugin.json in dir against the validator's metadata rules.
func checkManifest(t *testing.T, dir string, m manifest) {
	t.Helper()
	where := filepath.Join(dir, "plugin.json")
	if m.ID == "" || m.Name == "" || m.Type == "" || m.Info.Author.Name == "" || m.Info.Description == "" || len(m.Info.Keywords) == 0 {
		t.Errorf("%s: id, name, type, info.author.name, info.description and info.keywords are required: %+v", where, m)
	}
	if !pluginID.MatchString(m.ID) || !strings.HasSuffix(m.ID, "-"+m.Type) {
		t.Errorf("%s: id %q must be <org>-<name>-<type> and end in -%s", where, m.ID, m.Type)
	}
	if !semver.MatchString(m.Info.Version) {
		t.Errorf("%s: info.version %q is not a semantic version (was %%VERSION%% replaced by the build?)", where, m.Info.Version)
	}
	if _, err := time.Parse("2006-01-02", m.Info.Updated); err != nil {
		t.Errorf("%s: info.updated %q is not a date", where, m.Info.Updated)
	}
	if !dependency.MatchString(m.Dependencies.GrafanaDependency) {
		t.Errorf("%s: dependencies.grafanaDependency %q must be a >= range", where, m.Dependencies.GrafanaDependency)
	}
	for _, logo := range []string{m.Info.Logos.Small, m.Info.Logos.Large} {
		mustExist(t, where+" logo", dir, logo)
	}
	for _, s := range m.Info.Screenshots {
		if s.Name == "" {
			t.Errorf("%s: screenshot %s has no name", where, s.Path)
		}
		mustExist(t, where+" screenshot", dir, s.Path)
	}
	for _, l := range m.Info.Links {
		if l.Name == "" || !strings.HasPrefix(l.URL, "https://") {
			t.Errorf("%s: link %+v needs a name and an https URL", where, l)
		}
	}
}

func mustExist(t *testing.T, what, dir, rel string) {
	t.Helper()
	if rel == "" {
		t.Errorf("%s: no path", what)
		return
	}
	if info, err := os.Stat(filepath.Join(dir, rel)); err != nil || info.Size() == 0 {
		t.Errorf("%s %s: missing or empty in %s", what, rel, dir)
	}
}

// The app, the nested data source and each panel are valid plugins; the app includes exactly the nested
// plugins of its type at their paths; the app lists its screenshots and links.
func TestPluginManifests(t *testing.T) {
	dist := distDir(t)
	app := readManifest(t, filepath.Join(dist, "plugin.json"))
	checkManifest(t, dist, app)
	if app.Type != "app" {
		t.Fatalf("dist/plugin.json is a %s, want the app", app.Type)
	}
	if len(app.Info.Screenshots) == 0 || len(app.Info.Links) == 0 {
		t.Errorf("the app lists %d screenshots and %d links; the catalogue page shows both", len(app.Info.Screenshots), len(app.Info.Links))
	}
	if len(app.Includes) == 0 {
		t.Fatal("the app includes no plugins")
	}
	nested := map[string]bool{}
	for _, inc := range app.Includes {
		if inc.Type == "dashboard" {
			// A dashboard the app ships is a dashboard JSON, not a nested plugin: it must be packaged, titled as
			// the include names it.
			var dash struct {
				Title string `json:"title"`
			}
			raw, err := os.ReadFile(filepath.Join(dist, inc.Path))
			if err != nil || json.Unmarshal(raw, &dash) != nil || dash.Title != inc.Name {
				t.Errorf("include %s: dashboard %q, packaged title %q (%v)", inc.Path, inc.Name, dash.Title, err)
			}
			continue
		}
		dir := filepath.Join(dist, filepath.Dir(inc.Path))
		m := readManifest(t, filepath.Join(dist, inc.Path))
		checkManifest(t, dir, m)
		if m.Type != inc.Type || m.Name != inc.Name {
			t.Errorf("include %s: %s %q, but the nested plugin.json is %s %q", inc.Path, inc.Type, inc.Name, m.Type, m.Name)
		}
		if m.Info.Version != app.Info.Version {
			t.Errorf("%s: version %s, app %s", inc.Path, m.Info.Version, app.Info.Version)
		}
		nested[filepath.ToSlash(inc.Path)] = true
	}
	// Every plugin.json under dist/ is the app or one it includes.
	_ = filepath.WalkDir(dist, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "plugin.json" && path != filepath.Join(dist, "plugin.json") {
			rel, _ := filepath.Rel(dist, path)
			if !nested[filepath.ToSlash(rel)] {
				t.Errorf("%s is not in the app's includes", rel)
			}
		}
		return nil
	})
}

// The nested data source's backend for linux/amd64 exists, is executable and completes Grafana's handshake; the
// package carries README, CHANGELOG and LICENSE.
func TestPackagedFiles(t *testing.T) {
	dist := distDir(t)
	for _, f := range []string{"README.md", "CHANGELOG.md", "LICENSE", "module.js"} {
		mustExist(t, "package file", dist, f)
	}
	ds := filepath.Join(dist, "datasource")
	m := readManifest(t, filepath.Join(ds, "plugin.json"))
	if !m.Backend || m.Executable == "" {
		t.Fatalf("the data source declares no backend executable: %+v", m)
	}
	exe := filepath.Join(ds, m.Executable+"_linux_amd64")
	info, err := os.Stat(exe)
	if err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("linux/amd64 backend %s: %v (mode %v)", exe, err, info)
	}
	p, err := host.Start(host.Options{Dir: ds, StartTimeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("the backend does not start as Grafana starts it: %v", err)
	}
	p.Close()
}

// No fmt.Print* in the backend's Go code (the validator's code rule; logs go through the SDK's logger).
// Commands under pkg/cmd are separate programs and not part of the plugin.
func TestNoPrintInBackend(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir("../../pkg", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && filepath.Base(path) == "cmd" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fmt" && strings.HasPrefix(sel.Sel.Name, "Print") {
					t.Errorf("%s: fmt.%s", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The front end reaches the backend through Grafana's DataSourceWithBackend, never by calling /api/ds/query
// itself, and a backend data source has no testDatasource() of its own (the validator's code rules).
func TestFrontEndCodeRules(t *testing.T) {
	files := 0
	err := filepath.WalkDir("../../src", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), "__") { // __fixtures__, __mocks__
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".ts") || strings.HasSuffix(path, ".tsx")) || strings.Contains(path, ".test.") {
			return nil
		}
		files++
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		code := comments.ReplaceAll(raw, nil) // the rules are about code; comments may name what is not done
		if strings.Contains(string(code), "/api/ds/query") {
			t.Errorf("%s calls /api/ds/query directly", path)
		}
		if strings.Contains(path, "datasource") && testDatasource.Match(code) {
			t.Errorf("%s defines testDatasource(): a backend data source's health check is CheckHealth", path)
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("front-end sources: %d files, %v", files, err)
	}
}
