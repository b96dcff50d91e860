package query

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Relative reference bounds resolve against the end of the query's range, in UTC, as Grafana's time syntax reads
// (expected instants worked out by hand on the calendar: 2026-11-05 is a Thursday).
func TestRelativeReferenceResolves(t *testing.T) {
	anchor := time.Date(2026, 11, 5, 14, 37, 12, 0, time.UTC)
	for expr, want := range map[string]string{
		"now":          "2026-11-05T14:37:12Z",
		"now-35d":      "2026-10-01T14:37:12Z",
		"now-35d/d":    "2026-10-01T00:00:00Z",
		"now-28d/d":    "2026-10-08T00:00:00Z",
		"now/w":        "2026-11-02T00:00:00Z", // the Monday of that ISO week
		"now-1w/w":     "2026-10-26T00:00:00Z",
		"now-1M/M":     "2026-10-01T00:00:00Z",
		"now-1y/y":     "2025-01-01T00:00:00Z",
		"now-2h+30m/h": "2026-11-05T13:00:00Z",
		"now-90s/m":    "2026-11-05T14:35:00Z",
	} {
		got, err := resolveRelative(expr, anchor)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("%s: %v %v, want %s", expr, got.Format(time.RFC3339), err, want)
		}
	}
}

// A query with a relative reference parses, resolves against its range's end, and is then checked like an
// absolute one; bad expressions and inverted ranges are clear errors.
func TestRelativeReferenceInQuery(t *testing.T) {
	m, err := Parse([]byte(`{"queryType":"drift","reference":{"type":"range","from":"now-35d/d","to":"now-28d/d"}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ResolveRelative(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if f, to := m.Reference.From.Format(time.RFC3339), m.Reference.To.Format(time.RFC3339); f != "2026-10-01T00:00:00Z" || to != "2026-10-08T00:00:00Z" {
		t.Fatalf("resolved to [%s, %s)", f, to)
	}
	mixed, err := Parse([]byte(`{"queryType":"drift","reference":{"type":"range","from":"2026-10-01T00:00:00Z","to":"now-28d/d"}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := mixed.ResolveRelative(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)); err != nil || mixed.Reference.To.Format(time.RFC3339) != "2026-10-08T00:00:00Z" {
		t.Fatalf("mixed: %v %v", mixed.Reference.To, err)
	}
	for body, want := range map[string]string{
		`{"reference":{"type":"range","from":"now-35x","to":"now"}}`:          `reference from "now-35x" is not a relative time like now-35d or now-28d/d`,
		`{"reference":{"type":"range","from":"yesterday","to":"now"}}`:        `reference from "yesterday" is neither RFC 3339`,
		`{"reference":{"type":"range","from":7,"to":"now"}}`:                  `reference from must be a string`,
		`{"reference":{"type":"range","from":"now-99999999999d","to":"now"}}`: `is too large`,
		`{"reference":{"type":"range","from":"now-1d","to":"now-2d"}}`:        `reference range ends`,
	} {
		m, err := Parse([]byte(body), "drift")
		if err == nil {
			err = m.ResolveRelative(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// Every unit's largest count resolves without overflow; one more is refused.
func TestRelativeTermBounds(t *testing.T) {
	anchor := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	for _, u := range []string{"s", "m", "h", "d", "w", "M", "y"} {
		n := maxTermCount(u)
		got, err := resolveRelative(fmt.Sprintf("now-%d%s", n, u), anchor)
		if err != nil || got.Year() < 1926 || got.Year() > 1927 {
			t.Errorf("now-%d%s: %v %v, want a date in 1926 or 1927", n, u, got, err)
		}
		if _, err := resolveRelative(fmt.Sprintf("now-%d%s", n+1, u), anchor); err == nil {
			t.Errorf("now-%d%s resolved", n+1, u)
		}
	}
}

// A reference encoded before it is resolved reads back the same: relative bounds as their expressions, absolute
// ones as times, absent ones absent.
func TestReferenceEncodesAsGiven(t *testing.T) {
	for _, body := range []string{
		`{"type":"range","from":"now-35d/d","to":"now-28d/d"}`,
		`{"type":"range","from":"2026-10-01T00:00:00Z","to":"now-28d/d"}`,
		`{"type":"trailing","windows":7}`,
	} {
		var r Reference
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(r)
		if err != nil || string(out) != body {
			t.Errorf("%s encoded as %s (%v)", body, out, err)
		}
	}
}
