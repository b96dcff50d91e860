package spark

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// A Spark Connect server cannot be made to end a response stream cleanly without result_complete, or to forget
// an operation between two of its streams, on purpose; scriptedServer plays those endings over real gRPC: each
// method answers with the responses a test gives it (spark.connect messages in their JSON mapping), records the
// requests, and ends with the status the test gives (nil: a clean end, which the client reads as EOF).
type scriptedServer struct {
	mu       sync.Mutex
	requests map[string][]string // method → requests in the JSON mapping
	script   map[string]func(req string) ([]string, error)
	block    chan struct{} // when set, ExecutePlan waits for it (or the client's cancel) after its responses
}

func (s *scriptedServer) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	name := method[strings.LastIndex(method, "/")+1:]
	req, err := newMessage(name+"Request", nil)
	if err != nil {
		return err
	}
	if err := stream.RecvMsg(req); err != nil {
		return err
	}
	raw, _ := protojson.Marshal(req)
	s.mu.Lock()
	s.requests[name] = append(s.requests[name], string(raw))
	play := s.script[name]
	s.mu.Unlock()
	if play == nil {
		return status.Error(codes.Unimplemented, name)
	}
	resps, end := play(string(raw))
	respType := name + "Response"
	if name == "ReattachExecute" {
		respType = "ExecutePlanResponse"
	}
	for _, r := range resps {
		m, err := newMessage(respType, nil)
		if err != nil {
			return err
		}
		if err := protojson.Unmarshal([]byte(r), m); err != nil {
			return err
		}
		if err := stream.SendMsg(m); err != nil {
			return err
		}
	}
	if name == "ExecutePlan" && s.block != nil {
		select {
		case <-s.block:
		case <-stream.Context().Done():
		}
	}
	return end
}

func (s *scriptedServer) sent(method string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests[method]...)
}

// startScripted serves s on a loopback port and returns a runner connected to it.
func startScripted(t *testing.T, s *scriptedServer) *Runner {
	t.Helper()
	s.requests = map[string][]string{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnknownServiceHandler(s.handle))
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	cfg := settings.Defaults()
	cfg.Engine, cfg.Path, cfg.QueryTimeoutSecs = settings.EngineSpark, "", 30
	cfg.Spark.URL, cfg.Spark.MaxConcurrentQueries = "sc://"+l.Addr().String(), 1
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	r.setUpDone = true // no Config call: the script answers the statement only
	return r
}

// batch is an ExecutePlanResponse in the JSON mapping carrying an Arrow batch of one BIGINT column x.
func batch(t *testing.T, id string, xs ...int64) string {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues(xs, nil)
	col := b.NewArray()
	rec := array.NewRecord(schema, []arrow.Array{col}, int64(len(xs)))
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	m, _ := newMessage("ExecutePlanResponse", map[string]any{"responseId": id, "arrowBatch": map[string]any{"rowCount": len(xs), "data": buf.Bytes()}})
	raw, _ := protojson.Marshal(m)
	return string(raw)
}

func response(id, kind string) string { return `{"responseId":"` + id + `","` + kind + `":{}}` }

// requestField reads a string field (by its proto name) of a request of type typ recorded in the JSON mapping.
func requestField(t *testing.T, typ, raw, name string) string {
	t.Helper()
	m, err := newMessage(typ, nil)
	if err == nil {
		err = protojson.Unmarshal([]byte(raw), m)
	}
	if err != nil {
		t.Fatal(err)
	}
	v, _ := field(m.ProtoReflect(), name)
	return v.String()
}

// A response stream that ends cleanly without result_complete was cut (the server's stream limit): the runner
// resumes it from the last response read and returns every row once; the completed operation is released.
func TestCutStreamIsResumed(t *testing.T) {
	s := &scriptedServer{}
	s.script = map[string]func(string) ([]string, error){
		"ExecutePlan": func(string) ([]string, error) { return []string{batch(t, "r1", 1, 2)}, nil },
		"ReattachExecute": func(string) ([]string, error) {
			return []string{batch(t, "r2", 3), response("r3", "resultComplete")}, nil
		},
		"ReleaseExecute": func(string) ([]string, error) { return []string{`{}`}, nil },
	}
	r := startScripted(t, s)
	rows, err := r.Query(context.Background(), "SELECT x")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("rows %v, want [1 2 3]", got)
	}
	exec, re, rel := s.sent("ExecutePlan"), s.sent("ReattachExecute"), s.sent("ReleaseExecute")
	if len(exec) != 1 || len(re) != 1 || len(rel) != 1 {
		t.Fatalf("requests: %d ExecutePlan, %d ReattachExecute, %d ReleaseExecute", len(exec), len(re), len(rel))
	}
	op := requestField(t, "ExecutePlanRequest", exec[0], "operation_id")
	if requestField(t, "ReattachExecuteRequest", re[0], "operation_id") != op || requestField(t, "ReattachExecuteRequest", re[0], "last_response_id") != "r1" || requestField(t, "ReleaseExecuteRequest", rel[0], "operation_id") != op ||
		!strings.Contains(rel[0], `"releaseAll"`) || !strings.Contains(exec[0], `"reattachable":true`) {
		t.Fatalf("ExecutePlan %s\nReattachExecute %s\nReleaseExecute %s", exec[0], re[0], rel[0])
	}
}

// A stream that ends without result_complete and cannot be resumed (the server no longer has the operation) is
// a lost result, never a complete one: the error says so and the operation is interrupted.
func TestStreamEndingWithoutResultCompleteIsLost(t *testing.T) {
	s := &scriptedServer{}
	s.script = map[string]func(string) ([]string, error){
		"ExecutePlan": func(string) ([]string, error) { return []string{batch(t, "r1", 1)}, nil },
		"ReattachExecute": func(string) ([]string, error) {
			return nil, status.Error(codes.Internal, "[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle is invalid.")
		},
		"Interrupt": func(string) ([]string, error) { return []string{`{}`}, nil },
	}
	r := startScripted(t, s)
	_, err := r.Query(context.Background(), "SELECT x")
	var se *Error
	if !errors.As(err, &se) || !se.Unreachable || !strings.HasPrefix(err.Error(), "the connection to Spark Connect at "+address(r.addr)+
		" was lost before the result was complete (the response stream ended without result_complete and could not be resumed: ") ||
		!strings.Contains(err.Error(), "OPERATION_NOT_FOUND") {
		t.Fatalf("%v", err)
	}
	if n := len(s.sent("Interrupt")); n != 1 {
		t.Fatalf("%d interrupts, want 1", n)
	}
	// A server that keeps ending the stream with nothing new: given up after maxIdleReattaches.
	s.script["ReattachExecute"] = func(string) ([]string, error) { return nil, nil }
	_, err = r.Query(context.Background(), "SELECT x")
	if err == nil || !strings.Contains(err.Error(), "3 reattachments in a row brought no response") {
		t.Fatalf("%v", err)
	}
}

// A query cancelled after the runner moved to a new session (another statement found the old one gone)
// interrupts its operation in the session it was started in.
func TestInterruptNamesTheOperationsSession(t *testing.T) {
	s := &scriptedServer{block: make(chan struct{})}
	defer close(s.block)
	s.script = map[string]func(string) ([]string, error){
		"ExecutePlan": func(string) ([]string, error) { return []string{response("r1", "executionProgress")}, nil },
		"Interrupt":   func(string) ([]string, error) { return []string{`{}`}, nil },
	}
	r := startScripted(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := r.Query(ctx, "SELECT x")
		done <- err
	}()
	for len(s.sent("ExecutePlan")) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	r.resetSession()
	cancel()
	if err := <-done; err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
	exec, intr := s.sent("ExecutePlan"), s.sent("Interrupt")
	if len(intr) != 1 || requestField(t, "InterruptRequest", intr[0], "session_id") != requestField(t, "ExecutePlanRequest", exec[0], "session_id") ||
		requestField(t, "InterruptRequest", intr[0], "operation_id") != requestField(t, "ExecutePlanRequest", exec[0], "operation_id") || requestField(t, "InterruptRequest", intr[0], "session_id") == r.session {
		t.Fatalf("ExecutePlan %s\nInterrupt %v\nrunner's session now %s", exec[0], intr, r.session)
	}
}
