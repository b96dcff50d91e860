package plugin

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

var (
	day1 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.Add(24 * time.Hour)
	day4 = day1.Add(72 * time.Hour)
)

const refDay1 = `"reference":{"type":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`

// run sends one query through QueryData, as Grafana would, and returns its response.
func run(t *testing.T, ds *Datasource, q string, from, to time.Time) backend.DataResponse {
	t.Helper()
	var head struct {
		QueryType string `json:"queryType"`
	}
	_ = json.Unmarshal([]byte(q), &head)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: head.QueryType, JSON: json.RawMessage(q), TimeRange: backend.TimeRange{From: from, To: to},
		Interval: time.Minute, MaxDataPoints: 1000}}})
	if err != nil {
		t.Fatalf("QueryData: %v", err)
	}
	return resp.Responses["A"]
}

func mustOK(t *testing.T, r backend.DataResponse) data.Frames {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("unexpected error: %v", r.Error)
	}
	return r.Frames
}

func frameByName(t *testing.T, frames data.Frames, name string) *data.Frame {
	t.Helper()
	for _, f := range frames {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no frame %q", name)
	return nil
}

// values reads a nullable float field; nil entries stay nil.
func values(f *data.Field) []*float64 {
	out := make([]*float64, f.Len())
	for i := range out {
		if v, ok := f.ConcreteAt(i); ok {
			x := v.(float64)
			out[i] = &x
		}
	}
	return out
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func custom(f *data.Frame) map[string]any {
	m, _ := f.Meta.Custom.(map[string]any)
	return m
}
