package spark

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// maxIdleReattaches bounds the reattachments in a row that bring no new response: a server that keeps ending
// the stream without progress has lost the operation.
const maxIdleReattaches = 3

// operation is one ExecutePlan operation: its id and the session it runs in (kept, so that an interrupt or a
// reattachment names that session even when the runner has moved to a new one meanwhile).
type operation struct {
	id, session, serverID string
	lastResponse          string // the id of the last response read, where a reattachment resumes
}

// execute runs one SQL relation as a reattachable ExecutePlan operation and collects its Arrow batches. The
// result is complete only once the server sent result_complete: a stream that ends without it was cut (Spark
// Connect ends a response stream after spark.connect.execute.reattachable.senderMaxStreamDuration, 2 min by
// default, or senderMaxStreamSize) and is resumed with ReattachExecute from the last response read; when the
// server no longer knows the operation, the result is lost and the error says so. A completed operation is
// released on the server (ReleaseExecute), which otherwise keeps its responses until it times out.
func (r *Runner) execute(ctx context.Context, q string, named map[string]any) (*resultRows, error) {
	op := &operation{id: uuid.NewString()}
	op.session, op.serverID = r.sessionIDs()
	sqlRel := map[string]any{"query": q}
	if len(named) > 0 {
		sqlRel["namedArguments"] = named
	}
	body := op.header(r)
	body["tags"] = []string{clientType}
	body["plan"] = map[string]any{"root": map[string]any{"sql": sqlRel}}
	body["requestOptions"] = []any{map[string]any{"reattachOptions": map[string]any{"reattachable": true}}}
	req, err := newMessage("ExecutePlanRequest", body)
	if err != nil {
		return nil, err
	}
	stream, err := r.conn.NewStream(r.outgoing(ctx), &grpc.StreamDesc{ServerStreams: true}, methodExecutePlan)
	if err != nil {
		return nil, r.explain(ctx, err, false)
	}
	// From here on the server has the operation: an error means it was lost, and an ended ctx interrupts it.
	if err := stream.SendMsg(req); err != nil {
		return nil, r.stopped(ctx, op, err)
	}
	if err := stream.CloseSend(); err != nil {
		return nil, r.stopped(ctx, op, err)
	}
	rows := &resultRows{}
	reattached := false
	for idle := 0; ; {
		complete, progressed, err := r.receive(stream, op, rows)
		if err != nil {
			if reattached && !progressed && ctx.Err() == nil && status.Code(err) != codes.Unavailable {
				// The server answered the reattachment but no longer has the operation (released, abandoned,
				// or the server restarted).
				return nil, r.incomplete(op, r.explain(ctx, err, true))
			}
			return nil, r.stopped(ctx, op, err)
		}
		if complete {
			r.release(op)
			return rows, nil
		}
		if progressed {
			idle = 0
		} else if idle++; idle > maxIdleReattaches {
			return nil, r.incomplete(op, fmt.Errorf("%d reattachments in a row brought no response", maxIdleReattaches))
		}
		if stream, err = r.reattach(ctx, op); err != nil {
			return nil, r.stopped(ctx, op, err)
		}
		reattached = true
	}
}

// header is the part every request about the operation carries: session, user, operation id, client type.
func (op *operation) header(r *Runner) map[string]any {
	h := map[string]any{"sessionId": op.session, "userContext": map[string]any{"userId": r.userID()},
		"operationId": op.id, "clientType": clientType}
	if op.serverID != "" {
		h["clientObservedServerSideSessionId"] = op.serverID
	}
	return h
}

// receive reads a response stream to its end into rows. complete says the server sent result_complete;
// progressed that at least one response came.
func (r *Runner) receive(stream grpc.ClientStream, op *operation, rows *resultRows) (complete, progressed bool, err error) {
	for {
		resp, err := newMessage("ExecutePlanResponse", nil)
		if err != nil {
			return false, progressed, err
		}
		if err := stream.RecvMsg(resp); err != nil {
			if errors.Is(err, io.EOF) {
				return complete, progressed, nil
			}
			return false, progressed, err
		}
		progressed = true
		m := resp.ProtoReflect()
		if v, ok := field(m, "server_side_session_id"); ok {
			r.noteServerSession(v.String())
		}
		if v, ok := field(m, "response_id"); ok {
			op.lastResponse = v.String()
		}
		if v, ok := field(m, "arrow_batch", "data"); ok {
			if err := rows.appendBatch(v.Bytes()); err != nil {
				return false, progressed, fmt.Errorf("Spark result: %w", err)
			}
		}
		if _, ok := field(m, "result_complete"); ok {
			complete = true
		}
	}
}

// reattach opens a new response stream of the operation from the last response read.
func (r *Runner) reattach(ctx context.Context, op *operation) (grpc.ClientStream, error) {
	body := op.header(r)
	if op.lastResponse != "" {
		body["lastResponseId"] = op.lastResponse
	}
	req, err := newMessage("ReattachExecuteRequest", body)
	if err != nil {
		return nil, err
	}
	stream, err := r.conn.NewStream(r.outgoing(ctx), &grpc.StreamDesc{ServerStreams: true}, methodReattachExecute)
	if err != nil {
		return nil, err
	}
	if err := stream.SendMsg(req); err != nil {
		return nil, err
	}
	return stream, stream.CloseSend()
}

// release tells the server that the operation's responses were all read (ReleaseExecute, release_all), within
// interruptTimeout; a failure only leaves them to the server's own time-out.
func (r *Runner) release(op *operation) {
	ctx, cancel := context.WithTimeout(context.Background(), interruptTimeout)
	defer cancel()
	body := op.header(r)
	body["releaseAll"] = map[string]any{}
	req, err := newMessage("ReleaseExecuteRequest", body)
	if err != nil {
		return
	}
	resp, _ := newMessage("ReleaseExecuteResponse", nil)
	_ = r.conn.Invoke(r.outgoing(ctx), methodReleaseExecute, req, resp)
}

// incomplete is the error of an operation whose result stream ended before result_complete and could not be
// resumed: the connection (or the operation on the server) was lost, so the rows read are not the result.
func (r *Runner) incomplete(op *operation, cause error) error {
	r.interruptQuietly(op)
	return &Error{Unreachable: true, Message: cause.Error(), Err: fmt.Errorf(
		"the connection to Spark Connect at %s was lost before the result was complete (the response stream ended without result_complete and could not be resumed: %v)",
		address(r.addr), cause)}
}

// stopped explains an error of a running operation. When ctx ended (a cancelled or timed-out query) or the
// connection was lost, the operation is interrupted on the server by its id, so that the cluster stops working
// for nobody; for an ended ctx the error says whether the server confirmed it.
func (r *Runner) stopped(ctx context.Context, op *operation, err error) error {
	if ctx.Err() == nil {
		if status.Code(err) == codes.Unavailable {
			// The connection was lost, not necessarily the server: a new connection interrupts what would run on.
			r.interruptQuietly(op)
		}
		return r.explain(ctx, err, true)
	}
	outcome := "the Spark operation was interrupted"
	if ierr := r.interrupt(op); ierr != nil {
		outcome = "interrupting the Spark operation failed: " + ierr.Error()
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("query cancelled or timed out (queryTimeoutSeconds %d s; %s): %w", r.cfg.QueryTimeoutSecs, outcome, ctx.Err())
	}
	return fmt.Errorf("query cancelled or timed out (%s): %w", outcome, ctx.Err())
}

func (r *Runner) interruptQuietly(op *operation) { _ = r.interrupt(op) }

// interrupt asks the server to interrupt the operation, in the session it was started in (within
// interruptTimeout); an operation that already ended is not an error.
func (r *Runner) interrupt(op *operation) error {
	ictx, cancel := context.WithTimeout(context.Background(), interruptTimeout)
	defer cancel()
	body := op.header(r)
	delete(body, "clientObservedServerSideSessionId")
	body["interruptType"] = "INTERRUPT_TYPE_OPERATION_ID"
	req, err := newMessage("InterruptRequest", body)
	if err != nil {
		return err
	}
	resp, _ := newMessage("InterruptResponse", nil)
	if err := r.conn.Invoke(r.outgoing(ictx), methodInterrupt, req, resp); err != nil {
		return r.explain(ictx, err, true)
	}
	return nil
}
