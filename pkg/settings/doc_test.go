package settings

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// docs/settings.md lists every jsonData key the backend reads, with its default as Defaults() has it, and every
// secureJsonData key settings.go reads (secure["…"]): a key added to Settings without a line in the doc fails here.
func TestSettingsDocListsEveryKeyWithItsDefault(t *testing.T) {
	raw, err := os.ReadFile("../../docs/settings.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([A-Za-z]+)` \\| (.*?) \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(raw), -1) {
		documented[m[1]] = m[2]
	}
	defaults, _ := json.Marshal(Defaults())
	var want map[string]any
	_ = json.Unmarshal(defaults, &want)
	typ := reflect.TypeOf(Settings{})
	for i := 0; i < typ.NumField(); i++ {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if key == "-" || key == "" {
			continue
		}
		doc, ok := documented[key]
		if !ok {
			t.Errorf("jsonData key %q (Settings.%s) is not in docs/settings.md", key, typ.Field(i).Name)
			continue
		}
		def, _ := json.Marshal(want[key])
		if !strings.HasPrefix(doc, "`"+string(def)+"`") && !(string(def) == "null" && strings.HasPrefix(doc, "`[]`")) {
			t.Errorf("docs/settings.md gives %q the default %s, Defaults() has %s", key, doc, def)
		}
	}
	src, err := os.ReadFile("settings.go")
	if err != nil {
		t.Fatal(err)
	}
	secureKeys := regexp.MustCompile(`secure\["([A-Za-z]+)"\]`).FindAllStringSubmatch(string(src), -1)
	if len(secureKeys) == 0 {
		t.Fatal("no secureJsonData key read in settings.go: the pattern of this test is out of date")
	}
	for _, m := range secureKeys {
		key := m[1]
		if _, ok := documented[key]; !ok {
			t.Errorf("secureJsonData key %q is not in docs/settings.md", key)
		}
	}
}
