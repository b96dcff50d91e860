package plugin

import (
	"errors"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/aiops/modelmonitor/pkg/store/spark"
)

// sparkResponse classifies an error of the Spark store; ok is false for any other error.
//   - the server unreachable, lost mid-query or refusing the credentials → 502 downstream;
//   - an error in the SQL the plugin generated (syntax, unbound parameter, Spark's internal error) → 500 plugin;
//   - anything else Spark reported (a missing table or column, a schema that differs from the settings, a value
//     of the wrong type) → 400 downstream.
func sparkResponse(err error) (backend.DataResponse, bool) {
	var se *spark.Error
	if !errors.As(err, &se) {
		return backend.DataResponse{}, false
	}
	switch {
	case se.Unreachable:
		return backend.ErrDataResponseWithSource(backend.StatusBadGateway, backend.ErrorSourceDownstream, err.Error()), true
	case se.Generated():
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin,
			"internal error in the plugin's SQL (a bug, please report it): "+err.Error()), true
	}
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error()), true
}
