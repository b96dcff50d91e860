package plugin

import (
	"context"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/query"
	"github.com/aiops/modelmonitor/pkg/store"
)

// splitBySegment answers a query whose segment asks for a split: the Top values of the segment column with the
// most rows of the query's model in its time range, the query run once per value as a segment filter (so every
// analysis, its reference and its thresholds are that segment's own), each series labelled segment=<value>.
// Values beyond the top are left out and a notice names how many rows they hold. Without a split it is withThresholds.
func (d *Datasource) splitBySegment(ctx context.Context, req monitor.Request) ([]*data.Frame, error) {
	sg := req.Query.Segment
	if sg == nil || !sg.Split {
		return d.withThresholds(ctx, req)
	}
	scope := store.Scope{Model: req.Query.Model, From: req.From, To: req.To}
	all, err := d.svc.Store().SegmentValues(ctx, scope, sg.Column, query.MaxSegmentTop+1)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return withResult(nil, nil, []string{fmt.Sprintf("no rows with a %s value in this time range: nothing to split", sg.Column)}, "segment"), nil
	}
	top := all
	if len(top) > sg.Top {
		top = top[:sg.Top]
	}
	var frames []*data.Frame
	var shown, total int64
	for _, c := range all {
		total += c.Rows
	}
	for _, c := range top {
		r := req
		r.Query.Segment = &query.Segment{Column: sg.Column, Value: c.Value}
		fs, err := d.withThresholds(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("segment %s=%s: %w", sg.Column, c.Value, err)
		}
		for _, f := range fs {
			labelSegment(f, sg.Column, c.Value)
		}
		frames = append(frames, fs...)
		shown += c.Rows
	}
	summary := fmt.Sprintf("split by %s: %d values", sg.Column, len(top))
	if len(top) < len(all) {
		more := fmt.Sprintf("%d", len(all)-len(top))
		if len(all) > query.MaxSegmentTop {
			more = "more"
		}
		summary = fmt.Sprintf("split by %s: the top %d values by rows, %.1f %% of the rows with a value; %s values left out (raise top to see them)",
			sg.Column, len(top), 100*float64(shown)/float64(total), more)
	}
	return prependNotices(frames, []string{summary}), nil
}

// labelSegment marks one frame of a split as its segment's: the segment label on every labelled field (series
// stay distinct for Grafana Alerting), the value in the frame and display names, and in Meta.Custom. A table
// frame (no labelled field) gets a `segment` column instead, so tables of several segments stay readable.
func labelSegment(f *data.Frame, column, value string) {
	if f.Name != "" {
		f.Name += " · " + value
	}
	labelled := false
	for _, fld := range f.Fields {
		if fld.Labels == nil {
			continue
		}
		labelled = true
		fld.Labels["segment"] = value
		if fld.Config != nil && fld.Config.DisplayNameFromDS != "" {
			fld.Config.DisplayNameFromDS += " · " + value
		}
	}
	if !labelled && f.Rows() > 0 {
		f.Fields = append(f.Fields, data.NewField("segment", nil, repeat(value, f.Rows())))
	}
	if f.Meta == nil {
		f.Meta = &data.FrameMeta{}
	}
	custom, _ := f.Meta.Custom.(map[string]any)
	if custom == nil {
		custom = map[string]any{}
	}
	custom["segmentColumn"], custom["segment"] = column, value
	f.Meta.Custom = custom
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
