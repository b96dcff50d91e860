package alerting

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func f(x float64) *float64 { return &x }

var t0 = time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)

func series(name string, values ...*float64) Series {
	s := Series{Labels: data.Labels{"s": name}}
	for i, v := range values {
		s.Points = append(s.Points, Point{Time: t0.AddDate(0, 0, i), Value: v})
	}
	return s
}

// fmtValue prints a reduced value: "null", "NaN" or the number.
func fmtValue(x *float64) string {
	if x == nil {
		return "null"
	}
	return fmt.Sprint(*x)
}

// Every reducer in every mode on hand-made series; the expected values are worked by hand from Grafana's
// reducer definitions (see Reduce).
func TestReduce(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	in := Value{Series: []Series{
		series("clean", f(2), f(4), f(6)),
		series("mixed", f(1), nil, f(5), f(nan), f(inf), f(3)),
		series("lastNull", f(7), nil),
		series("empty"),
		series("allNull", nil, nil),
	}}
	// per reducer and mode: the value for clean, mixed, lastNull, empty, allNull
	want := map[string]map[string][5]string{
		"": {
			"sum":    {"12", "NaN", "NaN", "0", "NaN"},
			"mean":   {"4", "NaN", "NaN", "NaN", "NaN"},
			"min":    {"2", "NaN", "NaN", "NaN", "NaN"},
			"max":    {"6", "NaN", "NaN", "NaN", "NaN"},
			"count":  {"3", "6", "2", "0", "2"},
			"last":   {"6", "3", "null", "NaN", "null"},
			"median": {"4", "NaN", "NaN", "NaN", "NaN"},
		},
		"dropNN": { // mixed → [1 5 3], lastNull → [7], allNull → []; a NaN result becomes null
			"sum":    {"12", "9", "7", "0", "0"},
			"mean":   {"4", "3", "7", "null", "null"},
			"min":    {"2", "1", "7", "null", "null"},
			"max":    {"6", "5", "7", "null", "null"},
			"count":  {"3", "3", "1", "0", "0"},
			"last":   {"6", "3", "7", "null", "null"},
			"median": {"4", "3", "7", "null", "null"},
		},
		"replaceNN": { // with -1: mixed → [1 -1 5 -1 -1 3], lastNull → [7 -1], allNull → [-1 -1]; NaN result → -1
			"sum":    {"12", "6", "6", "0", "-2"},
			"mean":   {"4", "1", "3", "-1", "-1"},
			"min":    {"2", "-1", "-1", "-1", "-1"},
			"max":    {"6", "5", "7", "-1", "-1"},
			"count":  {"3", "6", "2", "0", "2"},
			"last":   {"6", "3", "-1", "-1", "-1"},
			"median": {"4", "0", "3", "-1", "-1"},
		},
	}
	for mode, byReducer := range want {
		for reducer, exp := range byReducer {
			got, err := Reduce(in, reducer, Mode{Kind: mode, ReplaceWith: -1})
			if err != nil {
				t.Fatalf("%s %q: %v", reducer, mode, err)
			}
			if len(got.Numbers) != len(in.Series) {
				t.Fatalf("%s %q: %d numbers from %d series", reducer, mode, len(got.Numbers), len(in.Series))
			}
			for i, n := range got.Numbers {
				if fmtValue(n.Value) != exp[i] {
					t.Errorf("%s mode %q, series %s: %s, want %s", reducer, mode, n.Labels["s"], fmtValue(n.Value), exp[i])
				}
				if n.Labels["s"] != in.Series[i].Labels["s"] {
					t.Errorf("labels %v, want those of series %d", n.Labels, i)
				}
			}
		}
	}
}

// Numbers pass through reduce (only the mode applies to them); NoData stays NoData; unknown reducers and modes
// are errors.
func TestReducePassesNumbersAndNoData(t *testing.T) {
	got, err := Reduce(Value{Numbers: []Number{{Labels: data.Labels{"a": "1"}, Value: f(math.NaN())}, {Value: f(2)}}}, "mean", Mode{Kind: "replaceNN", ReplaceWith: 9})
	if err != nil || fmtValue(got.Numbers[0].Value) != "9" || fmtValue(got.Numbers[1].Value) != "2" || got.Numbers[0].Labels["a"] != "1" {
		t.Errorf("numbers through reduce: %+v %v", got, err)
	}
	if got, _ := Reduce(Value{NoData: true}, "last", Mode{}); !got.NoData || len(got.Numbers) != 0 {
		t.Errorf("NoData through reduce: %+v", got)
	}
	if _, err := Reduce(Value{}, "p95", Mode{}); err == nil || !strings.Contains(err.Error(), "p95") {
		t.Errorf("unknown reducer: %v", err)
	}
	if _, err := Reduce(Value{}, "last", Mode{Kind: "dropNaN"}); err == nil || !strings.Contains(err.Error(), "dropNaN") {
		t.Errorf("unknown mode: %v", err)
	}
}

// Threshold evaluators on the numbers 0.05, 0.1, 0.15, null, NaN with bounds 0.1 or [0.05, 0.15]: 1 where the
// comparison holds, 0 where not (NaN never), null stays null.
func TestThreshold(t *testing.T) {
	in := Value{Numbers: []Number{{Value: f(0.05)}, {Value: f(0.1)}, {Value: f(0.15)}, {Value: nil}, {Value: f(math.NaN())}}}
	cases := []struct {
		e    Evaluator
		want string
	}{
		{Evaluator{"gt", []float64{0.1}}, "0 0 1 null 0"},
		{Evaluator{"lt", []float64{0.1}}, "1 0 0 null 0"},
		{Evaluator{"within_range", []float64{0.05, 0.15}}, "0 1 0 null 0"},
		{Evaluator{"outside_range", []float64{0.05, 0.15}}, "0 0 0 null 0"},
		{Evaluator{"within_range_included", []float64{0.05, 0.15}}, "1 1 1 null 0"},
		{Evaluator{"outside_range_included", []float64{0.05, 0.15}}, "1 0 1 null 0"},
	}
	for _, c := range cases {
		got, err := Threshold(in, c.e)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, n := range got.Numbers {
			s = append(s, fmtValue(n.Value))
		}
		if strings.Join(s, " ") != c.want {
			t.Errorf("%s %v: %s, want %s", c.e.Type, c.e.Params, strings.Join(s, " "), c.want)
		}
	}
	for _, bad := range []Evaluator{{"gte", []float64{1}}, {"within_range", []float64{1}}, {"gt", nil}} {
		if _, err := Threshold(in, bad); err == nil {
			t.Errorf("threshold %v: no error", bad)
		}
	}
	// A series is compared point by point, and stays a series.
	got, _ := Threshold(Value{Series: []Series{series("x", f(0.2), nil)}}, Evaluator{"gt", []float64{0.1}})
	if len(got.Series) != 1 || fmtValue(got.Series[0].Points[0].Value) != "1" || got.Series[0].Points[1].Value != nil {
		t.Errorf("threshold of a series: %+v", got)
	}
}
