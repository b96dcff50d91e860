package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Runner runs the store's statements on a bounded pgx pool (settings maxConnections per data source instance).
// Every statement runs in its own READ ONLY transaction with a local statement_timeout of the settings' query
// timeout, so the server itself refuses a write and stops a runaway aggregate; cancelling the context makes
// pgx send a cancel request and drop the connection.
type Runner struct {
	pool *pgxpool.Pool
	cfg  settings.Settings
}

var _ sqlstore.Runner = (*Runner)(nil)

// NewRunner creates the pool. No connection is made until the first statement (or Ping), so a data source whose
// server is down still opens and says why on every query and in CheckHealth.
func NewRunner(cfg settings.Settings) (*Runner, error) {
	pc, err := poolConfig(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL pool: %w", err)
	}
	return &Runner{pool: pool, cfg: cfg}, nil
}

// begin opens a READ ONLY transaction whose statement_timeout is the query timeout (ms; 0 = the server's own),
// with planner settings for the store's aggregates (PlanSettings). The values are ones the backend rendered, so
// BEGIN and the SET LOCALs go in one round trip.
func (s *Runner) begin(ctx context.Context) (pgx.Tx, error) {
	ms := int64(s.cfg.QueryTimeoutSecs) * 1000
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{
		BeginQuery: fmt.Sprintf("BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = %d; %s", ms, PlanSettings),
	})
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	return tx, nil
}

// PlanSettings are the planner settings of the store's transactions. jit = off: compiling the wide expressions
// of these statements took 8.5 s of the 10 M-row benchmark's floor statement (README "PostgreSQL beside DuckDB"),
// and their work is not where JIT helps. (enable_sort = off, which made that floor 1.8× faster by hashing the
// unpivoted groups PostgreSQL cannot estimate, made the label-joining performance statements time out: not set.)
const PlanSettings = "SET LOCAL jit = off"

// Query runs one statement in its own read-only transaction; closing the rows ends the transaction.
func (s *Runner) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		rollback(tx)
		return nil, s.explain(ctx, err)
	}
	return &txRows{rows: rows, tx: tx, ctx: ctx, s: s}, nil
}

// rollback ends a read-only transaction. It runs on its own short context, because the query's may be the
// reason it ends; a connection whose rollback fails is closed by pgx.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}

// Columns lists a table's columns, lower-case name → upper-case type as PostgreSQL formats it (format_type:
// "DOUBLE PRECISION", "TEXT", "TIMESTAMP WITHOUT TIME ZONE", "JSONB", "NUMERIC(10,2)", …), nil when no table
// of that name is visible on the search_path. The name is looked up as the statements will quote it, so it is
// case-sensitive as in PostgreSQL (a table created without quotes has a lower-case name). A table the user may
// not read is an error that says so, since every statement on it would fail.
func (s *Runner) Columns(ctx context.Context, table string) (map[string]string, error) {
	rows, err := s.Query(ctx, `SELECT a.attname, upper(format_type(a.atttypid, a.atttypmod)),
		has_table_privilege(c.oid, 'SELECT') OR has_any_column_privilege(c.oid, 'SELECT')
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
		WHERE c.oid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, quoteIdent(table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]string{}
	readable := true
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ, &readable); err != nil {
			return nil, err
		}
		cols[strings.ToLower(name)] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, nil
	}
	if !readable {
		return nil, fmt.Errorf("no SELECT permission for user %q on table %q", s.cfg.User, table)
	}
	return cols, nil
}

// Ping connects (or takes a pooled connection) and runs an empty statement.
func (s *Runner) Ping(ctx context.Context) error {
	return s.explain(ctx, s.pool.Ping(ctx))
}

// Close closes the pool.
func (s *Runner) Close() error {
	s.pool.Close()
	return nil
}

// txRows adapts pgx rows to sqlstore.Rows and ends the statement's transaction on Close.
type txRows struct {
	rows pgx.Rows
	tx   pgx.Tx
	ctx  context.Context
	s    *Runner
	done bool
}

func (r *txRows) Next() bool { return r.rows.Next() }

// Scan reads the current row. A *[]float64 destination reads a double precision[] (NULL → nil, NULL elements
// left out), as the Runner contract asks; everything else is pgx's own scanning.
func (r *txRows) Scan(dest ...any) error {
	arrays := map[int]*[]*float64{}
	targets := make([]any, len(dest))
	for i, d := range dest {
		if _, ok := d.(*[]float64); ok {
			arrays[i] = new([]*float64)
			targets[i] = arrays[i]
			continue
		}
		targets[i] = d
	}
	if err := r.rows.Scan(targets...); err != nil {
		return fmt.Errorf("PostgreSQL result: %w", err)
	}
	for i, a := range arrays {
		out := dest[i].(*[]float64)
		*out = nil
		for _, v := range *a {
			if v != nil {
				*out = append(*out, *v)
			}
		}
	}
	return nil
}

func (r *txRows) Err() error { return r.s.explain(r.ctx, r.rows.Err()) }

// Close releases the rows and rolls the read-only transaction back (nothing was written to keep).
func (r *txRows) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	r.rows.Close()
	err := r.rows.Err()
	rollback(r.tx)
	return r.s.explain(r.ctx, err)
}

// quoteIdent renders an identifier quoted, doubling embedded quotes.
func quoteIdent(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }
