package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes the adapter names (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const (
	codeInvalidPassword      = "28P01"
	codeInvalidAuthorization = "28000" // no pg_hba.conf entry, role may not log in
	codeUnknownDatabase      = "3D000"
	codeUndefinedTable       = "42P01"
	codeUndefinedColumn      = "42703"
	codeInsufficientPriv     = "42501"
	codeQueryCanceled        = "57014" // statement_timeout or a cancel request
	codeReadOnlyTransaction  = "25006"
	codeInvalidText          = "22P02" // e.g. text that is not a number cast to double precision
	codeTooManyConnections   = "53300"
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeCannotConnectNow     = "57P03"
	codeSerialization        = "40001" // serialization failure; on a standby also a conflict with recovery
	codeDeadlock             = "40P01"
	codeProtocolViolation    = "08P01" // PgBouncer reports every error of its own with it
	classProgramLimit        = "54"    // program limit exceeded: too many columns or arguments, too complex, an array over 1 GB
	classInternal            = "XX"    // XX000 internal error, XX001 data corrupted, XX002 index corrupted
)

// ErrUnreachable marks an error of a connection that could not be made or was lost (server down, restarted,
// unreachable, TLS refused): errors.Is(err, ErrUnreachable) tells it from an answer of the server, which carries
// a *pgconn.PgError.
var ErrUnreachable = errors.New("PostgreSQL unreachable")

// unreachable wraps a connection error so that it is ErrUnreachable, keeping its message and chain.
type unreachable struct{ error }

func (u unreachable) Is(target error) bool { return target == ErrUnreachable }
func (u unreachable) Unwrap() error        { return u.error }

// explain turns an error of pgx into one that says what is wrong in the user's terms, keeping the original
// (errors.Is/As still reach the *pgconn.PgError); an error it cannot name more precisely is returned as it is. A
// connection that cannot be made or was lost is also marked ErrUnreachable. ctx is the query's context: a
// statement stopped because ctx ended is reported as cancelled or timed out, whatever the server answered.
func (s *Runner) explain(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("query cancelled or timed out: %w", ctx.Err())
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeInvalidPassword:
			return fmt.Errorf("PostgreSQL authentication failed for user %q (check user and password): %w", s.cfg.User, err)
		case codeInvalidAuthorization:
			return fmt.Errorf("PostgreSQL refused user %q (pg_hba.conf or role settings): %w", s.cfg.User, err)
		case codeUnknownDatabase:
			return fmt.Errorf("PostgreSQL database %q does not exist: %w", s.cfg.Database, err)
		case codeUndefinedTable:
			return fmt.Errorf("table missing: %w", err)
		case codeUndefinedColumn:
			return fmt.Errorf("column missing: %w", err)
		case codeInsufficientPriv:
			return fmt.Errorf("no SELECT permission for user %q: %w", s.cfg.User, err)
		case codeQueryCanceled:
			return fmt.Errorf("query stopped by the PostgreSQL statement timeout (%d s, queryTimeoutSeconds): %w", s.cfg.QueryTimeoutSecs, err)
		case codeReadOnlyTransaction:
			return fmt.Errorf("the store is only read, and the statement tried to write: %w", err)
		case codeInvalidText:
			return fmt.Errorf("a column holds values of the wrong type (text where a number is expected?): %w", err)
		case codeTooManyConnections:
			return fmt.Errorf("PostgreSQL has no free connection (lower maxConnections or raise max_connections): %w", err)
		case codeAdminShutdown, codeCrashShutdown, codeCannotConnectNow:
			return fmt.Errorf("PostgreSQL at %s is shutting down or starting: %w", address(s.cfg), err)
		case codeSerialization, codeDeadlock:
			return fmt.Errorf("PostgreSQL cancelled the statement in a conflict with another session "+
				"(a deadlock, or on a standby a conflict with recovery): retry the query: %w", err)
		case codeProtocolViolation:
			return fmt.Errorf("PostgreSQL or a connection pooler in front of it (PgBouncer reports its own errors as "+
				"08P01) broke off the statement: check the pooler's limits and timeouts (max_client_conn, "+
				"query_wait_timeout, query_timeout): %w", err)
		}
		switch pe.Code[:min(2, len(pe.Code))] {
		case classProgramLimit:
			return fmt.Errorf("the statement exceeds a PostgreSQL limit (columns, arguments, nesting or array size): %w", err)
		case classInternal:
			return fmt.Errorf("PostgreSQL at %s failed internally (its log says more; XX001/XX002: data or index "+
				"corrupted, for its administrator): %w", address(s.cfg), err)
		}
		return err // the store names the engine
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce) || pgconn.SafeToRetry(err):
		return fmt.Errorf("cannot connect to PostgreSQL at %s: %w", address(s.cfg), unreachable{err})
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &ne):
		return fmt.Errorf("the connection to PostgreSQL at %s was lost (server down or restarted?): %w", address(s.cfg), unreachable{err})
	}
	return err
}
