package query

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Window limits. MinWindow is the floor every window is clamped to; MaxWindows bounds how many buckets one query
// can ask the store for (alert rules arrive with intervalMs=1000 and maxDataPoints=43200: without the clamp a
// 30-day range would become millions of buckets). MaxWindow caps one window (ten years of 366 days) and MaxSpan
// caps a query's time range and how far back its reference or threshold windows reach (100 years of 365.25
// days): both keep every window bound and window count far inside time.Duration's ±292 years, so no arithmetic on
// them overflows.
const (
	MinWindow  = time.Minute
	MaxWindows = 1000
	MaxWindow  = 3660 * 24 * time.Hour
	MaxSpan    = 36525 * 24 * time.Hour
)

// WindowOrigin is the instant every window is aligned to: Monday 2000-01-03 00:00 UTC, the origin DuckDB's
// time_bucket uses for the same reason. Window k of width w covers [WindowOrigin + k·w, WindowOrigin + (k+1)·w),
// so every dashboard and alert rule asking for the same width sees the same bounds: widths that divide a day
// start on UTC day boundaries (15m windows at :00, :15, …; 1d windows at 00:00 UTC), 1w windows are ISO weeks
// (Monday 00:00 UTC to the next Monday), n-week windows are runs of n ISO weeks counted from 2000-01-03, and any
// other width (e.g. 5d, 7h) is a multiple of itself from the origin.
var WindowOrigin = time.Date(2000, time.January, 3, 0, 0, 0, 0, time.UTC)

// AlignWindow returns the start of the window of width w (> 0) containing t.
func AlignWindow(t time.Time, w time.Duration) time.Time {
	us := w.Microseconds()
	x := t.UnixMicro() - WindowOrigin.UnixMicro()
	k := x / us
	if x < 0 && x%us != 0 {
		k--
	}
	return WindowOrigin.Add(time.Duration(k*us) * time.Microsecond)
}

// ParseWindow accepts Go durations plus the day and week units Grafana users write ("1d", "1w", "12h"). A
// well-formed window longer than MaxWindow — including one too long for time.Duration — is capped to MaxWindow;
// capped says so.
func ParseWindow(s string) (w time.Duration, capped bool, err error) {
	s = strings.TrimSpace(s)
	if m := dayWeekRe.FindStringSubmatch(s); m != nil {
		unit := 24 * time.Hour
		if m[2] == "w" {
			unit *= 7
		}
		v, err := strconv.ParseUint(m[1], 10, 64) // fails only beyond uint64: capped below
		switch {
		case err == nil && v == 0:
			return 0, false, fmt.Errorf("window %q is not a duration like 15m, 1h, 1d or 1w", s)
		case err != nil || v > uint64(MaxWindow/unit):
			return MaxWindow, true, nil
		}
		return time.Duration(v) * unit, false, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil && goDurationRe.MatchString(s) {
		return MaxWindow, true, nil // well-formed: ParseDuration fails on it only beyond time.Duration's range
	}
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("window %q is not a duration like 15m, 1h, 1d or 1w", s)
	}
	if d > MaxWindow {
		return MaxWindow, true, nil
	}
	return d, false, nil
}

var (
	dayWeekRe    = regexp.MustCompile(`^([0-9]+)([dw])$`)
	goDurationRe = regexp.MustCompile(`^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`)
)

var niceWindows = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
	3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// ResolveWindow turns the query's window into a duration: max(requested or panel interval, range/maxDataPoints,
// range/MaxWindows, MinWindow), at most MaxWindow. "auto" rounds the panel interval up to the next nice window.
// The notice (empty when none) says when a requested window was widened or capped. A range longer than MaxSpan is
// an error: callers clamp the range first (and say so).
func ResolveWindow(window string, interval time.Duration, rng time.Duration, maxDataPoints int64) (time.Duration, string, error) {
	if rng > MaxSpan {
		return 0, "", fmt.Errorf("time range of %d days is longer than the longest supported range (%d days)", rng/(24*time.Hour), MaxSpan/(24*time.Hour))
	}
	floor := MinWindow
	if maxDataPoints > 0 {
		if d := rng / time.Duration(maxDataPoints); d > floor {
			floor = d
		}
	}
	if d := rng / MaxWindows; d > floor {
		floor = d
	}
	if window == "auto" || window == "" {
		return niceCeil(max(interval, floor)), "", nil
	}
	w, capped, err := ParseWindow(window)
	if err != nil {
		return 0, "", err
	}
	if capped {
		return w, fmt.Sprintf("window %s capped to the longest window, %s", window, FormatWindow(MaxWindow)), nil
	}
	if w < floor {
		wide := niceCeil(floor)
		return wide, fmt.Sprintf("window %s widened to %s to keep the number of windows bounded", window, FormatWindow(wide)), nil
	}
	return w, "", nil
}

// CheckLookback fails when n windows of width w reach back further than MaxSpan (a trailing reference or a
// threshold history of n windows), naming the query option to change.
func CheckLookback(what string, n int, w time.Duration) error {
	if n > 0 && w > MaxSpan/time.Duration(n) {
		return fmt.Errorf("%s of %d windows of %s reaches back more than %d days; use fewer or shorter windows",
			what, n, FormatWindow(w), MaxSpan/(24*time.Hour))
	}
	return nil
}

// FormatWindow renders a window in the units users write: whole weeks as "Nw", whole days as "Nd", anything
// else as a Go duration without its zero minutes and seconds ("1h", "15m", "1h30m", "90s").
func FormatWindow(w time.Duration) string {
	day := 24 * time.Hour
	switch {
	case w >= 7*day && w%(7*day) == 0:
		return fmt.Sprintf("%dw", w/(7*day))
	case w >= day && w%day == 0:
		return fmt.Sprintf("%dd", w/day)
	}
	s := w.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// niceCeil rounds a window up to the next of niceWindows (beyond a week: to whole days, at most MaxWindow), so
// windows stay aligned to clock boundaries.
func niceCeil(w time.Duration) time.Duration {
	for _, n := range niceWindows {
		if n >= w {
			return n
		}
	}
	day := 24 * time.Hour
	return min((w+day-1)/day*day, MaxWindow)
}
