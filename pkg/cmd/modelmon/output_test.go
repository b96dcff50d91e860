package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Invalid JSON names the line and column of the offending byte (counted by hand in the inputs).
func TestJSONErrorNamesLineAndColumn(t *testing.T) {
	for _, c := range []struct {
		raw, want string
	}{
		{"{\n  \"queryType\": \"drift\",\n  \"model\": churn\n}", "line 3, column 12"},
		{"[{\"refId\": \"A\"},\n {\"refId\": \"B\",}]", "line 2, column 16"},
		{"{\"window\": 1d}", "line 1, column 13"},
	} {
		_, err := splitQueries([]byte(c.raw))
		if err == nil {
			t.Fatalf("%q parsed", c.raw)
		}
		got := jsonError("query file q.json", []byte(c.raw), err).Error()
		if !strings.Contains(got, c.want) {
			t.Errorf("%q: %s, want %s", c.raw, got, c.want)
		}
	}
}

// A response with a failed query is an error naming the query, its status and its message; all answered is nil.
func TestFailedQueries(t *testing.T) {
	resp := &backend.QueryDataResponse{Responses: backend.Responses{
		"A": backend.DataResponse{},
		"B": backend.DataResponse{Status: backend.StatusBadRequest, Error: errors.New(`unknown model "chrun"`)},
	}}
	err := failedQueries(resp)
	if err == nil || err.Error() != `query B failed (status 400): unknown model "chrun"` {
		t.Fatalf("got %v", err)
	}
	if err := failedQueries(&backend.QueryDataResponse{Responses: backend.Responses{"A": {}}}); err != nil {
		t.Fatalf("all answered: %v", err)
	}
}

// The human format prints each frame's name, labels, notices and values (times to the minute, 6 significant
// digits, null as "-"), and no SQL.
func TestWriteHuman(t *testing.T) {
	v1, v2 := 0.123456789, 2.0
	f := data.NewFrame("churn · tenure",
		data.NewField("time", nil, []time.Time{time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)}),
		data.NewField("value", data.Labels{"model": "churn", "feature": "tenure"}, []*float64{&v1, nil, &v2}))
	f.Meta = &data.FrameMeta{ExecutedQueryString: "SELECT secret", Notices: []data.Notice{{Severity: data.NoticeSeverityWarning, Text: "1 window below minSamples"}}}
	var out bytes.Buffer
	err := writeHuman(&out, &backend.QueryDataResponse{Responses: backend.Responses{"A": {Frames: data.Frames{f}},
		"B": {Status: backend.StatusBadRequest, Error: errors.New("bad metric")}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `query A: 1 frame(s)

== churn · tenure  {feature=tenure, model=churn}
   warning: 1 window below minSamples
   TIME              VALUE
   2026-10-08 00:00  0.123457
   2026-10-09 00:00  -
   2026-10-10 00:00  2

query B: error (status 400): bad metric

`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// The fleet table (31 columns in the data) prints on a terminal as the columns a reader scans first, saying how
// many are left to --json.
func TestWriteHumanFleetIsCompact(t *testing.T) {
	since := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	est, realized := 0.81, 0.74
	f := data.NewFrame("fleet",
		data.NewField("model", nil, []string{"churn"}), data.NewField("owner", nil, []string{"team-a"}),
		data.NewField("tier", nil, []string{"critical"}), data.NewField("task", nil, []string{"binary"}),
		data.NewField("severity", nil, []string{"page"}), data.NewField("severity_level", nil, []int64{3}),
		data.NewField("verdict", nil, []string{"covariate_shift"}), data.NewField("since", nil, []time.Time{since}),
		data.NewField("worst_cause", nil, []string{"covariate_shift"}), data.NewField("worst_feature", nil, []string{"monthly_charges"}),
		data.NewField("primary_metric", nil, []string{"auc"}), data.NewField("estimated", nil, []*float64{&est}),
		data.NewField("realized", nil, []*float64{&realized}), data.NewField("reason", nil, []string{"a long sentence"}))
	var out bytes.Buffer
	if err := writeFrame(&out, f); err != nil {
		t.Fatal(err)
	}
	want := `== fleet
   MODEL  TIER      SEVERITY  VERDICT          SINCE             WORST_CAUSE      WORST_FEATURE    PRIMARY_METRIC  ESTIMATED  REALIZED
   churn  critical  page      covariate_shift  2026-10-20 00:00  covariate_shift  monthly_charges  auc             0.81       0.74
   (10 of 14 columns; --json prints them all)

`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
