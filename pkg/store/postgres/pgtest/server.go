// Package pgtest starts a throw-away PostgreSQL cluster for tests: initdb into a temporary directory, a server on
// a free loopback port with its unix socket inside that directory, and everything removed again by Stop. When the
// tests run as root (as in CI here), the server programs run as the "postgres" system user through runuser,
// because PostgreSQL refuses to run as root.
//
// The server binaries are taken from PATH, else from Debian's /usr/lib/postgresql/<version>/bin (the newest).
// Tests use it from TestMain through Main, which fails the package when MODELMON_REQUIRE_POSTGRES=1 and the
// server cannot start (scripts/test.sh sets it), and otherwise lets the tests skip with the reason.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// Superuser and SuperPassword are the bootstrap role of the throw-away cluster (password authentication over
// TCP, scram-sha-256, so that tests can also exercise a wrong password).
const (
	Superuser     = "postgres"
	SuperPassword = "modelmon-test"
)

// Server is a running throw-away cluster.
type Server struct {
	Host string // 127.0.0.1
	Port int
	dir  string // temporary directory: data/, socket/, server.log
	// CACert is the PEM certificate of the throw-away CA that signed the server's certificate (for 127.0.0.1;
	// the server accepts TLS and plain connections alike).
	CACert string
	bin    string // directory of initdb, pg_ctl
	as     string // OS user the programs run as ("" = the current user)
	uid    int    // of that user, −1 = unchanged
	gid    int
}

// Start creates and starts a cluster, waiting until it accepts connections (pg_ctl -w, at most 60 s).
func Start() (*Server, error) {
	dir, err := os.MkdirTemp("", "modelmon-pg-")
	if err != nil {
		return nil, err
	}
	s, err := start(dir, false)
	if err != nil {
		_ = os.RemoveAll(dir)
	}
	return s, err
}

// StartIn starts the cluster kept in dir (created there first when dir holds none, then created is true), for
// data worth keeping between runs, such as a benchmark's loaded store. Stop it with Shutdown, which keeps dir.
// A kept cluster's CACert is empty: connect without TLS.
func StartIn(dir string) (s *Server, created bool, err error) {
	_, err = os.Stat(filepath.Join(dir, "data", "PG_VERSION"))
	if created = os.IsNotExist(err); created {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, false, err
		}
	}
	s, err = start(dir, !created)
	return s, created, err
}

// start initialises a cluster in dir (unless exists) and starts it on a free port.
func start(dir string, exists bool) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", bin: bin, dir: dir, uid: -1, gid: -1}
	if os.Geteuid() == 0 {
		s.as = "postgres"
	}
	if err := s.lookupUser(); err != nil {
		return nil, err
	}
	if !exists {
		if err := s.init(); err != nil {
			return nil, err
		}
	}
	// A port found free may be taken before the server binds it; try a few.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			break
		}
		if err = s.startServer(); err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// lookupUser sets the uid and gid of the OS user the programs run as (when not the current user) and gives
// it the cluster's directory.
func (s *Server) lookupUser() error {
	if s.as == "" {
		return nil
	}
	u, err := user.Lookup(s.as)
	if err != nil {
		return fmt.Errorf("pgtest: running as root needs the %q system user (Debian's postgresql package creates it): %w", s.as, err)
	}
	s.uid, _ = strconv.Atoi(u.Uid)
	s.gid, _ = strconv.Atoi(u.Gid)
	return os.Chown(s.dir, s.uid, s.gid)
}

func (s *Server) init() error {
	pw := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pw, []byte(SuperPassword+"\n"), 0o644); err != nil {
		return err
	}
	if err := s.run("initdb", "-D", s.data(), "-U", Superuser, "--pwfile", pw, "--auth-host=scram-sha-256",
		"--auth-local=trust", "--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		return err
	}
	var err error
	if s.CACert, err = writeCertificates(s.data(), s.uid, s.gid); err != nil {
		return err
	}
	return os.Remove(pw)
}

func (s *Server) startServer() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off"+
		" -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key", s.Port, s.socket())
	if err := os.MkdirAll(s.socket(), 0o700); err != nil {
		return err
	}
	if s.uid >= 0 {
		if err := os.Chown(s.socket(), s.uid, s.gid); err != nil {
			return err
		}
	}
	if err := s.run("pg_ctl", "-D", s.data(), "-o", opts, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	return nil
}

// Stop stops the server (fast shutdown) and removes its directory.
func (s *Server) Stop() error {
	return errors.Join(s.Shutdown(), os.RemoveAll(s.dir))
}

// Shutdown stops the server (fast shutdown) and keeps its directory (see StartIn).
func (s *Server) Shutdown() error {
	return s.run("pg_ctl", "-D", s.data(), "-m", "fast", "-w", "stop")
}

// Kill stops the server at once (immediate shutdown, as a crash would), leaving the directory for Restart.
func (s *Server) Kill() error {
	return s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
}

// Restart starts a stopped server again on the same port.
func (s *Server) Restart() error { return s.startServer() }

// Settings are the settings of a PostgreSQL data source on database db of this server, as the superuser, without
// TLS, with at most 2 connections.
func (s *Server) Settings(db string) settings.Settings {
	cfg := settings.Defaults()
	cfg.Engine, cfg.Path = settings.EnginePostgres, ""
	cfg.Postgres = settings.Postgres{Host: s.Host, Port: s.Port, Database: db, User: Superuser,
		SSLMode: settings.SSLDisable, MaxConnections: 2}
	cfg.Password = SuperPassword
	return cfg
}

// URL is a connection URL for a role and database, without TLS.
func (s *Server) URL(role, password, database string) string {
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", role, password, s.Host, s.Port, database)
}

// Exec runs statements as the superuser in a database, in order, stopping at the first error.
func (s *Server) Exec(ctx context.Context, database string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, s.URL(Superuser, SuperPassword, database))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
	}
	return nil
}

// CreateDatabase creates an empty database.
func (s *Server) CreateDatabase(ctx context.Context, name string) error {
	return s.Exec(ctx, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
}

func (s *Server) data() string   { return filepath.Join(s.dir, "data") }
func (s *Server) socket() string { return filepath.Join(s.dir, "socket") }

// run runs one of the server programs, as s.as when set.
func (s *Server) run(prog string, args ...string) error {
	path := filepath.Join(s.bin, prog)
	if s.as != "" {
		args = append([]string{"-u", s.as, "--", path}, args...)
		path = "runuser"
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = s.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: %s %s: %w\n%s", prog, strings.Join(args, " "), err, out)
	}
	return nil
}

// binDir finds the directory of initdb and pg_ctl.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("pgtest: PostgreSQL server programs (initdb, pg_ctl) not found; install Debian's postgresql package (scripts/test.sh does)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// ClosedPort is a loopback port nothing listens on (when it returns), for a server that is down.
func ClosedPort(t interface {
	Helper()
	Fatalf(string, ...any)
}) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("no free port: %v", err)
	}
	return port
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RequireEnv names the environment variable that turns a server that cannot start into a failure.
const RequireEnv = "MODELMON_REQUIRE_POSTGRES"

// Main runs a test package against one throw-away server: it starts the server, calls setup (e.g. to create and
// load databases), runs the tests and stops the server. If the server cannot start or setup fails, the package
// fails when RequireEnv is "1"; otherwise the tests run with Current() nil and skip through Need. It returns the
// exit code for os.Exit.
func Main(m interface{ Run() int }, setup func(*Server) error) int {
	srv, err := Start()
	if err == nil && setup != nil {
		if err = setup(srv); err != nil {
			_ = srv.Stop()
		}
	}
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			fmt.Fprintf(os.Stderr, "PostgreSQL test server could not start (%s=1): %v\n", RequireEnv, err)
			return 1
		}
		unavailable = err
		return m.Run()
	}
	current = srv
	code := m.Run()
	if err := srv.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the PostgreSQL test server: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

var (
	current     *Server
	unavailable error
)

// Need returns the package's server, or skips the test with the reason it did not start.
func Need(t interface {
	Helper()
	Skipf(string, ...any)
}) *Server {
	t.Helper()
	if current == nil {
		t.Skipf("PostgreSQL test server not available (set %s=1 to fail instead): %v", RequireEnv, unavailable)
	}
	return current
}

// StartFor starts a server of the test's own (for a test that stops it, or a package without Main), stopped and
// removed when the test ends. A server that cannot start skips the test, or fails it when RequireEnv is "1".
func StartFor(t interface {
	Helper()
	Skipf(string, ...any)
	Fatalf(string, ...any)
	Cleanup(func())
}) *Server {
	t.Helper()
	srv, err := Start()
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("PostgreSQL test server could not start (%s=1): %v", RequireEnv, err)
		}
		t.Skipf("PostgreSQL test server not available (set %s=1 to fail instead): %v", RequireEnv, err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}
