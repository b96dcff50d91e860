package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseWindow accepts Go durations plus the day and week units Grafana users write ("1d", "1w", "12h").
func ParseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		v, err := strconv.Atoi(s[:n-1])
		if err == nil && v > 0 {
			unit := 24 * time.Hour
			if s[n-1] == 'w' {
				unit *= 7
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("window %q is not a duration like 15m, 1h, 1d or 1w", s)
	}
	return d, nil
}

// Window limits. MinWindow is the floor every window is clamped to; MaxWindows bounds how many buckets one query
// can ask the store for (alert rules arrive with intervalMs=1000 and maxDataPoints=43200: without the clamp a
// 30-day range would become millions of buckets).
const (
	MinWindow  = time.Minute
	MaxWindows = 1000
)

var niceWindows = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
	3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// ResolveWindow turns the query's window into a duration: max(requested or panel interval, range/maxDataPoints,
// range/MaxWindows, MinWindow). "auto" rounds the panel interval up to the next nice window. The second return
// says whether a requested window was widened, so the frame can carry a notice.
func ResolveWindow(window string, interval time.Duration, rng time.Duration, maxDataPoints int64) (time.Duration, bool, error) {
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
		w := interval
		if w < floor {
			w = floor
		}
		return niceCeil(w), false, nil
	}
	w, err := ParseWindow(window)
	if err != nil {
		return 0, false, err
	}
	if w < floor {
		return niceCeil(floor), true, nil
	}
	return w, false, nil
}

// niceCeil rounds a window up to the next of niceWindows (beyond a week: to whole days), so windows stay aligned
// to clock boundaries.
func niceCeil(w time.Duration) time.Duration {
	for _, n := range niceWindows {
		if n >= w {
			return n
		}
	}
	day := 24 * time.Hour
	return (w + day - 1) / day * day
}
