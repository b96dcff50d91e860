package spark

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	// The Spark Connect client registers the protocol's message types (spark.connect.*), which this package
	// builds by name: the client's DataFrame API has neither bound SQL arguments nor operation ids to interrupt.
	_ "github.com/apache/spark-connect-go/spark/client"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The gRPC methods of spark.connect.SparkConnectService the runner calls (Spark's base.proto).
const (
	methodExecutePlan = "/spark.connect.SparkConnectService/ExecutePlan"
	methodInterrupt   = "/spark.connect.SparkConnectService/Interrupt"
	methodConfig      = "/spark.connect.SparkConnectService/Config"

	methodReattachExecute = "/spark.connect.SparkConnectService/ReattachExecute"
	methodReleaseExecute  = "/spark.connect.SparkConnectService/ReleaseExecute"
)

// newMessage returns a new message of the registered Spark Connect type name (e.g. "ExecutePlanRequest"), filled
// from v in the protocol's JSON mapping (field names in lowerCamelCase), or an empty one for nil v.
func newMessage(name string, v any) (proto.Message, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName("spark.connect." + name))
	if err != nil {
		return nil, fmt.Errorf("the Spark Connect client does not define spark.connect.%s: %w", name, err)
	}
	m := mt.New().Interface()
	if v == nil {
		return m, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if err := protojson.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("spark.connect.%s: %w", name, err)
	}
	return m, nil
}

// field reads a (nested) field of a message by its proto names; ok is false when a field on the path is unset
// or unknown.
func field(m protoreflect.Message, path ...string) (v protoreflect.Value, ok bool) {
	for i, name := range path {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
		if fd == nil || !m.Has(fd) {
			return protoreflect.Value{}, false
		}
		v = m.Get(fd)
		if i < len(path)-1 {
			m = v.Message()
		}
	}
	return v, true
}

// literal renders a bound value as a spark.connect.Expression.Literal in the JSON mapping: string, bool,
// int (an integer where it fits, else a long), int64 (a long), float64 (a double; NaN and ±Inf as the mapping's strings) and []float64 (an array of
// doubles).
func literal(v any) (json.RawMessage, error) {
	var out any
	switch x := v.(type) {
	case string:
		out = map[string]any{"string": x}
	case bool:
		out = map[string]any{"boolean": x}
	case int:
		// An INT where it fits: LIMIT and other size arguments must be INT, not BIGINT.
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			out = map[string]any{"integer": x}
		} else {
			out = map[string]any{"long": strconv.Itoa(x)}
		}
	case int64:
		out = map[string]any{"long": strconv.FormatInt(x, 10)}
	case float64:
		out = map[string]any{"double": double(x)}
	case []float64:
		elems := make([]any, len(x))
		for i, f := range x {
			elems[i] = map[string]any{"double": double(f)}
		}
		out = map[string]any{"array": map[string]any{"elementType": map[string]any{"double": map[string]any{}}, "elements": elems}}
	default:
		return nil, fmt.Errorf("cannot bind a %T to a Spark SQL parameter", v)
	}
	return json.Marshal(out)
}

// double renders a float64 for the JSON mapping, which spells the non-finite values as strings.
func double(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// namedArguments binds args[i] under the name p<i+1>, as Dialect.Placeholder renders its markers.
func namedArguments(args []any) (map[string]any, error) {
	out := make(map[string]any, len(args))
	for i, a := range args {
		lit, err := literal(a)
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		out["p"+strconv.Itoa(i+1)] = map[string]any{"literal": lit}
	}
	return out, nil
}
