package plugin

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/store/spark"
)

// Spark's errors are classified by whose problem they are, through the store's wrapping: an unreachable server is
// the downstream's (502), the SQL the plugin generated is the plugin's (500), the rest of Spark's analysis errors
// are the downstream's (400); a time-out stays a time-out.
func TestSparkErrorResponses(t *testing.T) {
	wrap := func(e *spark.Error) error { return fmt.Errorf("Spark query failed: %w", e) }
	cases := []struct {
		name   string
		err    error
		status backend.Status
		source backend.ErrorSource
	}{
		{"unreachable", wrap(&spark.Error{Unreachable: true, Err: errors.New("cannot connect to Spark Connect at h:15002")}), backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"syntax error in generated SQL", wrap(&spark.Error{Class: "PARSE_SYNTAX_ERROR", SQLState: "42601", Err: errors.New("syntax")}), backend.StatusInternal, backend.ErrorSourcePlugin},
		{"unbound parameter", wrap(&spark.Error{Class: "UNBOUND_SQL_PARAMETER", Err: errors.New("unbound")}), backend.StatusInternal, backend.ErrorSourcePlugin},
		{"missing table", wrap(&spark.Error{Class: "TABLE_OR_VIEW_NOT_FOUND", SQLState: "42P01", Err: errors.New("table missing")}), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"wrong type", wrap(&spark.Error{Class: "CAST_INVALID_INPUT", SQLState: "22018", Err: errors.New("wrong type")}), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"time-out", fmt.Errorf("query cancelled or timed out (queryTimeoutSeconds 3 s; the Spark operation was interrupted): %w", context.DeadlineExceeded), backend.StatusTimeout, backend.ErrorSourceDownstream},
	}
	for _, c := range cases {
		r := errorResponse(context.Background(), c.err, 4096)
		if r.Status != c.status || r.ErrorSource != c.source {
			t.Errorf("%s: status %v source %v, want %v %v", c.name, r.Status, r.ErrorSource, c.status, c.source)
		}
	}
}
