package spark

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// clientType names the plugin to the server (ExecutePlanRequest.client_type; shown in Spark's UI and logs).
const clientType = "grafana-modelmonitor"

// interruptTimeout bounds the Interrupt call sent when a query is cancelled or times out.
const interruptTimeout = 5 * time.Second

// Runner runs the store's statements on a Spark Connect server. Each statement is one ExecutePlan operation of
// a SQL relation with named arguments (the values are bound, never spliced into the text); its Arrow batches are
// read into memory (the statements return aggregates, never rows). At most maxConcurrentQueries operations run
// at a time; a statement runs for at most queryTimeoutSeconds, and one whose context ends (Grafana cancelled the
// query, or the time-out passed) is interrupted on the server by its operation id.
//
// All statements of a Runner share one Spark session, whose time zone is UTC (naive timestamps are UTC wall
// clock) and whose current schema is the settings' database. A server that restarted has forgotten the session:
// the runner notices (the server's session id changed, or the server no longer knows the session) and sets the
// session up again.
type Runner struct {
	conn    *grpc.ClientConn
	addr    settings.SparkAddress
	cfg     settings.Settings
	timeout time.Duration
	slots   chan struct{}

	mu        sync.Mutex
	session   string // client-side session id (a UUID)
	serverID  string // the server's id of the session, once seen
	setUpDone bool
}

var _ sqlstore.Runner = (*Runner)(nil)

// NewRunner prepares the gRPC channel. It does not connect: the first statement (or Ping) does, so a data
// source whose server is down still opens and says why on every query and in CheckHealth.
func NewRunner(cfg settings.Settings) (*Runner, error) {
	addr, err := settings.ParseSparkURL(cfg.Spark.URL)
	if err != nil {
		return nil, err
	}
	conn, err := dial(addr, cfg)
	if err != nil {
		return nil, err
	}
	return &Runner{conn: conn, addr: addr, cfg: cfg, timeout: time.Duration(cfg.QueryTimeoutSecs) * time.Second,
		slots: make(chan struct{}, max(1, cfg.MaxConcurrentQueries)), session: uuid.NewString()}, nil
}

// Query runs one statement with its bound values and returns its rows, read in full. A statement stopped by
// the time-out or a cancelled ctx is interrupted on the server and reported as such.
func (r *Runner) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	named, err := namedArguments(args)
	if err != nil {
		return nil, err
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("query cancelled or timed out while waiting for one of the %d Spark operations of this data source (maxConcurrentQueries): %w",
			cap(r.slots), ctx.Err())
	}
	rows, err := r.run(ctx, q, named)
	if err != nil && sessionLost(err) {
		// The server restarted (or dropped the session): set it up again and run the statement once more.
		r.resetSession()
		rows, err = r.run(ctx, q, named)
	}
	return rows, err
}

// run sets the session up when needed and executes one statement within the query time-out.
func (r *Runner) run(ctx context.Context, q string, named map[string]any) (*resultRows, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.setUp(ctx); err != nil {
		return nil, err
	}
	return r.execute(ctx, q, named)
}

// setUp prepares the session once: time zone UTC, and the settings' database as the current schema.
func (r *Runner) setUp(ctx context.Context) error {
	r.mu.Lock()
	done := r.setUpDone
	r.mu.Unlock()
	if done {
		return nil
	}
	session, _ := r.sessionIDs()
	req, err := newMessage("ConfigRequest", map[string]any{
		"sessionId": session, "userContext": map[string]any{"userId": r.userID()}, "clientType": clientType,
		"operation": map[string]any{"set": map[string]any{"pairs": []any{map[string]any{"key": "spark.sql.session.timeZone", "value": "UTC"}}}},
	})
	if err != nil {
		return err
	}
	resp, _ := newMessage("ConfigResponse", nil)
	if err := r.conn.Invoke(r.outgoing(ctx), methodConfig, req, resp); err != nil {
		return r.explain(ctx, err, false)
	}
	if v, ok := field(resp.ProtoReflect(), "server_side_session_id"); ok {
		r.noteServerSession(v.String())
	}
	if r.cfg.Database != "" {
		if _, err := r.execute(ctx, "USE "+quoteIdent(r.cfg.Database), nil); err != nil {
			return fmt.Errorf("Spark database %q: %w", r.cfg.Database, err)
		}
	}
	r.mu.Lock()
	r.setUpDone = true
	r.mu.Unlock()
	return nil
}

func (r *Runner) sessionIDs() (session, serverID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.session, r.serverID
}

// noteServerSession keeps the server's id of the session; a different id means the server restarted and set
// up a new session under the same client id, without the time zone and schema: the next statement sets it up.
func (r *Runner) noteServerSession(id string) {
	if id == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.serverID != "" && r.serverID != id {
		r.setUpDone = false
	}
	r.serverID = id
}

// resetSession starts a new session (a new client id), to be set up by the next statement.
func (r *Runner) resetSession() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.session, r.serverID, r.setUpDone = uuid.NewString(), "", false
}

// userID is the user the requests name: user_id of the URL, else the plugin's name.
func (r *Runner) userID() string {
	if r.addr.UserID != "" {
		return r.addr.UserID
	}
	return clientType
}

// Columns lists a table's columns from DESCRIBE TABLE, lower-case name → upper-case Spark type ("DOUBLE",
// "STRING", "TIMESTAMP_NTZ", "MAP<STRING,DOUBLE>", "DECIMAL(10,2)", …), nil when the table does not exist.
func (r *Runner) Columns(ctx context.Context, table string) (map[string]string, error) {
	rows, err := r.Query(ctx, "DESCRIBE TABLE "+quoteIdent(table))
	if err != nil {
		var se *Error
		if errors.As(err, &se) && se.Class == "TABLE_OR_VIEW_NOT_FOUND" {
			return nil, nil
		}
		return nil, err
	}
	defer rows.Close()
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		var comment any
		if err := rows.Scan(&name, &typ, &comment); err != nil {
			return nil, err
		}
		// A partitioned table's description goes on after an empty row with "# Partition Information".
		if name == "" || strings.HasPrefix(name, "#") {
			break
		}
		cols[strings.ToLower(name)] = strings.ToUpper(typ)
	}
	if len(cols) == 0 {
		return nil, rows.Err()
	}
	return cols, rows.Err()
}

// Ping runs `SELECT 1` (setting the session up on the way).
func (r *Runner) Ping(ctx context.Context) error {
	rows, err := r.Query(ctx, "SELECT 1")
	if err != nil {
		return err
	}
	return rows.Close()
}

// Close closes the gRPC channel; the server releases the session after its idle time-out.
func (r *Runner) Close() error { return r.conn.Close() }

// sessionLost reports an error saying the server does not know the session (any more).
func sessionLost(err error) bool {
	var se *Error
	return errors.As(err, &se) && (strings.HasPrefix(se.Class, "INVALID_HANDLE.SESSION_CHANGED") ||
		strings.HasPrefix(se.Class, "INVALID_HANDLE.SESSION_NOT_FOUND") || strings.HasPrefix(se.Class, "INVALID_HANDLE.SESSION_CLOSED"))
}
