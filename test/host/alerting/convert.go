// Package alerting evaluates Grafana-managed alert rules the way Grafana's alerting engine does, over the
// responses the host gets from the plugin: the data source response is converted to series or numbers
// (server-side expressions' input rules), the rule's reduce and threshold expressions run, the condition becomes
// one result per alert instance (Normal / Alerting / NoData / Error), and a state manager applies noDataState,
// execErrState and the pending period (`for`).
//
// Each behaviour is implemented from Grafana 12's source and documentation, read for this package (no code
// copied): pkg/expr/converter.go (which frames are accepted; "input data must be a wide series"),
// pkg/expr/mathexp/reduce.go (reducers and the strict / dropNN / replaceNN modes), pkg/expr/threshold.go
// (threshold evaluators as comparisons), pkg/services/ngalert/eval/eval.go (IsNoData, evaluateExecutionResult:
// result per frame, duplicate label sets) and pkg/services/ngalert/state/state.go (resultNormal /
// resultAlerting / resultError / resultNoData).
package alerting

import (
	"errors"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Point is one sample of a series; a nil Value is a null.
type Point struct {
	Time  time.Time
	Value *float64
}

// Series is one labelled time series (one value field of a time-series frame).
type Series struct {
	Labels data.Labels
	Points []Point
}

// Number is one labelled number (a reduced series, or a row of a numeric table); a nil Value is a null.
type Number struct {
	Labels data.Labels
	Value  *float64
}

// Value is what a query or an expression yields: a set of series or a set of numbers, or no data at all.
type Value struct {
	Series  []Series
	Numbers []Number
	NoData  bool
}

// ErrSeriesMustBeWide is Grafana's error for frames expressions cannot read as series (expr.ErrSeriesMustBeWide).
var ErrSeriesMustBeWide = errors.New("input data must be a wide series")

// IsNoData is Grafana's no-data test of a data source response: no frames, or one frame without fields.
func IsNoData(r backend.DataResponse) bool {
	return len(r.Frames) == 0 || (len(r.Frames) == 1 && len(r.Frames[0].Fields) == 0)
}

// FromResponse converts a data source response into expression input as Grafana's expression engine does:
//   - an error response is that error;
//   - no frames, or one frame without fields: NoData;
//   - frames typed as dataplane numeric (numeric-multi, numeric-wide): one Number per number field (one row);
//   - frames typed as dataplane time series, or untyped: each frame must be a wide series (one time field, number
//     fields), each number field becoming a Series with its labels; any other frame fails with
//     ErrSeriesMustBeWide ("… but got type <type>");
//   - an untyped single frame without a time field, with one number column and string columns: a number set,
//     one Number per row labelled by the string columns (the documented "numeric table" alerting input).
func FromResponse(r backend.DataResponse) (Value, error) {
	if r.Error != nil {
		return Value{}, r.Error
	}
	if IsNoData(r) {
		return Value{NoData: true}, nil
	}
	first := r.Frames[0]
	if first.Meta != nil {
		switch first.Meta.Type {
		case data.FrameTypeNumericMulti, data.FrameTypeNumericWide:
			return numbersOf(r.Frames)
		}
	}
	if len(r.Frames) == 1 && (first.Meta == nil || first.Meta.Type == "") && isNumberTable(first) {
		return numberTable(first)
	}
	var out Value
	for _, f := range r.Frames {
		schema := f.TimeSeriesSchema()
		if schema.Type != data.TimeSeriesTypeWide {
			return Value{}, fmt.Errorf("%w but got type %s (input refid)", ErrSeriesMustBeWide, schema.Type)
		}
		for _, vi := range schema.ValueIndices {
			field := f.Fields[vi]
			s := Series{Labels: field.Labels.Copy()}
			for i := 0; i < f.Rows(); i++ {
				t, ok := f.Fields[schema.TimeIndex].ConcreteAt(i)
				if !ok {
					return Value{}, fmt.Errorf("frame %q: null time at row %d", f.Name, i)
				}
				s.Points = append(s.Points, Point{Time: t.(time.Time), Value: floatAt(field, i)})
			}
			out.Series = append(out.Series, s)
		}
	}
	if len(out.Series) == 0 {
		out.NoData = true
	}
	return out, nil
}

// numbersOf reads dataplane numeric frames: every number field of one row is a Number.
func numbersOf(frames data.Frames) (Value, error) {
	var out Value
	for _, f := range frames {
		if len(f.Fields) == 0 {
			continue
		}
		if f.Rows() > 1 {
			return Value{}, fmt.Errorf("numeric frame %q has %d rows, want 1", f.Name, f.Rows())
		}
		for _, field := range f.Fields {
			if field.Type().Numeric() {
				n := Number{Labels: field.Labels.Copy()}
				if f.Rows() == 1 {
					n.Value = floatAt(field, 0)
				}
				out.Numbers = append(out.Numbers, n)
			}
		}
	}
	out.NoData = len(out.Numbers) == 0
	return out, nil
}

// isNumberTable: no time field, exactly one number field, every other field a string.
func isNumberTable(f *data.Frame) bool {
	numbers := 0
	for _, field := range f.Fields {
		switch {
		case field.Type().Time():
			return false
		case field.Type().Numeric():
			numbers++
		case field.Type() != data.FieldTypeString && field.Type() != data.FieldTypeNullableString:
			return false
		}
	}
	return numbers == 1
}

// numberTable turns each row of a numeric table into a Number labelled by the row's string columns.
func numberTable(f *data.Frame) (Value, error) {
	var out Value
	for i := 0; i < f.Rows(); i++ {
		n := Number{Labels: data.Labels{}}
		for _, field := range f.Fields {
			if field.Type().Numeric() {
				n.Value = floatAt(field, i)
				continue
			}
			if v, ok := field.ConcreteAt(i); ok {
				n.Labels[field.Name] = v.(string)
			}
		}
		out.Numbers = append(out.Numbers, n)
	}
	out.NoData = len(out.Numbers) == 0
	return out, nil
}

// floatAt reads a number field's value at row i as *float64 (nil for a null).
func floatAt(field *data.Field, i int) *float64 {
	f, err := field.NullableFloatAt(i)
	if err != nil || f == nil {
		return nil
	}
	v := *f
	return &v
}
