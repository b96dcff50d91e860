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
		notice   string
	}{
		{"explicit day", "1d", time.Minute, 30 * day, 1000, day, ""},
		{"explicit week", "1w", time.Minute, 90 * day, 1000, 7 * day, ""},
		{"auto from panel interval", "auto", 40 * time.Minute, 30 * day, 1000, time.Hour, ""},
		// Alert rules: intervalMs 1000, maxDataPoints 43200 over 30 days → 60 s; MaxWindows (1000) → 43.2 min → 1h.
		{"alert rule defaults are clamped", "auto", time.Second, 30 * day, 43200, time.Hour, ""},
		{"explicit window too fine for the range", "1m", time.Second, 30 * day, 43200, time.Hour,
			"window 1m widened to 1h to keep the number of windows bounded"},
		// 3660 days / 1000 windows = 3.66 days → 37 days, written as users write windows.
		{"a week too fine for the longest range", "1w", time.Minute, MaxSpan, 1000, 37 * day,
			"window 1w widened to 37d to keep the number of windows bounded"},
		{"floor of one minute", "auto", time.Second, time.Hour, 43200, time.Minute, ""},
		// 400 days / 9 points = 44.44 days → 45 days.
		{"beyond a week rounds up to whole days", "auto", 9*day + time.Hour, 400 * day, 9, 45 * day, ""},
		// Windows whose length overflows time.Duration (or nearly) are capped, never widened from a wrapped value.
		{"110000d overflows", "110000d", time.Minute, 30 * day, 1000, 3660 * day, "window 110000d capped to the longest window, 3660d"},
		{"106752d overflows", "106752d", time.Minute, 30 * day, 1000, 3660 * day, "window 106752d capped to the longest window, 3660d"},
		{"100000d", "100000d", time.Minute, 30 * day, 1000, 3660 * day, "window 100000d capped to the longest window, 3660d"},
		{"15250w", "15250w", time.Minute, 30 * day, 1000, 3660 * day, "window 15250w capped to the longest window, 3660d"},
		{"2562047h", "2562047h", time.Minute, 30 * day, 1000, 3660 * day, "window 2562047h capped to the longest window, 3660d"},
		{"beyond time.Duration", "2562048h", time.Minute, 30 * day, 1000, 3660 * day, "window 2562048h capped to the longest window, 3660d"},
		{"275189593262967d", "275189593262967d", time.Minute, 30 * day, 1000, 3660 * day, "window 275189593262967d capped to the longest window, 3660d"},
		{"beyond uint64", "99999999999999999999999d", time.Minute, 30 * day, 1000, 3660 * day, "window 99999999999999999999999d capped to the longest window, 3660d"},
		{"longest window itself", "3660d", time.Minute, 30 * day, 1000, 3660 * day, ""},
		{"a whole century", "auto", time.Minute, MaxSpan, 1000, 37 * day, ""},
	}
	for _, c := range cases {
		got, notice, err := ResolveWindow(c.window, c.interval, c.rng, c.maxDP)
		if err != nil || got != c.want || notice != c.notice {
			t.Errorf("%s: got %v notice=%q err=%v, want %v notice=%q", c.name, got, notice, err, c.want, c.notice)
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
		if _, _, err := ParseWindow(w); err != nil {
			t.Errorf("%s: %v", w, err)
		}
	}
	for _, w := range []string{"0d", "-1h", "d", "1y", "-5d", "0w", "1.5d", "1e3h", "+1d", "0.0000000001ns"} {
		if _, _, err := ParseWindow(w); err == nil {
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

// A range beyond MaxSpan (Grafana accepts now-300y) is refused by ResolveWindow, never turned into a negative
// window count; the plugin clamps the range before it gets here.
func TestResolveWindowRefusesRangesBeyondMaxSpan(t *testing.T) {
	_, _, err := ResolveWindow("auto", time.Minute, MaxSpan+time.Hour, 1000)
	if err == nil || err.Error() != "time range of 36525 days is longer than the longest supported range (36525 days)" {
		t.Fatalf("err %v", err)
	}
}

func TestCheckLookback(t *testing.T) {
	day := 24 * time.Hour
	if err := CheckLookback("the trailing reference", 365, 100*day); err != nil {
		t.Fatalf("36500 days refused: %v", err)
	}
	err := CheckLookback("the trailing reference", 365, 101*day)
	if err == nil || err.Error() != "the trailing reference of 365 windows of 101d reaches back more than 36525 days; use fewer or shorter windows" {
		t.Fatalf("err %v", err)
	}
}

// Windows are aligned to Monday 2000-01-03 00:00 UTC: weeks are ISO weeks, days are UTC days, and the bounds do
// not depend on where the range starts. Expected values worked out by hand from the calendar (2026-10-01 is a
// Thursday; 1969-12-31 a Wednesday).
func TestAlignWindow(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	day := 24 * time.Hour
	cases := []struct {
		t    string
		w    time.Duration
		want string
	}{
		{"2026-10-01T13:45:00Z", 7 * day, "2026-09-28T00:00:00Z"}, // Thursday → its ISO week's Monday
		{"2026-10-05T00:00:00Z", 7 * day, "2026-10-05T00:00:00Z"}, // a Monday starts its own week
		{"2026-10-04T23:59:59Z", 7 * day, "2026-09-28T00:00:00Z"}, // Sunday night is still the week before
		{"1969-12-31T12:00:00Z", 7 * day, "1969-12-29T00:00:00Z"}, // before the origin and before the epoch
		{"2026-10-01T13:45:00Z", day, "2026-10-01T00:00:00Z"},     // UTC days
		{"2026-10-01T13:47:10Z", 15 * time.Minute, "2026-10-01T13:45:00Z"},
		{"2026-10-01T13:45:00Z", 14 * day, "2026-09-21T00:00:00Z"}, // 2000-01-03 + 697·14 days
		{"2026-10-13T00:00:00Z", 14 * day, "2026-10-05T00:00:00Z"}, // + 698·14 days
		{"1726-01-01T00:00:00Z", 7 * day, "1725-12-31T00:00:00Z"},  // now-300y: no overflow
	}
	for _, c := range cases {
		if got := AlignWindow(at(c.t), c.w).Format(time.RFC3339); got != c.want {
			t.Errorf("AlignWindow(%s, %v) = %s, want %s", c.t, c.w, got, c.want)
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

// Windows read back as users write them: weeks, days, then hours and minutes without zero parts.
func TestFormatWindow(t *testing.T) {
	day := 24 * time.Hour
	for w, want := range map[time.Duration]string{
		7 * day: "1w", 14 * day: "2w", 37 * day: "37d", day: "1d", 8 * day: "8d", time.Hour: "1h", 15 * time.Minute: "15m",
		90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", 45 * time.Second: "45s", 25 * time.Hour: "25h",
	} {
		if got := FormatWindow(w); got != want {
			t.Errorf("FormatWindow(%v) = %q, want %q", w, got, want)
		}
	}
}
