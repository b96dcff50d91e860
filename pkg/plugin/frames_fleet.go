package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/engine/severity"
	"github.com/aiops/modelmonitor/pkg/monitor"
)

// fleetFrames returns the fleet table (fleet output "table"): one row per model, sorted by severity (page first),
// its columns those of fleetColumns.
func fleetFrames(res monitor.FleetResult) []*data.Frame {
	table := data.NewFrame("fleet")
	for _, c := range fleetColumns {
		f := data.NewFieldFromFieldType(c.typ, 0)
		f.Name = c.name
		for _, r := range res.Rows {
			f.Append(c.get(r))
		}
		table.Fields = append(table.Fields, f)
	}
	table.Meta = &data.FrameMeta{Type: data.FrameTypeTable, Custom: fleetMeta(res)}
	return withResult(nonEmpty(table), res.SQL, res.Notices, "fleet")
}

// fleetTrendFrames returns the long "fleet trend" table (fleet output "trend"): per model (in the fleet's order)
// and window its standing verdict, its severity level (0 ok … 3 page, before the cool-down), primary metric
// estimated and realized, and whether its labels are pending — the fleet panel's small trends and the fleet's
// verdict timeline.
func fleetTrendFrames(res monitor.FleetResult) []*data.Frame {
	var tTime []time.Time
	var tModel, tVerdict []string
	var tPending []bool
	var tLevel []int64
	var tEst, tReal []*float64
	for _, r := range res.Rows {
		for _, w := range r.Windows {
			tTime, tModel, tVerdict = append(tTime, w.Start), append(tModel, r.Model), append(tVerdict, w.Verdict)
			tPending, tLevel = append(tPending, w.LabelsPending), append(tLevel, int64(w.Level))
			tEst, tReal = append(tEst, w.Estimated), append(tReal, w.Realized)
		}
	}
	trend := data.NewFrame("fleet trend",
		data.NewField("time", nil, tTime), data.NewField("model", nil, tModel), data.NewField("verdict", nil, tVerdict),
		data.NewField("severity_level", nil, tLevel), data.NewField("estimated", nil, tEst), data.NewField("realized", nil, tReal),
		data.NewField("labels_pending", nil, tPending))
	trend.Meta = &data.FrameMeta{Type: data.FrameTypeTable, Custom: fleetMeta(res)}
	return withResult(nonEmpty(trend), res.SQL, res.Notices, "fleet")
}

// nonEmpty is the frame, or nothing when it has no rows (withResult then says so).
func nonEmpty(f *data.Frame) []*data.Frame {
	if f.Rows() == 0 {
		return nil
	}
	return []*data.Frame{f}
}

// fleetColumn is one column of the fleet table: its name, type and value in a row (see monitor.FleetRow).
type fleetColumn struct {
	name string
	typ  data.FieldType
	get  func(monitor.FleetRow) any
}

func text(name string, get func(monitor.FleetRow) string) fleetColumn {
	return fleetColumn{name, data.FieldTypeString, func(r monitor.FleetRow) any { return get(r) }}
}

func number(name string, get func(monitor.FleetRow) *float64) fleetColumn {
	return fleetColumn{name, data.FieldTypeNullableFloat64, func(r monitor.FleetRow) any { return get(r) }}
}

// fleetColumns are the fleet table's columns, in order.
var fleetColumns = []fleetColumn{
	text("model", func(r monitor.FleetRow) string { return r.Model }),
	text("owner", func(r monitor.FleetRow) string { return r.Owner }),
	text("tier", func(r monitor.FleetRow) string { return r.Tier }),
	text("task", func(r monitor.FleetRow) string { return r.Task }),
	text("severity", func(r monitor.FleetRow) string { return r.Severity.String() }),
	{"severity_level", data.FieldTypeInt64, func(r monitor.FleetRow) any { return int64(r.Severity) }},
	text("held_cause", func(r monitor.FleetRow) string { return r.HeldCause }),
	{"held_at", data.FieldTypeNullableTime, func(r monitor.FleetRow) any { return nullTime(r.HeldAt) }},
	text("verdict", func(r monitor.FleetRow) string { return r.Verdict }),
	{"verdict_at", data.FieldTypeTime, func(r monitor.FleetRow) any { return r.VerdictAt }},
	{"since", data.FieldTypeTime, func(r monitor.FleetRow) any { return r.Since }},
	{"labels_pending", data.FieldTypeInt64, func(r monitor.FleetRow) any { return int64(r.LabelsPending) }},
	{"pending_since", data.FieldTypeNullableTime, func(r monitor.FleetRow) any { return nullTime(r.PendingSince) }},
	text("worst_cause", func(r monitor.FleetRow) string { return r.WorstCause }),
	number("worst_evidence", func(r monitor.FleetRow) *float64 { return r.WorstEvidence }),
	text("worst_feature", func(r monitor.FleetRow) string { return r.WorstFeature }),
	text("feature_metric", func(r monitor.FleetRow) string { return r.FeatureMetric }),
	number("feature_score", func(r monitor.FleetRow) *float64 { return r.FeatureScore }),
	number("feature_threshold", func(r monitor.FleetRow) *float64 { return r.FeatureThreshold }),
	number("feature_importance", func(r monitor.FleetRow) *float64 { return r.FeatureImportance }),
	number("weighted_drift", func(r monitor.FleetRow) *float64 { return r.WeightedDrift }),
	text("primary_metric", func(r monitor.FleetRow) string { return r.PrimaryMetric }),
	number("estimated", func(r monitor.FleetRow) *float64 { return r.Estimated }),
	number("estimated_lower", func(r monitor.FleetRow) *float64 { return r.EstimatedLower }),
	number("estimated_upper", func(r monitor.FleetRow) *float64 { return r.EstimatedUpper }),
	number("realized", func(r monitor.FleetRow) *float64 { return r.Realized }),
	number("gap", func(r monitor.FleetRow) *float64 { return r.Gap }),
	number("reference_level", func(r monitor.FleetRow) *float64 { return r.ReferenceLevel }),
	number("impact", func(r monitor.FleetRow) *float64 { return r.Impact }),
	{"drift_matters", data.FieldTypeBool, func(r monitor.FleetRow) any { return r.DriftMatters }},
	number("label_coverage", func(r monitor.FleetRow) *float64 { return r.LabelCoverage }),
	number("label_lag_p50_hours", func(r monitor.FleetRow) *float64 { return r.LabelLagP50Hours }),
	text("quality_check", func(r monitor.FleetRow) string { return r.QualityCheck }),
	number("quality_evidence", func(r monitor.FleetRow) *float64 { return r.QualityEvidence }),
	number("volume_ratio", func(r monitor.FleetRow) *float64 { return r.VolumeRatio }),
	text("reason", func(r monitor.FleetRow) string { return r.Reason }),
}

// nullTime is t, or null for the zero time (none).
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fleetMeta is what a reader of the fleet frames needs to interpret the numbers.
func fleetMeta(res monitor.FleetResult) map[string]any {
	return map[string]any{"windowSeconds": res.Window.Seconds(), "hold": res.Hold,
		"severityLevels": []string{severity.OK.String(), severity.Report.String(), severity.Ticket.String(), severity.Page.String()},
		"mattersLevel":   severity.MattersLevel, "defaultTier": severity.DefaultTier, "defaultOwner": monitor.DefaultOwner}
}

// fleetAlertFrames returns one numeric-multi frame per model (fleet output "alert"): a single number field, the
// model's current severity (0 ok, 1 report, 2 ticket, 3 page, after the cool-down), labelled model, owner, tier,
// severity, and for a model that is not ok the worst signal's cause and feature (for the alert's summary and
// drill-down links; while the cool-down holds the severity, those of the window it is held from, so the instance's
// labels, and with them the alert and its runbook text, stay those of the incident) — the shape Grafana Alerting turns into one alert instance per model, and the labels its
// notification policies route on. Every model has a frame, ok ones too, so an alert resolves when its model
// recovers (the condition is on the value, not on the frame's presence).
func fleetAlertFrames(res monitor.FleetResult) []*data.Frame {
	var frames []*data.Frame
	for _, r := range res.Rows {
		labels := data.Labels{"model": r.Model, "owner": r.Owner, "tier": r.Tier, "severity": r.Severity.String()}
		cause, feature := r.WorstCause, r.WorstFeature
		if !r.HeldAt.IsZero() {
			cause, feature = r.HeldCause, r.HeldFeature
		}
		if r.Severity != severity.OK && cause != "" {
			labels["cause"] = cause
		}
		if r.Severity != severity.OK && feature != "" {
			labels["feature"] = feature
		}
		x := float64(r.Severity)
		value := data.NewField("severity", labels, []*float64{&x})
		value.Config = &data.FieldConfig{DisplayNameFromDS: r.Model + " · severity"}
		f := data.NewFrame(r.Model+" · severity", value)
		custom := fleetMeta(res)
		custom["reason"], custom["feature"], custom["verdict"] = r.Reason, r.WorstFeature, r.Verdict
		custom["labelsPending"] = r.LabelsPending
		f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericMulti, TypeVersion: data.FrameTypeVersion{0, 1}, Custom: custom}
		frames = append(frames, f)
	}
	return withResult(frames, res.SQL, res.Notices, "fleet")
}
