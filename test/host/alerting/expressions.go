package alerting

import (
	"fmt"
	"math"
	"slices"
)

// Mode is a reduce expression's handling of non-numbers (null, NaN, ±Inf): "" (strict: nulls and NaN make the
// result NaN, except last, which returns the last value as it is), "dropNN" (drop them first; a NaN result
// becomes null) or "replaceNN" (replace them, and a NaN result, by ReplaceWith).
type Mode struct {
	Kind        string
	ReplaceWith float64
}

// Reduce applies a reduce expression (reducer sum, mean, min, max, count, last or median) to every series of v.
// Numbers pass through (Grafana reduces nothing that is already reduced, applying only the mode to the
// result); NoData stays NoData. Results per reducer, before the mode's output mapping, for n points:
//
//	sum: NaN if any point is null/NaN, else the sum (0 for n = 0)     mean: sum / n (NaN for n = 0)
//	min, max, median: NaN for n = 0 or any null/NaN point              count: n
//	last: NaN for n = 0, else the last point as it is (null stays null)
func Reduce(v Value, reducer string, mode Mode) (Value, error) {
	fn, ok := reducers[reducer]
	if !ok {
		return Value{}, fmt.Errorf("reduction %s not implemented", reducer)
	}
	switch mode.Kind {
	case "", "dropNN", "replaceNN":
	default:
		return Value{}, fmt.Errorf("reduce mode %q is not one of strict (empty), dropNN, replaceNN", mode.Kind)
	}
	if v.NoData {
		return v, nil
	}
	out := Value{}
	for _, n := range v.Numbers {
		out.Numbers = append(out.Numbers, Number{Labels: n.Labels, Value: mode.output(n.Value)})
	}
	for _, s := range v.Series {
		var values []*float64
		for _, p := range s.Points {
			if x, keep := mode.input(p.Value); keep {
				values = append(values, x)
			}
		}
		out.Numbers = append(out.Numbers, Number{Labels: s.Labels, Value: mode.output(fn(values))})
	}
	return out, nil
}

func nonNumber(x *float64) bool { return x == nil || math.IsNaN(*x) || math.IsInf(*x, 0) }

// input maps one point before reduction: dropNN drops non-numbers, replaceNN replaces them.
func (m Mode) input(x *float64) (*float64, bool) {
	switch {
	case m.Kind == "dropNN" && nonNumber(x):
		return nil, false
	case m.Kind == "replaceNN" && nonNumber(x):
		r := m.ReplaceWith
		return &r, true
	}
	return x, true
}

// output maps the reduced value: a NaN becomes null (dropNN) or the replacement (replaceNN).
func (m Mode) output(x *float64) *float64 {
	if x == nil || !math.IsNaN(*x) {
		return x
	}
	switch m.Kind {
	case "dropNN":
		return nil
	case "replaceNN":
		r := m.ReplaceWith
		return &r
	}
	return x
}

func nan() *float64 {
	x := math.NaN()
	return &x
}

// numbersOrNaN returns the values when none is null or NaN.
func numbersOrNaN(values []*float64) ([]float64, bool) {
	out := make([]float64, 0, len(values))
	for _, x := range values {
		if x == nil || math.IsNaN(*x) {
			return nil, false
		}
		out = append(out, *x)
	}
	return out, true
}

func sum(v []*float64) *float64 {
	xs, ok := numbersOrNaN(v)
	if !ok {
		return nan()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return &s
}

var reducers = map[string]func([]*float64) *float64{
	"sum": sum,
	"mean": func(v []*float64) *float64 {
		m := *sum(v) / float64(len(v)) // NaN stays NaN; 0/0 = NaN for an empty series, as Grafana's Avg
		return &m
	},
	"min": extreme(slices.Min[[]float64]),
	"max": extreme(slices.Max[[]float64]),
	"median": func(v []*float64) *float64 {
		xs, ok := numbersOrNaN(v)
		if !ok || len(xs) == 0 {
			return nan()
		}
		slices.Sort(xs)
		m := xs[len(xs)/2]
		if len(xs)%2 == 0 {
			m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
		}
		return &m
	},
	"count": func(v []*float64) *float64 {
		n := float64(len(v))
		return &n
	},
	"last": func(v []*float64) *float64 {
		if len(v) == 0 {
			return nan()
		}
		return v[len(v)-1]
	},
}

func extreme(pick func([]float64) float64) func([]*float64) *float64 {
	return func(v []*float64) *float64 {
		xs, ok := numbersOrNaN(v)
		if !ok || len(xs) == 0 {
			return nan()
		}
		m := pick(xs)
		return &m
	}
}

// Evaluator is a threshold expression's condition: type gt, lt, within_range, outside_range,
// within_range_included or outside_range_included, with its params (one bound, or two for the ranges).
type Evaluator struct {
	Type   string    `json:"type" yaml:"type"`
	Params []float64 `json:"params" yaml:"params"`
}

// Threshold applies a threshold expression: Grafana writes it as a math comparison of the input with the
// params, so each number (or each point of a series) becomes 1 when the comparison holds and 0 when it does
// not (a NaN compares false), and a null stays null. NoData stays NoData.
//
//	gt: x > a     lt: x < a     within_range: a < x < b     outside_range: x < a or x > b
//	within_range_included: a ≤ x ≤ b     outside_range_included: x ≤ a or x ≥ b
func Threshold(v Value, e Evaluator) (Value, error) {
	test, err := e.predicate()
	if err != nil {
		return Value{}, err
	}
	apply := func(x *float64) *float64 {
		if x == nil {
			return nil
		}
		r := 0.0
		if test(*x) {
			r = 1
		}
		return &r
	}
	out := Value{NoData: v.NoData}
	for _, n := range v.Numbers {
		out.Numbers = append(out.Numbers, Number{Labels: n.Labels, Value: apply(n.Value)})
	}
	for _, s := range v.Series {
		t := Series{Labels: s.Labels}
		for _, p := range s.Points {
			t.Points = append(t.Points, Point{Time: p.Time, Value: apply(p.Value)})
		}
		out.Series = append(out.Series, t)
	}
	return out, nil
}

func (e Evaluator) predicate() (func(float64) bool, error) {
	want := 2
	if e.Type == "gt" || e.Type == "lt" {
		want = 1
	}
	if len(e.Params) < want {
		return nil, fmt.Errorf("threshold %s needs %d params, got %v", e.Type, want, e.Params)
	}
	p := e.Params
	switch e.Type {
	case "gt":
		return func(x float64) bool { return x > p[0] }, nil
	case "lt":
		return func(x float64) bool { return x < p[0] }, nil
	case "within_range":
		return func(x float64) bool { return x > p[0] && x < p[1] }, nil
	case "outside_range":
		return func(x float64) bool { return x < p[0] || x > p[1] }, nil
	case "within_range_included":
		return func(x float64) bool { return x >= p[0] && x <= p[1] }, nil
	case "outside_range_included":
		return func(x float64) bool { return x <= p[0] || x >= p[1] }, nil
	}
	return nil, fmt.Errorf("threshold type %q is not one of gt, lt, within_range, outside_range, within_range_included, outside_range_included", e.Type)
}
