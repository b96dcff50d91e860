package settings

import (
	"strings"
	"testing"
)

// Numbers out of range are settings errors naming the key, not silently the default; absent keys (and null)
// keep the defaults.
func TestNumbersOutOfRangeAreErrors(t *testing.T) {
	for raw, want := range map[string]string{
		`{"minSamples":0}`:              "minSamples must be at least 1, got 0 (leave it out for the default 100)",
		`{"minSamples":-5}`:             "minSamples must be at least 1, got -5",
		`{"queryTimeoutSeconds":0}`:     "queryTimeoutSeconds must be at least 1, got 0 (leave it out for the default 60)",
		`{"queryTimeoutSeconds":-1}`:    "queryTimeoutSeconds must be at least 1, got -1",
		`{"memoryLimitMB":32}`:          "memoryLimitMB must be at least 64, got 32 (leave it out for the default 4096)",
		`{"cacheMB":-1}`:                "cacheMB must be between 0 (no reuse) and 1048576, not -1",
		`{"cacheMB":8800000000000}`:     "cacheMB must be between 0 (no reuse) and 1048576, not 8800000000000",
		`{"cacheSettleMinutes":527041}`: "cacheSettleMinutes must be between 0 and 527040 (a year), not 527041",
	} {
		if _, err := Parse([]byte(raw), nil); err == nil || err.Error() != want && !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", raw, err, want)
		}
	}
	for raw, want := range map[string][3]int{
		`{}`: {100, 60, 4096},
		`{"minSamples":null,"queryTimeoutSeconds":null}`:                   {100, 60, 4096},
		`{"minSamples":1,"queryTimeoutSeconds":1,"memoryLimitMB":64}`:      {1, 1, 64},
		`{"minSamples":250,"queryTimeoutSeconds":300,"memoryLimitMB":512}`: {250, 300, 512},
	} {
		s, err := Parse([]byte(raw), nil)
		if err != nil || [3]int{s.MinSamples, s.QueryTimeoutSecs, s.MemoryLimitMB} != want {
			t.Errorf("%s: %d %d %d, %v; want %v", raw, s.MinSamples, s.QueryTimeoutSecs, s.MemoryLimitMB, err, want)
		}
	}
}

// A segment column that is also a mapped column of another role is rejected, naming the role; the model and
// version columns may be segments.
func TestSegmentColumnOfAnotherRole(t *testing.T) {
	for raw, want := range map[string]string{
		`{"segmentColumns":["region","score"]}`:               `segment column "score" is the score column: a segment column must be a category column of its own (such as region)`,
		`{"segmentColumns":["Prediction"]}`:                   `segment column "Prediction" is the prediction column`,
		`{"segmentColumns":["ts"]}`:                           `segment column "ts" is the time column`,
		`{"labelColumn":"y","segmentColumns":["y"]}`:          `segment column "y" is the label column`,
		`{"segmentColumns":["prediction_id"]}`:                `segment column "prediction_id" is the prediction id column`,
		`{"featureMapColumn":"fm","segmentColumns":["fm"]}`:   `segment column "fm" is the feature map column`,
		`{"scoreColumn":"p","segmentColumns":["region","p"]}`: `segment column "p" is the score column`,
	} {
		if _, err := Parse([]byte(raw), nil); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", raw, err, want)
		}
	}
	for _, raw := range []string{`{"segmentColumns":["region","model_version","model_id"]}`, `{"scoreColumn":"","segmentColumns":["score"]}`} {
		if _, err := Parse([]byte(raw), nil); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}
