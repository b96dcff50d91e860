package spark

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/spark-connect-go/spark/sparkerrors"
	"google.golang.org/grpc/codes"
)

// Error is an error of a Spark Connect call: for an error Spark reported, its error class (e.g.
// TABLE_OR_VIEW_NOT_FOUND, UNRESOLVED_COLUMN.WITH_SUGGESTION,
// https://spark.apache.org/docs/latest/sql-error-conditions.html), SQLSTATE and message; Unreachable when the
// server could not be reached, was lost or refused the credentials. Err says what is wrong in the user's terms.
type Error struct {
	Class, SQLState, Message string
	Unreachable              bool
	Err                      error
}

// Generated reports an error in the SQL the store generated (a syntax error, an unbound parameter, Spark's
// internal error): never the user's doing, since every name was checked against the schema first.
func (e *Error) Generated() bool {
	for _, c := range []string{"PARSE_SYNTAX_ERROR", "UNBOUND_SQL_PARAMETER", "INTERNAL_ERROR", "INVALID_LIMIT_LIKE_EXPRESSION"} {
		if strings.HasPrefix(e.Class, c) {
			return true
		}
	}
	return false
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Error classes the adapter names.
const (
	classTableNotFound  = "TABLE_OR_VIEW_NOT_FOUND"
	classSchemaNotFound = "SCHEMA_NOT_FOUND"
	classCastInvalid    = "CAST_INVALID_INPUT"
	classCancelled      = "OPERATION_CANCELED"
)

// explain turns a gRPC error of a Spark Connect call into one that says what is wrong in the user's terms.
// started says whether the server had the call already (an unavailable server then means the connection was
// lost mid-query rather than never made). A call stopped because ctx ended is reported as cancelled or timed
// out, whatever the server answered.
func (r *Runner) explain(ctx context.Context, err error, started bool) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("query cancelled or timed out: %w", ctx.Err())
	}
	se := sparkerrors.FromRPCError(err)
	where := address(r.addr)
	unreachable := func(format string) error {
		return &Error{Unreachable: true, Message: se.Message, Err: fmt.Errorf(format, where, se.Message)}
	}
	switch se.Code {
	case codes.Unavailable:
		if started {
			return unreachable("the connection to Spark Connect at %s was lost (server down or restarted?): %s")
		}
		return unreachable("cannot connect to Spark Connect at %s: %s")
	case codes.Unauthenticated:
		return unreachable("Spark Connect at %s refused the credentials (check the token): %s")
	case codes.PermissionDenied:
		return unreachable("Spark Connect at %s denied access (permissions of the token's user): %s")
	case codes.DeadlineExceeded:
		return unreachable("Spark Connect at %s did not answer in time: %s")
	}
	if se.ErrorClass == "" {
		return fmt.Errorf("Spark Connect at %s: %s", where, se.Message)
	}
	e := &Error{Class: se.ErrorClass, SQLState: se.SqlState, Message: se.Message}
	switch {
	case se.ErrorClass == classTableNotFound:
		e.Err = fmt.Errorf("table missing: %s", se.Message)
	case se.ErrorClass == classSchemaNotFound:
		e.Err = fmt.Errorf("Spark database (schema) missing: %s", se.Message)
	case strings.HasPrefix(se.ErrorClass, "UNRESOLVED_COLUMN"):
		e.Err = fmt.Errorf("column missing: %s", se.Message)
	case se.ErrorClass == classCastInvalid:
		e.Err = fmt.Errorf("a column holds values of the wrong type (text where a number is expected?): %s", se.Message)
	case se.ErrorClass == classCancelled:
		e.Err = fmt.Errorf("the Spark operation was cancelled on the server: %s", se.Message)
	case strings.HasPrefix(se.SqlState, "42"):
		e.Err = fmt.Errorf("Spark cannot analyse the statement (schema differs from the settings?): %s", se.Message)
	default:
		e.Err = fmt.Errorf("%s", se.Message)
	}
	return e
}
