package settings

import (
	"crypto/x509"
	"fmt"
	"strings"
)

// SSL modes of a PostgreSQL connection, as libpq names them (https://www.postgresql.org/docs/15/libpq-ssl.html):
// disable = no TLS; require = TLS without checking the server certificate; verify-ca = the certificate must chain
// to a trusted CA; verify-full = that, and its name must match Host.
const (
	SSLDisable    = "disable"
	SSLRequire    = "require"
	SSLVerifyCA   = "verify-ca"
	SSLVerifyFull = "verify-full"
)

// Defaults and bounds of the PostgreSQL connection settings.
const (
	DefaultPostgresPort = 5432 // PostgreSQL's registered port
	// DefaultMaxConnections is the pool size per data source instance: each aggregate is one statement, and four
	// at a time keep a dashboard's panels concurrent without taking many of the server's max_connections (100
	// by default).
	DefaultMaxConnections = 4
	MaxMaxConnections     = 32
)

// Postgres is the connection part of the settings for engine "postgres" (jsonData keys host, port, database,
// user, sslMode, maxConnections; the password and a PEM CA certificate come from secureJsonData keys password
// and tlsCACert). Its fields are promoted into Settings' JSON.
type Postgres struct {
	Host           string `json:"host"`
	Port           int    `json:"port"`
	Database       string `json:"database"`
	User           string `json:"user"`
	SSLMode        string `json:"sslMode"`
	MaxConnections int    `json:"maxConnections"`
	// TLSCACert is the PEM certificate(s) of the CA that signed the server's certificate (verify-ca, verify-full);
	// empty = the host's trusted roots.
	TLSCACert string `json:"-"`
}

// mergePostgres fills the PostgreSQL settings from jsonData over the defaults.
func mergePostgres(dst *Postgres, src Postgres) {
	if v := strings.TrimSpace(src.Host); v != "" {
		dst.Host = v
	}
	if src.Port != 0 {
		dst.Port = src.Port
	}
	if v := strings.TrimSpace(src.Database); v != "" {
		dst.Database = v
	}
	if v := strings.TrimSpace(src.User); v != "" {
		dst.User = v
	}
	if v := strings.TrimSpace(src.SSLMode); v != "" {
		dst.SSLMode = v
	}
	if src.MaxConnections != 0 {
		dst.MaxConnections = src.MaxConnections
	}
}

// MaxIdentifierBytes is PostgreSQL's identifier limit (NAMEDATALEN − 1): the server silently truncates a longer
// name, so a longer mapped name could only ever name a different column.
const MaxIdentifierBytes = 63

// validatePostgres checks what a PostgreSQL connection needs: host, database and user set, a port in 1..65535,
// a known SSL mode, a pool of 1..MaxMaxConnections, a CA certificate that parses as PEM when one is given, and
// mapped names no longer than MaxIdentifierBytes.
func (s Settings) validatePostgres() error {
	p := s.Postgres
	var missing []string
	for _, f := range []struct{ name, v string }{{"host", p.Host}, {"database", p.Database}, {"user", p.User}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the PostgreSQL connection needs: %s", strings.Join(missing, ", "))
	}
	if p.Port < 1 || p.Port > 65535 {
		return fmt.Errorf("PostgreSQL port %d is out of range (1–65535)", p.Port)
	}
	switch p.SSLMode {
	case SSLDisable, SSLRequire, SSLVerifyCA, SSLVerifyFull:
	default:
		return fmt.Errorf("PostgreSQL sslMode %q is not one of disable, require, verify-ca, verify-full", p.SSLMode)
	}
	if p.MaxConnections < 1 || p.MaxConnections > MaxMaxConnections {
		return fmt.Errorf("maxConnections %d is out of range (1–%d)", p.MaxConnections, MaxMaxConnections)
	}
	if err := validCACert(p.TLSCACert); err != nil {
		return err
	}
	for _, n := range s.namedIdentifiers() {
		if len(n.value) > MaxIdentifierBytes {
			return fmt.Errorf("%s %q is longer than PostgreSQL's %d-byte identifier limit", n.name, n.value, MaxIdentifierBytes)
		}
	}
	return nil
}

// validCACert checks that a CA certificate given in secureJsonData tlsCACert parses as PEM.
func validCACert(pem string) error {
	if pem != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(pem)) {
		return fmt.Errorf("tlsCACert holds no PEM certificate")
	}
	return nil
}
