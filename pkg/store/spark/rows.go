package spark

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// resultRows holds a statement's result, read from its Arrow batches into Go values: nil (NULL), int64 (the
// integer types), float64 (FLOAT, DOUBLE, DECIMAL), string, bool and []float64 (an array of numbers, NULL
// elements left out). Aggregates are small, so the rows are kept whole.
type resultRows struct {
	rows [][]any
	next int
}

// received counts what every runner of the process read back: result rows and Arrow bytes.
var received struct{ rows, bytes atomic.Int64 }

// Received returns the result rows and Arrow IPC bytes every runner of the process has received so far: the size
// of what Spark sends back, which the benchmarks report per query (it follows the number of models, windows,
// features and bins, not the rows read).
func Received() (rows, arrowBytes int64) { return received.rows.Load(), received.bytes.Load() }

// appendBatch decodes one Arrow IPC stream (an ExecutePlanResponse's arrow_batch) and appends its rows.
func (r *resultRows) appendBatch(data []byte) error {
	before := len(r.rows)
	defer func() {
		received.rows.Add(int64(len(r.rows) - before))
		received.bytes.Add(int64(len(data)))
	}()
	rd, err := ipc.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer rd.Release()
	for rd.Next() {
		rec := rd.Record()
		cols := rec.Columns()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, len(cols))
			for j, c := range cols {
				if row[j], err = value(c, i); err != nil {
					return fmt.Errorf("column %q: %w", rec.ColumnName(j), err)
				}
			}
			r.rows = append(r.rows, row)
		}
	}
	return rd.Err()
}

// value reads row i of an Arrow column as a Go value.
func value(c arrow.Array, i int) (any, error) {
	if c.IsNull(i) {
		return nil, nil
	}
	switch a := c.(type) {
	case *array.Int64:
		return a.Value(i), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Int8:
		return int64(a.Value(i)), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Float32:
		return float64(a.Value(i)), nil
	case *array.Decimal128:
		return a.Value(i).ToFloat64(a.DataType().(*arrow.Decimal128Type).Scale), nil
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := []float64{}
		for k := int(start); k < int(end); k++ {
			v, err := value(a.ListValues(), k)
			if err != nil {
				return nil, err
			}
			switch x := v.(type) {
			case float64:
				out = append(out, x)
			case int64:
				out = append(out, float64(x))
			case nil:
			default:
				return nil, fmt.Errorf("array element of type %T where numbers are expected", v)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("Spark result type %s is not read by the store", c.DataType())
}

func (r *resultRows) Next() bool {
	if r.next >= len(r.rows) {
		return false
	}
	r.next++
	return true
}

// Scan copies the current row into dest, as database/sql does for the types sqlstore.Rows names: *string,
// *int, *int64, *float64, *bool, *[]float64, *any and the sql.Null* scanners. NULL into a plain *string, *int,
// *int64, *float64 or *bool is an error.
func (r *resultRows) Scan(dest ...any) error {
	if r.next == 0 || r.next > len(r.rows) {
		return errors.New("Scan called without a row")
	}
	row := r.rows[r.next-1]
	if len(dest) != len(row) {
		return fmt.Errorf("Spark result has %d columns, scanned into %d", len(row), len(dest))
	}
	for i, d := range dest {
		if err := assign(d, row[i]); err != nil {
			return fmt.Errorf("Spark result column %d: %w", i+1, err)
		}
	}
	return nil
}

func assign(dest, v any) error {
	switch d := dest.(type) {
	case *any:
		*d = v
		return nil
	case *[]float64:
		l, ok := v.([]float64)
		if v != nil && !ok {
			return fmt.Errorf("%T is not an array of numbers", v)
		}
		*d = l
		return nil
	case sql.Scanner:
		return d.Scan(v)
	}
	if v == nil {
		return fmt.Errorf("NULL into %T", dest)
	}
	switch d := dest.(type) {
	case *string:
		if s, ok := v.(string); ok {
			*d = s
			return nil
		}
	case *bool:
		if b, ok := v.(bool); ok {
			*d = b
			return nil
		}
	case *float64:
		switch x := v.(type) {
		case float64:
			*d = x
			return nil
		case int64:
			*d = float64(x)
			return nil
		}
	case *int64:
		if n, ok := integer(v); ok {
			*d = n
			return nil
		}
	case *int:
		if n, ok := integer(v); ok {
			*d = int(n)
			return nil
		}
	}
	return fmt.Errorf("cannot scan %T into %T", v, dest)
}

// integer reads an int64, or a float64 holding an integer.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
	}
	return 0, false
}

func (r *resultRows) Err() error   { return nil }
func (r *resultRows) Close() error { return nil }
