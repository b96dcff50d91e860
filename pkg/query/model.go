// Package query parses and validates the JSON query model of docs/contract.md. Everything a query names (model,
// features, segment column, reference table) is checked here for shape; the store then checks it against the
// discovered schema before any SQL is built.
package query

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// Query types served by the data source.
const (
	TypeDrift        = "drift"
	TypeDriftHeatmap = "driftHeatmap"
	TypeDistribution = "distribution"
	TypeDataQuality  = "dataQuality"
	TypePerformance  = "performance"
	// TypeEstimatedPerformance is CBPE: performance estimated from calibrated scores, without current labels.
	TypeEstimatedPerformance = "estimatedPerformance"
	// TypeDiagnosis composes the other analyses into per-cause evidence and a verdict per model and window.
	TypeDiagnosis = "diagnosis"
	// TypeFleetHealth rolls every model up to one row with a severity (page, ticket, report, ok).
	TypeFleetHealth = "fleetHealth"
)

// Metric names; MetricAuto lets the engine choose by feature type and reference size.
const (
	MetricAuto        = "auto"
	MetricPSI         = "psi"
	MetricJS          = "js"
	MetricKL          = "kl"
	MetricHellinger   = "hellinger"
	MetricLInf        = "linf"
	MetricWasserstein = "wasserstein"
	MetricKS          = "ks"
	MetricChi2        = "chi2"
	MetricZTest       = "ztest"
)

// Metrics lists every accepted metric name.
var Metrics = []string{MetricAuto, MetricPSI, MetricJS, MetricKL, MetricHellinger, MetricLInf, MetricWasserstein,
	MetricKS, MetricChi2, MetricZTest}

// Reference types.
const (
	RefRange    = "range"
	RefTrailing = "trailing"
	RefTable    = "table"
)

// Reference says what the current windows are compared against.
type Reference struct {
	Type    string    `json:"type"`
	From    time.Time `json:"from,omitempty"`
	To      time.Time `json:"to,omitempty"`
	Windows int       `json:"windows,omitempty"`
	Table   string    `json:"table,omitempty"`
	// FromRelative and ToRelative hold a range's bounds written relative to the end of the query's time range
	// ("now-35d/d"); ResolveRelative turns them into From and To.
	FromRelative string `json:"-"`
	ToRelative   string `json:"-"`
}

// Segment filters the logs to one value of a segment column, or (Split) runs the query once per value of the
// column — the Top values with the most rows in the query's model and time range — and labels every series
// with its value.
type Segment struct {
	Column string `json:"column"`
	Value  string `json:"value"`
	Split  bool   `json:"split,omitempty"`
	Top    int    `json:"top,omitempty"`
}

// Threshold modes.
const (
	ThresholdStatic    = "static"
	ThresholdReference = "reference"
	ThresholdTrailing  = "trailing"
)

// Threshold outputs.
const (
	// OutputBand adds an upper and a lower frame next to each series (panels draw the band).
	OutputBand = "band"
	// OutputBreach replaces each series by its 0/1 breach signal after hysteresis (alert rules: last > 0).
	OutputBreach = "breach"
)

// Thresholds asks for a threshold on every time series of the query: the static one, or mean ± K·σ of the series
// over the reference windows or over the History windows before each window; Hysteresis consecutive windows
// outside (inside) the band turn the breach signal on (off).
type Thresholds struct {
	Mode       string  `json:"mode"`
	K          float64 `json:"k,omitempty"`
	History    int     `json:"history,omitempty"`
	Hysteresis int     `json:"hysteresis,omitempty"`
	Output     string  `json:"output,omitempty"`
}

// Model is one parsed, shape-validated query.
type Model struct {
	RefID     string     `json:"refId"`
	QueryType string     `json:"queryType"`
	Model     string     `json:"model"`
	Features  []string   `json:"features"`
	Metric    string     `json:"metric"`
	Window    string     `json:"window"`
	Reference *Reference `json:"reference"`
	Segment   *Segment   `json:"segment"`
	Bins      int        `json:"bins"`
	Threshold *float64   `json:"threshold"`
	// DecisionThreshold is the score at or above which a binary prediction is positive (performance queries).
	DecisionThreshold *float64 `json:"decisionThreshold"`
	// Thresholds (optional) adds dynamic thresholds and breach signals to the query's time series.
	Thresholds *Thresholds `json:"thresholds"`
	// Metrics (performance, estimatedPerformance): keep only these metric series; empty = all.
	Metrics []string `json:"metrics"`
	// DiagnosisOutput (diagnosis only): DiagnosisEvidence or DiagnosisVerdicts.
	DiagnosisOutput string `json:"diagnosisOutput,omitempty"`
	// MinSamples (optional) overrides the data source's minSamples for this query: windows and references with
	// fewer rows get null points with a notice. nil = the data source setting.
	MinSamples *int `json:"minSamples,omitempty"`
	// Ignored lists the keys of the query's JSON that this data source does not know (see unknownKeys): the
	// query still runs, and the response says which fields were ignored.
	Ignored []string `json:"-"`
	// ReferenceDefaulted says the query named no reference: Reference holds the built-in default (the
	// DefaultTrailing windows before each window) until UseDefaultReference puts the data source's default in.
	ReferenceDefaulted bool `json:"-"`
	// Fleet (fleetHealth only): its output and cool-down.
	Fleet *Fleet `json:"fleet,omitempty"`
}

// UseDefaultReference gives a query that names no reference the data source's default reference (nil: keep the
// built-in trailing default). It copies the reference, so queries never share one.
func (m *Model) UseDefaultReference(ref *Reference) {
	if m.ReferenceDefaulted && ref != nil {
		r := *ref
		m.Reference = &r
	}
}

// ParseReference reads and checks a reference given on its own (the data source's default reference); an empty
// input is nil, no error.
func ParseReference(raw []byte) (*Reference, error) {
	if len(strings.TrimSpace(string(raw))) == 0 || strings.TrimSpace(string(raw)) == "null" {
		return nil, nil
	}
	m := Model{}
	if err := json.Unmarshal(raw, &m.Reference); err != nil {
		return nil, fmt.Errorf("default reference: %w", err)
	}
	if m.Reference == nil || m.Reference.Type == "" {
		return nil, fmt.Errorf("default reference needs a type (range, trailing or table)")
	}
	if err := m.normaliseReference(); err != nil {
		return nil, fmt.Errorf("default reference: %w", err)
	}
	return m.Reference, nil
}

// Fleet outputs of a fleetHealth query.
const (
	// FleetTable: the fleet table, a row per model (panels).
	FleetTable = "table"
	// FleetTrend: the long trend table, a row per model and window (small trends, the verdict timeline).
	FleetTrend = "trend"
	// FleetAlert: one numeric-multi frame per model, its severity as a number labelled model/owner/tier/severity.
	FleetAlert = "alert"
)

// Fleet are the fleetHealth options: Output FleetTable (default), FleetTrend or FleetAlert; Hold, the cool-down in windows
// (a severity holds until Hold windows in a row were lower; default 1, at most MaxHistory).
type Fleet struct {
	Output string `json:"output,omitempty"`
	Hold   int    `json:"hold,omitempty"`
}

// Diagnosis outputs.
const (
	// DiagnosisEvidence: one evidence series per (model, cause) and the verdicts table (panels).
	DiagnosisEvidence = "evidence"
	// DiagnosisVerdicts: one 0/1 series per (model, verdict cause), 1 where the window's verdict is that cause —
	// at most one cause per model and window, the precedence applied (alert rules: one alert per cause).
	DiagnosisVerdicts = "verdicts"
)

// Defaults used where the query is silent.
const (
	DefaultBins      = 10
	MaxBins          = 100
	DefaultTrailing  = 7
	MaxTrailing      = 365
	DefaultRefWindow = 7 * 24 * time.Hour
	// DefaultDecisionThreshold is the binary decision threshold of performance queries.
	DefaultDecisionThreshold = 0.5
	// DefaultSegmentTop and MaxSegmentTop bound a segment split: each value is one more run of the query.
	DefaultSegmentTop = 5
	MaxSegmentTop     = 50
	// DefaultK is the band's half-width in σ (WhyLabs' stddev factor 3; Fiddler's critical level).
	DefaultK = 3.0
	// DefaultHistory is the trailing history of a band, in windows (two weeks of daily windows).
	DefaultHistory = 14
	MaxHistory     = 365
	// MaxMinSamples bounds a query's minSamples (a larger minimum would null every window of any real log).
	MaxMinSamples = 1_000_000
)

// Parse decodes and validates a query's JSON. queryType from the envelope (Grafana's DataQuery.QueryType) wins
// over the JSON body, as in Grafana's own data sources.
func Parse(raw json.RawMessage, envelopeType string) (Model, error) {
	var m Model
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("query is not valid JSON: %w", err)
	}
	if envelopeType != "" {
		m.QueryType = envelopeType
	}
	m.Ignored = unknownKeys(raw)
	if m.QueryType == "" {
		m.QueryType = TypeDrift
	}
	return m, m.normalise()
}

func (m *Model) normalise() error {
	switch m.QueryType {
	case TypeDrift, TypeDriftHeatmap, TypeDistribution, TypeDataQuality, TypePerformance, TypeEstimatedPerformance, TypeDiagnosis, TypeFleetHealth:
	default:
		return fmt.Errorf("unknown queryType %q (expected drift, driftHeatmap, distribution, dataQuality, performance, estimatedPerformance, diagnosis or fleetHealth)", m.QueryType)
	}
	if m.DecisionThreshold == nil {
		t := DefaultDecisionThreshold
		m.DecisionThreshold = &t
	}
	if t := *m.DecisionThreshold; t != t || t < 0 || t > 1 {
		return fmt.Errorf("decisionThreshold must be a number in [0, 1]")
	}
	m.Model = strings.TrimSpace(m.Model)
	if m.Model == "*" {
		m.Model = ""
	}
	if m.Metric == "" {
		m.Metric = MetricAuto
	}
	if !contains(Metrics, m.Metric) {
		return fmt.Errorf("unknown metric %q (expected one of %s)", m.Metric, strings.Join(Metrics, ", "))
	}
	for i, f := range m.Features {
		m.Features[i] = strings.TrimSpace(f)
		if m.Features[i] == "" || m.Features[i] == "*" || m.Features[i] == "$__all" {
			m.Features = nil
			break
		}
		if !settings.ValidIdentifier(m.Features[i]) {
			return fmt.Errorf("feature %q is not a valid feature name", f)
		}
	}
	if m.Bins == 0 {
		m.Bins = DefaultBins
	}
	if m.Bins < 2 || m.Bins > MaxBins {
		return fmt.Errorf("bins must be between 2 and %d, got %d", MaxBins, m.Bins)
	}
	if m.Window == "" {
		m.Window = "auto"
	}
	if m.Window != "auto" {
		if _, _, err := ParseWindow(m.Window); err != nil {
			return err
		}
	}
	for i, name := range m.Metrics {
		m.Metrics[i] = strings.ToLower(strings.TrimSpace(name))
		if !settings.ValidIdentifier(m.Metrics[i]) {
			return fmt.Errorf("metrics: %q is not a metric name", name)
		}
	}
	if m.DiagnosisOutput == "" {
		m.DiagnosisOutput = DiagnosisEvidence
	}
	if m.DiagnosisOutput != DiagnosisEvidence && m.DiagnosisOutput != DiagnosisVerdicts {
		return fmt.Errorf("unknown diagnosisOutput %q (expected evidence or verdicts)", m.DiagnosisOutput)
	}
	if err := m.normaliseFleet(); err != nil {
		return err
	}
	if err := m.normaliseSegment(); err != nil {
		return err
	}

	if m.Threshold != nil && (*m.Threshold != *m.Threshold || *m.Threshold < 0) {
		return fmt.Errorf("threshold must be a non-negative number")
	}
	if m.MinSamples != nil && (*m.MinSamples < 1 || *m.MinSamples > MaxMinSamples) {
		return fmt.Errorf("minSamples must be between 1 and %d, got %d", MaxMinSamples, *m.MinSamples)
	}
	if err := m.normaliseReference(); err != nil {
		return err
	}
	return m.normaliseThresholds()
}

func (m *Model) normaliseReference() error {
	if m.Reference == nil || m.Reference.Type == "" {
		m.Reference = &Reference{Type: RefTrailing, Windows: DefaultTrailing}
		m.ReferenceDefaulted = true
	}
	r := m.Reference
	switch r.Type {
	case RefRange:
		if r.From.IsZero() && r.FromRelative == "" || r.To.IsZero() && r.ToRelative == "" {
			return fmt.Errorf("reference range needs both from and to (RFC 3339, or relative like now-7d/d)")
		}
		if r.FromRelative != "" && r.From.IsZero() || r.ToRelative != "" && r.To.IsZero() {
			return nil // checked by ResolveRelative once the query's time range is known
		}
		if !r.To.After(r.From) {
			return fmt.Errorf("reference range ends (%s) before it starts (%s)", r.To.Format(time.RFC3339), r.From.Format(time.RFC3339))
		}
	case RefTrailing:
		if r.Windows == 0 {
			r.Windows = DefaultTrailing
		}
		if r.Windows < 1 || r.Windows > MaxTrailing {
			return fmt.Errorf("trailing reference needs between 1 and %d windows, got %d", MaxTrailing, r.Windows)
		}
	case RefTable:
		if !settings.ValidIdentifier(r.Table) {
			return fmt.Errorf("reference table %q is not a valid table name", r.Table)
		}
	default:
		return fmt.Errorf("unknown reference type %q (expected range, trailing or table)", r.Type)
	}
	return nil
}

func (m *Model) normaliseSegment() error {
	sg := m.Segment
	if sg == nil {
		return nil
	}
	if sg.Column == "" {
		m.Segment = nil
		return nil
	}
	if !settings.ValidIdentifier(sg.Column) {
		return fmt.Errorf("segment column %q is not a valid identifier", sg.Column)
	}
	if !sg.Split {
		return nil
	}
	if sg.Value != "" {
		return fmt.Errorf("segment: give either a value (filter) or split, not both")
	}
	if sg.Top == 0 {
		sg.Top = DefaultSegmentTop
	}
	if sg.Top < 1 || sg.Top > MaxSegmentTop {
		return fmt.Errorf("segment split needs top between 1 and %d, got %d", MaxSegmentTop, sg.Top)
	}
	return nil
}

func (m *Model) normaliseThresholds() error {
	t := m.Thresholds
	if t == nil {
		return nil
	}
	if t.Mode == "" {
		t.Mode = ThresholdStatic
	}
	if !contains([]string{ThresholdStatic, ThresholdReference, ThresholdTrailing}, t.Mode) {
		return fmt.Errorf("unknown thresholds mode %q (expected static, reference or trailing)", t.Mode)
	}
	if t.K == 0 {
		t.K = DefaultK
	}
	if t.K != t.K || t.K < 0 || t.K > 100 {
		return fmt.Errorf("thresholds k must be a number in (0, 100]")
	}
	if t.History == 0 {
		t.History = DefaultHistory
	}
	if t.History < 3 || t.History > MaxHistory {
		return fmt.Errorf("thresholds history must be between 3 and %d windows, got %d", MaxHistory, t.History)
	}
	if t.Hysteresis == 0 {
		t.Hysteresis = 1
	}
	if t.Hysteresis < 1 || t.Hysteresis > 100 {
		return fmt.Errorf("thresholds hysteresis must be between 1 and 100 windows, got %d", t.Hysteresis)
	}
	if t.Output == "" {
		t.Output = OutputBand
	}
	if t.Output != OutputBand && t.Output != OutputBreach {
		return fmt.Errorf("unknown thresholds output %q (expected band or breach)", t.Output)
	}
	if t.Mode == ThresholdReference && m.Reference.Type == RefTable {
		return fmt.Errorf("reference thresholds need a time-based reference (range or trailing): a reference table has no windows")
	}
	return nil
}

func (m *Model) normaliseFleet() error {
	if m.Fleet == nil {
		m.Fleet = &Fleet{}
	}
	if m.Fleet.Output == "" {
		m.Fleet.Output = FleetTable
	}
	if !contains([]string{FleetTable, FleetTrend, FleetAlert}, m.Fleet.Output) {
		return fmt.Errorf("unknown fleet output %q (expected table, trend or alert)", m.Fleet.Output)
	}
	if m.Fleet.Hold < 0 || m.Fleet.Hold > MaxHistory {
		return fmt.Errorf("fleet hold must be between 1 and %d windows, got %d", MaxHistory, m.Fleet.Hold)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
