package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// errStoreUnavailable marks a store that could not be opened (missing file, a writer holding its lock, no
// permission): the user's store, retried on the next request.
type errStoreUnavailable struct{ err error }

func (e errStoreUnavailable) Error() string { return e.err.Error() }
func (e errStoreUnavailable) Unwrap() error { return e.err }

// errPanic is a recovered panic: a bug of the plugin, reported as that query's error.
type errPanic struct{ value any }

func (e errPanic) Error() string {
	return fmt.Sprintf("internal error in the plugin (a bug, please report it): %v", e.value)
}

// panicError turns a recovered panic into errPanic and logs it with its stack.
func panicError(r any) error {
	log.DefaultLogger.Error("query panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	return errPanic{value: r}
}

// statusServiceUnavailable is HTTP 503: the store ran out of its memory limit (the SDK names no such status).
const statusServiceUnavailable = backend.Status(http.StatusServiceUnavailable)

// errorResponse classifies a failed query by whose problem it is (Grafana's error source) and with a status:
//   - time-out (ctx deadline) → 504 downstream; cancelled → 400 downstream (nobody reads it);
//   - errBusy → 429 downstream (the load the user's dashboards and rules make), with what to do;
//   - a store that cannot be opened, or an I/O, connection or permission error of the engine → 502 downstream;
//   - the engine out of memory → 503 downstream, naming the memoryLimitMB setting;
//   - a recovered panic, an error already marked as the plugin's, or an engine error that means the SQL the
//     plugin generated is wrong (parser, binder, internal) → 500 plugin: every identifier was checked against
//     the store's schema before the SQL was built, so such an error is our bug;
//   - an error of PostgreSQL or its connection → as postgresErrorResponse says (by SQLSTATE);
//   - anything else (a bad query, an unknown model, feature or column, a value the engine cannot convert) → 400
//     downstream.
func errorResponse(ctx context.Context, err error, memoryLimitMB int) backend.DataResponse {
	downstream := func(status backend.Status, msg string) backend.DataResponse {
		return backend.ErrDataResponseWithSource(status, backend.ErrorSourceDownstream, msg)
	}
	var busy errBusy
	var unavailable errStoreUnavailable
	var bug errPanic
	var engine *duckdbdriver.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return downstream(backend.StatusTimeout, "query timed out: "+err.Error())
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return downstream(backend.StatusBadRequest, "query cancelled")
	case errors.As(err, &busy):
		return downstream(backend.StatusTooManyRequests, err.Error())
	case errors.As(err, &unavailable):
		return downstream(backend.StatusBadGateway, err.Error())
	case errors.As(err, &bug) || backend.IsPluginError(err):
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, err.Error())
	case errors.As(err, &engine):
		switch engine.Type {
		case duckdbdriver.ErrorTypeParser, duckdbdriver.ErrorTypeSyntax, duckdbdriver.ErrorTypeBinder,
			duckdbdriver.ErrorTypeInternal, duckdbdriver.ErrorTypeFatal, duckdbdriver.ErrorTypeNullPointer,
			duckdbdriver.ErrorTypeParameterNotResolved, duckdbdriver.ErrorTypeParameterNotAllowed:
			return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin,
				"internal error in the plugin's SQL (a bug, please report it): "+err.Error())
		case duckdbdriver.ErrorTypeOutOfMemory:
			return downstream(statusServiceUnavailable, fmt.Sprintf("the store ran out of memory (memoryLimitMB %d): "+
				"narrow the query (one model, a shorter range) or raise memoryLimitMB: %v", memoryLimitMB, err))
		case duckdbdriver.ErrorTypeIO, duckdbdriver.ErrorTypeConnection, duckdbdriver.ErrorTypeNetwork,
			duckdbdriver.ErrorTypeHTTP, duckdbdriver.ErrorTypePermission:
			return downstream(backend.StatusBadGateway, err.Error())
		case duckdbdriver.ErrorTypeInterrupt:
			return downstream(backend.StatusTimeout, "query interrupted: "+err.Error())
		}
	}
	if resp, ok := sparkResponse(err); ok {
		return resp
	}
	if res, ok := postgresErrorResponse(err); ok {
		return res
	}
	return downstream(backend.StatusBadRequest, err.Error())
}
