package query

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A reference range's bounds may be relative: Grafana's time syntax, "now", "now-35d", "now-28d/d", anchored not
// at the wall clock but at the end of the query's time range — which is the current time for a dashboard ending
// "now" and the evaluation time for an alert rule (Grafana sends a rule's relativeTimeRange as an absolute range
// ending at its evaluation time), and a fixed instant for a fixed range, so the same query always compares the
// same rows. Units: s, m, h, d, w, M (calendar months), y; "/unit" rounds down to the start of the second, minute,
// hour, day, ISO week (Monday), month or year, in UTC. Grammar: now([+-]N unit)*(/unit)?.
var relativeRe = regexp.MustCompile(`^now((?:[+-][0-9]+[smhdwMy])*)(?:/([smhdwMy]))?$`)

var relativeTermRe = regexp.MustCompile(`([+-])([0-9]+)([smhdwMy])`)

// maxRelativeSpan bounds one term (100 years) so that the arithmetic cannot overflow a time.Duration (±292 years).
const maxRelativeSpan = 100 * 366 * 24 * time.Hour

// UnmarshalJSON reads a reference whose from/to are RFC 3339 times or relative expressions (see relativeRe).
func (r *Reference) UnmarshalJSON(b []byte) error {
	type plain Reference
	var raw struct {
		plain
		From json.RawMessage `json:"from"`
		To   json.RawMessage `json:"to"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Reference(raw.plain)
	var err error
	if r.From, r.FromRelative, err = readBound("from", raw.From); err != nil {
		return err
	}
	r.To, r.ToRelative, err = readBound("to", raw.To)
	return err
}

// MarshalJSON writes a reference as it was given: a relative bound as its expression, so that a query encoded
// before ResolveRelative reads back the same.
func (r Reference) MarshalJSON() ([]byte, error) {
	type plain Reference
	out := struct {
		plain
		From any `json:"from,omitempty"`
		To   any `json:"to,omitempty"`
	}{plain: plain(r)}
	for _, b := range []struct {
		dst *any
		rel string
		t   time.Time
	}{{&out.From, r.FromRelative, r.From}, {&out.To, r.ToRelative, r.To}} {
		switch {
		case b.rel != "" && b.t.IsZero():
			*b.dst = b.rel
		case !b.t.IsZero():
			*b.dst = b.t
		}
	}
	return json.Marshal(out)
}

// readBound reads one bound: absent/null, an RFC 3339 time, or a relative expression (returned as text).
func readBound(name string, raw json.RawMessage) (time.Time, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, "", fmt.Errorf("reference %s must be a string (RFC 3339 or now-…): %w", name, err)
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "now") {
		if !relativeRe.MatchString(s) {
			return time.Time{}, "", fmt.Errorf("reference %s %q is not a relative time like now-35d or now-28d/d", name, s)
		}
		return time.Time{}, s, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("reference %s %q is neither RFC 3339 (2026-10-01T00:00:00Z) nor relative (now-35d/d)", name, s)
	}
	return t, "", nil
}

// ResolveTime reads a time written as RFC 3339 or relative to now (as a Grafana dashboard's time range is),
// resolving "now" to now.
func ResolveTime(s string, now time.Time) (time.Time, error) {
	t, rel, err := readBound("time", json.RawMessage(strconv.Quote(s)))
	if err != nil || rel == "" {
		return t, err
	}
	return resolveRelative(rel, now)
}

// ResolveRelative fixes a relative reference range's bounds against the end of the query's time range (anchor)
// and checks the result as an absolute range is checked. Absolute references are unchanged.
func (m *Model) ResolveRelative(anchor time.Time) error {
	r := m.Reference
	if r == nil || r.Type != RefRange || (r.FromRelative == "" && r.ToRelative == "") {
		return nil
	}
	var err error
	if r.FromRelative != "" {
		if r.From, err = resolveRelative(r.FromRelative, anchor); err != nil {
			return err
		}
	}
	if r.ToRelative != "" {
		if r.To, err = resolveRelative(r.ToRelative, anchor); err != nil {
			return err
		}
	}
	return m.normaliseReference()
}

// resolveRelative evaluates one relative expression (already matched by relativeRe) at anchor, in UTC.
func resolveRelative(expr string, anchor time.Time) (time.Time, error) {
	m := relativeRe.FindStringSubmatch(expr)
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not a relative time like now-35d or now-28d/d", expr)
	}
	t := anchor.UTC()
	for _, term := range relativeTermRe.FindAllStringSubmatch(m[1], -1) {
		n, err := strconv.Atoi(term[2])
		if err != nil || n > maxTermCount(term[3]) {
			return time.Time{}, fmt.Errorf("%q: the offset %s%s is too large", expr, term[2], term[3])
		}
		if term[1] == "-" {
			n = -n
		}
		switch term[3] {
		case "M":
			t = t.AddDate(0, n, 0)
		case "y":
			t = t.AddDate(n, 0, 0)
		default:
			t = t.Add(time.Duration(n) * unitDuration(term[3]))
		}
	}
	if m[2] != "" {
		t = startOf(t, m[2])
	}
	return t, nil
}

// maxTermCount is the largest count of a unit within maxRelativeSpan.
func maxTermCount(u string) int {
	switch u {
	case "M":
		return 1200
	case "y":
		return 100
	}
	return int(maxRelativeSpan / unitDuration(u))
}

func unitDuration(u string) time.Duration {
	switch u {
	case "s":
		return time.Second
	case "m":
		return time.Minute
	case "h":
		return time.Hour
	case "d":
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour // "w"
}

// startOf rounds t (UTC) down to the start of its unit; weeks start on Monday (ISO 8601).
func startOf(t time.Time, unit string) time.Time {
	y, mo, d := t.Date()
	switch unit {
	case "s", "m", "h":
		return t.Truncate(unitDuration(unit))
	case "d":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case "w":
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
	case "M":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) // "y"
}
