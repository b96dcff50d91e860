package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// knownKeys are the jsonData keys a setting reads, with their Go types: the json names of Settings' fields and
// of its embedded connection and cache settings.
var knownKeys = jsonKeys(reflect.TypeOf(Settings{}))

func jsonKeys(t reflect.Type) map[string]reflect.Type {
	keys := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, kt := range jsonKeys(f.Type) {
				keys[k] = kt
			}
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			keys[name] = f.Type
		}
	}
	return keys
}

// unknownKeys lists, sorted, the top-level keys of a jsonData object that no setting reads: a misspelt key
// (queryTimeoutSecond) would otherwise be ignored without a word. jsonData that is not an object gives none
// (Parse reports it).
func unknownKeys(jsonData []byte) []string {
	var raw map[string]json.RawMessage
	if json.Unmarshal(jsonData, &raw) != nil {
		return nil
	}
	var out []string
	for k := range raw {
		if _, ok := knownKeys[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// jsonError words a decoding failure of jsonData: a value of the wrong JSON type (also inside a list) names its
// setting and the type it needs (`setting "queryTimeoutSeconds" must be a whole number, not a JSON string`); anything else is invalid
// JSON.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		// Field is the path of Go field names and json keys (Postgres.maxConnections); the key is its last part.
		key := te.Field[strings.LastIndex(te.Field, ".")+1:]
		if t, ok := knownKeys[key]; ok {
			return fmt.Errorf("setting %q must be %s, not a JSON %s", key, jsonKind(t), te.Value)
		}
	}
	return fmt.Errorf("data source settings are not valid JSON: %w", err)
}

// jsonKind names what a Go type accepts in JSON terms.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(jsonKind(t.Elem()), "a ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a string"
}
