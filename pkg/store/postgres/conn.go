package postgres

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// poolConfig turns the settings into a bounded pgx pool configuration. Every connection field is set from the
// settings one by one rather than through a connection string, so a value typed into the settings can never add
// a connection option, and a PG* environment variable of the Grafana host cannot change host, user, password or
// TLS; TLS comes from SSLMode and the CA certificate alone.
func poolConfig(cfg settings.Settings) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL settings: %w", err)
	}
	cc := pc.ConnConfig
	cc.Host, cc.Port, cc.Database, cc.User, cc.Password = cfg.Host, uint16(cfg.Port), cfg.Database, cfg.User, cfg.Password
	cc.Fallbacks = nil
	cc.ConnectTimeout = 10 * time.Second
	if cc.TLSConfig, err = tlsConfig(cfg.Postgres); err != nil {
		return nil, err
	}
	// The application name shows in pg_stat_activity, so a DBA can tell the plugin's sessions apart.
	cc.RuntimeParams = map[string]string{"application_name": "grafana-modelmonitor"}
	pc.MaxConns = int32(cfg.MaxConnections)
	pc.MinConns = 0
	pc.MaxConnIdleTime = 5 * time.Minute
	return pc, nil
}

// tlsConfig renders libpq's sslmode semantics (https://www.postgresql.org/docs/15/libpq-ssl.html, table 34.1):
// disable = plain TCP; require = encrypted, certificate not checked — unless a CA certificate is given, in which
// case libpq checks it as verify-ca does; verify-ca = the chain must lead to the CA (or the host's roots), the
// name is not checked; verify-full = chain and host name.
func tlsConfig(p settings.Postgres) (*tls.Config, error) {
	if p.SSLMode == settings.SSLDisable {
		return nil, nil
	}
	var roots *x509.CertPool
	if p.TLSCACert != "" {
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(p.TLSCACert)) {
			return nil, errors.New("tlsCACert holds no PEM certificate")
		}
	}
	switch {
	case p.SSLMode == settings.SSLVerifyFull:
		return &tls.Config{ServerName: p.Host, RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
	case p.SSLMode == settings.SSLVerifyCA || roots != nil:
		// Go checks chain and name together; verify-ca checks the chain alone, by hand.
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, //nolint:gosec // chain checked below
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("the server sent no certificate")
				}
				opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
				for _, c := range cs.PeerCertificates[1:] {
					opts.Intermediates.AddCert(c)
				}
				_, err := cs.PeerCertificates[0].Verify(opts)
				return err
			}}, nil
	default: // require
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, nil //nolint:gosec // sslmode=require does not check
	}
}

// address names the server in error messages.
func address(cfg settings.Settings) string {
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, strings.TrimSpace(cfg.Database))
}
