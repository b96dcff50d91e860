package plugin

import (
	"errors"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aiops/modelmonitor/pkg/store/postgres"
)

// postgresErrorResponse classifies an error of the PostgreSQL store by its SQLSTATE
// (https://www.postgresql.org/docs/15/errcodes-appendix.html), or, without one, as a failed connection. The
// message is the store's, which already says what is wrong in the user's terms (pkg/store/postgres). ok is false
// for an error that did not come from PostgreSQL or its connection:
//   - 57014 query_canceled (statement_timeout, a cancel request) → 504 downstream;
//   - class 53 insufficient resources (out of memory, disk full, too many connections), 40001
//     serialization_failure and 40P01 deadlock_detected (a conflict with another session, or on a standby with
//     recovery: the same query succeeds when retried) → 503 downstream;
//   - class 08 connection exceptions (08P01 protocol_violation included: PgBouncer reports its own errors, pool
//     limits and timeouts, with it), class 28 authorization (wrong password, pg_hba.conf), 3D000 missing
//     database, 42501 insufficient privilege, 42P01 undefined table, 42703 undefined column, class 57 operator
//     intervention (server shutting down or starting), class 58 system errors, class XX the server's internal
//     errors (XX000 internal_error, XX001 data_corrupted, XX002 index_corrupted), a connection that cannot be
//     made or was lost (postgres.ErrUnreachable) → 502 downstream: the server, its configuration, its pooler or
//     its schema, not the query. The plugin checks every identifier against the schema it discovers, so a
//     table or column that is missing when a statement runs was dropped or renamed since (or the settings name
//     one that never was);
//   - class 22 data exceptions (text where a number is expected, a numeric overflow) → 400 downstream: the
//     user's data;
//   - 25006 read-only transaction, class 42 otherwise (syntax, undefined function, type mismatch), class 0A
//     feature not supported, class 54 program limit exceeded (too many columns or arguments, a statement too
//     complex, an array over 1 GB: the statement the plugin built) → 500 plugin: SQL the plugin generated is
//     wrong;
//   - any other SQLSTATE → 400 downstream.
func postgresErrorResponse(err error) (backend.DataResponse, bool) {
	status, source, ok := postgresStatus(err)
	if !ok {
		return backend.DataResponse{}, false
	}
	msg := err.Error()
	if source == backend.ErrorSourcePlugin {
		msg = "internal error in the plugin's SQL (a bug, please report it): " + msg
	}
	return backend.ErrDataResponseWithSource(status, source, msg), true
}

// postgresStatus is postgresErrorResponse's table: the status and error source of err.
func postgresStatus(err error) (backend.Status, backend.ErrorSource, bool) {
	const downstream, plugin = backend.ErrorSourceDownstream, backend.ErrorSourcePlugin
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		code, class := pe.Code, pe.Code[:min(2, len(pe.Code))]
		switch {
		case code == "57014":
			return backend.StatusTimeout, downstream, true
		case class == "53" || code == "40001" || code == "40P01":
			return statusServiceUnavailable, downstream, true
		case code == "25006" || class == "0A" || class == "54":
			return backend.StatusInternal, plugin, true
		case class == "08" || class == "28" || class == "57" || class == "58" || class == "XX" ||
			code == "3D000" || code == "42501" || code == "42P01" || code == "42703":
			return backend.StatusBadGateway, downstream, true
		case class == "42":
			return backend.StatusInternal, plugin, true
		}
		return backend.StatusBadRequest, downstream, true
	}
	if errors.Is(err, postgres.ErrUnreachable) {
		return backend.StatusBadGateway, downstream, true
	}
	return 0, "", false
}
