package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/postgres/pgtest"
)

// sslInUse reports whether the runner's session is encrypted (pg_stat_ssl of its own backend).
func sslInUse(t *testing.T, r *Runner) (bool, error) {
	rows, err := r.Query(context.Background(), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var ssl bool
	for rows.Next() {
		if err := rows.Scan(&ssl); err != nil {
			return false, err
		}
	}
	return ssl, rows.Close()
}

// Each sslMode does what libpq's does, against a server whose certificate a throw-away CA issued for the IP
// address 127.0.0.1 only.
func TestSSLModes(t *testing.T) {
	srv := pgtest.Need(t)
	otherCA := testOtherCA(t)
	cases := []struct {
		name, host, mode, ca string
		ssl                  bool
		err                  string
	}{
		{"disable", "127.0.0.1", settings.SSLDisable, "", false, ""},
		{"require checks nothing", "localhost", settings.SSLRequire, "", true, ""},
		{"verify-full with the CA", "127.0.0.1", settings.SSLVerifyFull, srv.CACert, true, ""},
		{"verify-full, name not in the certificate", "localhost", settings.SSLVerifyFull, srv.CACert, false, "certificate is not valid for any names, but wanted to match localhost"},
		{"verify-ca ignores the name", "localhost", settings.SSLVerifyCA, srv.CACert, true, ""},
		{"verify-ca with another CA", "127.0.0.1", settings.SSLVerifyCA, otherCA, false, "certificate signed by unknown authority"},
		{"verify-full with another CA", "127.0.0.1", settings.SSLVerifyFull, otherCA, false, "certificate signed by unknown authority"},
		{"require with a CA checks it, as libpq", "127.0.0.1", settings.SSLRequire, otherCA, false, "certificate signed by unknown authority"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := srv.Settings("fragments")
			cfg.Host, cfg.SSLMode, cfg.TLSCACert = c.host, c.mode, c.ca
			r, err := NewRunner(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			ssl, err := sslInUse(t, r)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "cannot connect to PostgreSQL at "+c.host) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || ssl != c.ssl {
				t.Fatalf("ssl %v, %v; want %v", ssl, err, c.ssl)
			}
		})
	}
}

// testOtherCA is a CA certificate that signed nothing the server holds.
func testOtherCA(t *testing.T) string {
	srv, err := pgtest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	return srv
}
