package settings

import (
	"reflect"
	"testing"
)

// A value of the wrong JSON type names its setting and what it needs; malformed JSON says so.
func TestParseNamesTheSettingOfAWrongType(t *testing.T) {
	for raw, want := range map[string]string{
		`{"queryTimeoutSeconds":"30"}`:       `setting "queryTimeoutSeconds" must be a whole number, not a JSON string`,
		`{"minSamples":1.5}`:                 `setting "minSamples" must be a whole number, not a JSON number 1.5`,
		`{"featureColumns":"amount"}`:        `setting "featureColumns" must be a list of strings, not a JSON string`,
		`{"featureColumns":["amount", 3]}`:   `setting "featureColumns" must be a list of strings, not a JSON number`,
		`{"table":{"name":"x"}}`:             `setting "table" must be a string, not a JSON object`,
		`{"cacheMB":"big"}`:                  `setting "cacheMB" must be a whole number, not a JSON string`,
		`{"table":"x",`:                      `data source settings are not valid JSON: unexpected end of JSON input`,
		`{"maxConnections":true}`:            `setting "maxConnections" must be a whole number, not a JSON bool`,
		`{"segmentColumns":[["a"]]}`:         `setting "segmentColumns" must be a list of strings, not a JSON array`,
		`{"positiveLabel":["fraud","spam"]}`: `setting "positiveLabel" must be a string, not a JSON array`,
	} {
		_, err := Parse([]byte(raw), nil)
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}

// Keys no setting reads are listed (sorted) for CheckHealth; every documented key, nested connection and cache
// keys included, is known.
func TestParseListsUnknownKeys(t *testing.T) {
	s, err := Parse([]byte(`{"queryTimeoutSecond":30,"table":"inference_log","host":"","sparkUrl":"","cacheMB":8,
		"cacheSettleMinutes":5,"Table":"x","maxConcurrentQueries":2,"defaultReference":null}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Table", "queryTimeoutSecond"}; !reflect.DeepEqual(s.Ignored, want) {
		t.Errorf("ignored %q, want %q", s.Ignored, want)
	}
	if s, _ := Parse([]byte(`{"table":"inference_log"}`), nil); s.Ignored != nil {
		t.Errorf("ignored %q, want none", s.Ignored)
	}
}
