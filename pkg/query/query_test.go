package query

import (
	"strings"
	"testing"
	"time"
)

func TestResolveWindow(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name     string
		window   string
		interval time.Duration
		rng      time.Duration
		maxDP    int64
		want     time.Duration
		widened  bool
	}{
		{"explicit day", "1d", time.Minute, 30 * day, 1000, day, false},
		{"explicit week", "1w", time.Minute, 90 * day, 1000, 7 * day, false},
		{"auto from panel interval", "auto", 40 * time.Minute, 30 * day, 1000, time.Hour, false},
		// Alert rules: intervalMs 1000, maxDataPoints 43200 over 30 days → 60 s; MaxWindows (1000) → 43.2 min → 1h.
		{"alert rule defaults are clamped", "auto", time.Second, 30 * day, 43200, time.Hour, false},
		{"explicit window too fine for the range", "1m", time.Second, 30 * day, 43200, time.Hour, true},
		{"floor of one minute", "auto", time.Second, time.Hour, 43200, time.Minute, false},
		// 400 days / 9 points = 44.44 days → 45 days.
		{"beyond a week rounds up to whole days", "auto", 9*day + time.Hour, 400 * day, 9, 45 * day, false},
	}
	for _, c := range cases {
		got, widened, err := ResolveWindow(c.window, c.interval, c.rng, c.maxDP)
		if err != nil || got != c.want || widened != c.widened {
			t.Errorf("%s: got %v widened=%v err=%v, want %v widened=%v", c.name, got, widened, err, c.want, c.widened)
		}
		if c.rng/got > MaxWindows {
			t.Errorf("%s: %d windows exceed the bound", c.name, c.rng/got)
		}
	}
}

func TestParseDefaultsAndEnvelope(t *testing.T) {
	m, err := Parse([]byte(`{"queryType":"drift","model":"*","features":["$__all"]}`), "distribution")
	if err != nil {
		t.Fatal(err)
	}
	if m.QueryType != TypeDistribution || m.Model != "" || m.Features != nil || m.Metric != MetricAuto || m.Bins != DefaultBins ||
		m.Window != "auto" || m.Reference.Type != RefTrailing || m.Reference.Windows != DefaultTrailing {
		t.Fatalf("defaults not applied: %+v %+v", m, m.Reference)
	}
	if _, err := Parse([]byte(`{"threshold":-1}`), ""); err == nil || !strings.Contains(err.Error(), "threshold") {
		t.Fatalf("negative threshold accepted: %v", err)
	}
	for _, w := range []string{"15m", "1h", "1d", "2w", "90s"} {
		if _, err := ParseWindow(w); err != nil {
			t.Errorf("%s: %v", w, err)
		}
	}
	for _, w := range []string{"0d", "-1h", "d", "1y"} {
		if _, err := ParseWindow(w); err == nil {
			t.Errorf("%s accepted", w)
		}
	}
}

func TestParseDataQuality(t *testing.T) {
	m, err := Parse([]byte(`{"queryType":"dataQuality","model":"m1","features":["x"],"window":"1d","reference":{"type":"table","table":"training_set"}}`), "")
	if err != nil || m.QueryType != TypeDataQuality || m.Reference.Table != "training_set" {
		t.Fatalf("dataQuality not accepted: %+v %v", m, err)
	}
}

func TestParseSegmentSplitAndThresholds(t *testing.T) {
	m, err := Parse([]byte(`{"segment":{"column":"region","split":true},"thresholds":{"mode":"trailing"}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Segment.Split || m.Segment.Top != DefaultSegmentTop {
		t.Errorf("segment split defaults: %+v", m.Segment)
	}
	if th := m.Thresholds; th.K != DefaultK || th.History != DefaultHistory || th.Hysteresis != 1 || th.Output != OutputBand {
		t.Errorf("thresholds defaults: %+v", th)
	}
	bad := map[string]string{
		`{"segment":{"column":"region","value":"EU","split":true}}`:                        "either a value",
		`{"segment":{"column":"region","split":true,"top":51}}`:                            "top between 1 and 50",
		`{"thresholds":{"mode":"sometimes"}}`:                                              "unknown thresholds mode",
		`{"thresholds":{"mode":"trailing","history":2}}`:                                   "history must be between 3",
		`{"thresholds":{"k":-1}}`:                                                          "k must be",
		`{"thresholds":{"hysteresis":-2}}`:                                                 "hysteresis must be",
		`{"thresholds":{"output":"both"}}`:                                                 "unknown thresholds output",
		`{"thresholds":{"mode":"reference"},"reference":{"type":"table","table":"train"}}`: "time-based reference",
	}
	for raw, want := range bad {
		if _, err := Parse([]byte(raw), ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", raw, err, want)
		}
	}
}

// Issue 9 item 11: a query may set minSamples (validated); keys neither the query model nor Grafana defines are
// listed so the response can say they were ignored.
func TestMinSamplesAndUnknownKeys(t *testing.T) {
	m, err := Parse([]byte(`{"refId":"A","datasource":{"uid":"x"},"intervalMs":1000,"maxDataPoints":43200,
		"model":"churn","minSamples":20,"minSample":5,"binz":3}`), "drift")
	if err != nil {
		t.Fatal(err)
	}
	if m.MinSamples == nil || *m.MinSamples != 20 {
		t.Fatalf("minSamples %v, want 20", m.MinSamples)
	}
	if want := []string{"binz", "minSample"}; strings.Join(m.Ignored, ",") != strings.Join(want, ",") {
		t.Fatalf("ignored %v, want %v", m.Ignored, want)
	}
	if m, _ := Parse([]byte(`{"model":"churn"}`), ""); m.MinSamples != nil || m.Ignored != nil {
		t.Fatalf("a plain query: minSamples %v ignored %v", m.MinSamples, m.Ignored)
	}
	for _, bad := range []string{`{"minSamples":0}`, `{"minSamples":-3}`, `{"minSamples":1000001}`} {
		if _, err := Parse([]byte(bad), ""); err == nil || !strings.Contains(err.Error(), "minSamples must be between 1 and 1000000") {
			t.Errorf("%s: err %v", bad, err)
		}
	}
}
