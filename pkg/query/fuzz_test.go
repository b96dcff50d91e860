package query

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzParse: no query body panics the parser, and a query it accepts is already normalised — encoding the parsed
// model and parsing it again gives the same model. Found crashers are kept under testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"queryType":"drift","model":"*","features":["$__all"]}`,
		`{"queryType":"diagnosis","window":"1w","diagnosisOutput":"verdicts"}`,
		`{"segment":{"column":"region","split":true,"top":50},"thresholds":{"mode":"trailing","k":3}}`,
		`{"reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}}`,
		`{"reference":{"type":"table","table":"t; DROP TABLE x"}}`, `{"window":"275189593262967d"}`,
		`{"bins":-1,"threshold":1e308,"decisionThreshold":0.5}`, `{"metrics":["ROC_AUC"," f1 "]}`, `[`, `null`,
	} {
		f.Add([]byte(seed), "")
	}
	f.Add([]byte(`{"queryType":"drift"}`), "performance")
	f.Add([]byte(`{"reference":{"type":"range","from":"now-35d/d","to":"2026-10-08T00:00:00Z"}}`), "drift")
	f.Fuzz(func(t *testing.T, raw []byte, envelope string) {
		m, err := Parse(raw, envelope)
		if err != nil {
			return
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("accepted query does not encode: %v", err)
		}
		m2, err := Parse(again, "")
		if err != nil {
			t.Fatalf("accepted query %s refused when parsed again: %v", again, err)
		}
		// Encoded, the built-in default reference is written out, so the second parse sees it as the query's own;
		// the keys the first parse ignored (Ignored) describe its input, not the query, and are not encoded.
		m.ReferenceDefaulted, m.Ignored = false, nil
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("parse is not idempotent:\n%+v\n%+v", m, m2)
		}
	})
}

// FuzzResolveWindow: any window text, panel interval, range and maxDataPoints either fail with an error or give a
// window in [MinWindow, MaxWindow] that cuts a range of at most MaxSpan into at most MaxWindows windows, and
// AlignWindow puts any instant of the last 300 years into the window that holds it.
func FuzzResolveWindow(f *testing.F) {
	day := int64(24 * time.Hour)
	for _, w := range []string{"auto", "", "1d", "1w", "15m", "110000d", "106752d", "100000d", "15250w", "2562047h",
		"275189593262967d", "9999999999999999999999w", "1.5h", "-1h", "0d", "1e3h"} {
		f.Add(w, int64(time.Minute), 30*day, int64(1000), int64(1790000000))
	}
	f.Add("auto", int64(time.Second), 300*365*day, int64(43200), int64(-5000000000))
	f.Add("1m", int64(-1), int64(-1), int64(-1), int64(0))
	f.Fuzz(func(t *testing.T, window string, interval, rng, maxDP, unix int64) {
		w, _, err := ResolveWindow(window, time.Duration(interval), time.Duration(rng), maxDP)
		if err != nil {
			return
		}
		if w < MinWindow || w > MaxWindow {
			t.Fatalf("window %v outside [%v, %v]", w, MinWindow, MaxWindow)
		}
		if rng > 0 && time.Duration(rng)/w > MaxWindows {
			t.Fatalf("%d windows of %v for a range of %v", time.Duration(rng)/w, w, time.Duration(rng))
		}
		at := time.Unix(unix%(300*365*86400), 0)
		start := AlignWindow(at, w)
		if at.Before(start) || !at.Before(start.Add(w)) {
			t.Fatalf("AlignWindow(%v, %v) = %v does not hold it", at, w, start)
		}
	})
}
