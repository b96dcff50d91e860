package spark

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/spark-connect-go/spark/sparkerrors"
	"google.golang.org/grpc/codes"
)

// Error is an error Spark reported for a statement: its error class (e.g. TABLE_OR_VIEW_NOT_FOUND,
// UNRESOLVED_COLUMN.WITH_SUGGESTION, https://spark.apache.org/docs/latest/sql-error-conditions.html), SQLSTATE and
// message. Err is the cause as the runner names it for the user.
type Error struct {
	Class, SQLState, Message string
	Err                      error
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
// answered says whether the server had already answered the call (an unavailable server then means the
// connection was lost mid-query rather than never made). A call stopped because ctx ended is reported as
// cancelled or timed out, whatever the server answered.
func (r *Runner) explain(ctx context.Context, err error, answered bool) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("query cancelled or timed out (queryTimeoutSeconds %d s; the Spark operation was interrupted): %w", r.cfg.QueryTimeoutSecs, ctx.Err())
		}
		return fmt.Errorf("query cancelled or timed out (the Spark operation was interrupted): %w", ctx.Err())
	}
	se := sparkerrors.FromRPCError(err)
	where := address(r.addr)
	switch se.Code {
	case codes.Unavailable:
		if answered {
			return fmt.Errorf("the connection to Spark Connect at %s was lost (server down or restarted?): %s", where, se.Message)
		}
		return fmt.Errorf("cannot connect to Spark Connect at %s: %s", where, se.Message)
	case codes.Unauthenticated:
		return fmt.Errorf("Spark Connect at %s refused the credentials (check the token): %s", where, se.Message)
	case codes.PermissionDenied:
		return fmt.Errorf("Spark Connect at %s denied access (permissions of the token's user): %s", where, se.Message)
	case codes.DeadlineExceeded:
		return fmt.Errorf("Spark Connect at %s did not answer in time: %s", where, se.Message)
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
