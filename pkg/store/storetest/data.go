// Package storetest is the engine-neutral store suite: the same rows loaded into every engine, the same
// assertions — exact values derived by hand in the comments — on every store.Store method's output. An engine
// joins with one Engine entry: how to load Tables into a fresh store, and how to open a store.Store over it.
package storetest

import (
	"math"
	"strconv"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// ColumnType is the neutral type of a fixture column; each engine's loader maps it to its own.
type ColumnType int

const (
	Timestamp ColumnType = iota // time.Time (UTC wall clock, no zone), or nil
	Text                        // string, or nil
	Double                      // float64 (NaN and ±Inf included), or nil
	TextMap                     // map[string]string: the feature map (DuckDB MAP(VARCHAR, VARCHAR), PostgreSQL jsonb)
)

// Column is one fixture column.
type Column struct {
	Name string
	Type ColumnType
}

// Table is one fixture table: its columns and its rows (one value per column, nil for NULL).
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]any
}

// day is 2026-01-01 00:00 UTC plus d days and h hours.
func day(d, h int) time.Time {
	return time.Date(2026, 1, 1+d, h, 0, 0, 0, time.UTC)
}

// logRow is one prediction of the fixture log.
type logRow struct {
	ts         time.Time
	model      string
	version    string
	pid        string
	region     string
	x          any // float64 or nil
	c          any // string or nil
	prediction any // float64 or nil
	score      any // float64 or nil
}

// The fixture log. Model a: 4 rows on day 0 (window 0) and 4 on day 1 (window 1); model b: 3 rows, one of them
// with x = 1e308 (a finite value whose square overflows). Row a6 is logged twice (a duplicate id, once with
// NULL prediction and score).
var logRows = []logRow{
	{day(0, 0), "a", "v1", "a1", "EU", 1.0, "u", 1.0, 0.9},
	{day(0, 1), "a", "v1", "a2", "EU", 2.0, "u", 1.0, 0.8},
	{day(0, 2), "a", "v2", "a3", "US", 3.0, "v", 0.0, 0.3},
	{day(0, 3), "a", "v2", "a4", "US", nil, nil, 0.0, 0.2},
	{day(1, 0), "a", "v2", "a5", "EU", 4.0, "v", 1.0, 0.7},
	{day(1, 1), "a", "v2", "a6", "EU", math.NaN(), "w", 0.0, 0.4},
	{day(1, 2), "a", "v2", "a6", "US", 5.0, "u", nil, nil},
	{day(1, 3), "a", "v2", "a8", "US", math.Inf(1), "u", 1.0, 0.95},
	{day(0, 5), "b", "v1", "b1", "EU", 10.0, "p", 0.0, 0.1},
	{day(0, 6), "b", "v1", "b2", "EU", 20.0, "p", 0.0, 0.6},
	{day(1, 5), "b", "v1", "b3", "EU", 1e308, "q", 1.0, 1.0},
}

// The labels: a1 6 h after its prediction, a2 12 h, a3 1 h, a4 3 h, a5 24 h; a8 first 0 after 2 h, then
// corrected to 1 on day 9 (after the LabelsUntil the cases use); a6 never labelled.
var labelRows = [][]any{
	{"a1", 1.0, day(0, 6)},
	{"a2", 0.0, day(0, 13)},
	{"a3", 0.0, day(0, 3)},
	{"a4", 1.0, day(0, 6)},
	{"a5", 1.0, day(2, 0)},
	{"a8", 0.0, day(1, 5)},
	{"a8", 1.0, day(9, 0)},
	{"b1", 0.0, day(0, 7)},
	{"b2", 1.0, day(0, 8)},
	{"b3", 1.0, day(1, 6)},
}

// Fixture is a store's tables and the settings that map them (Path and connection fields are the engine's).
type Fixture struct {
	Tables   []Table
	Settings settings.Settings
}

// Wide is the fixture with the features as columns x (DOUBLE) and c (text), a labels table and a model registry
// that lists model a only (x numeric, importance 0.7; c categorical, 0.3).
func Wide() Fixture {
	log := Table{Name: "inference_log", Columns: []Column{{"ts", Timestamp}, {"model_id", Text}, {"model_version", Text},
		{"prediction_id", Text}, {"region", Text}, {"x", Double}, {"c", Text}, {"prediction", Double}, {"score", Double}}}
	for _, r := range logRows {
		log.Rows = append(log.Rows, []any{r.ts, r.model, r.version, r.pid, r.region, r.x, r.c, r.prediction, r.score})
	}
	return Fixture{Tables: []Table{log, labels(), registry()}, Settings: fixtureSettings()}
}

// Map is Wide with the features in one text-valued map column, features, under the keys X and C (capitals: the
// statements compare keys lower-cased, the names Features lists); a NULL feature is an absent key, and the
// registry says x is numeric, so its text values are read as numbers ("NaN" and "Infinity" are non-finite).
func Map() Fixture {
	log := Table{Name: "inference_log", Columns: []Column{{"ts", Timestamp}, {"model_id", Text}, {"model_version", Text},
		{"prediction_id", Text}, {"region", Text}, {"features", TextMap}, {"prediction", Double}, {"score", Double}}}
	for _, r := range logRows {
		fm := map[string]string{}
		if x, ok := r.x.(float64); ok {
			fm["X"] = formatNumber(x)
		}
		if c, ok := r.c.(string); ok {
			fm["C"] = c
		}
		log.Rows = append(log.Rows, []any{r.ts, r.model, r.version, r.pid, r.region, fm, r.prediction, r.score})
	}
	reg := registry()
	// Model b is in no registry; with a text map, its features would be categorical: the registry types them.
	reg.Rows = append(reg.Rows, []any{"b", "x", "numeric", nil, nil, nil, nil}, []any{"b", "c", "categorical", nil, nil, nil, nil})
	cfg := fixtureSettings()
	cfg.FeatureMapColumn = "features"
	return Fixture{Tables: []Table{log, labels(), reg}, Settings: cfg}
}

func formatNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func labels() Table {
	return Table{Name: "inference_label", Columns: []Column{{"prediction_id", Text}, {"label", Double}, {"label_ts", Timestamp}}, Rows: labelRows}
}

func registry() Table {
	return Table{Name: "model_registry", Columns: []Column{{"model_id", Text}, {"feature", Text}, {"feature_type", Text},
		{"importance", Double}, {"task", Text}, {"tier", Text}, {"owner", Text}},
		Rows: [][]any{{"a", "X", "numeric", 0.7, "binary", "1", "team-a"}, {"a", "c", "categorical", 0.3, "binary", "1", "team-a"}}}
}

func fixtureSettings() settings.Settings {
	cfg := settings.Defaults()
	cfg.SegmentColumns = []string{"region"}
	return cfg
}
