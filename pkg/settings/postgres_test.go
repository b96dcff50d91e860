package settings

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The PostgreSQL connection settings: defaults where jsonData is silent, every key read, secrets from
// secureJsonData only.
func TestPostgresSettings(t *testing.T) {
	s, err := Parse([]byte(`{"engine":"postgres","host":" db.example ","database":"logs","user":"grafana"}`),
		map[string]string{"password": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	want := Postgres{Host: "db.example", Port: 5432, Database: "logs", User: "grafana", SSLMode: "require", MaxConnections: 4}
	if s.Postgres != want || s.Password != "pw" || s.Path != "" {
		t.Fatalf("got %+v password %q path %q, want %+v password pw, no path", s.Postgres, s.Password, s.Path, want)
	}
	ca := testCA(t)
	s, err = Parse([]byte(`{"engine":"postgres","host":"h","port":6543,"database":"d","user":"u","sslMode":"verify-full",
		"maxConnections":8,"tlsCACert":"ignored: a secret is read from secureJsonData only"}`), map[string]string{"tlsCACert": ca})
	if err != nil {
		t.Fatal(err)
	}
	want = Postgres{Host: "h", Port: 6543, Database: "d", User: "u", SSLMode: "verify-full", MaxConnections: 8, TLSCACert: ca}
	if s.Postgres != want {
		t.Fatalf("got %+v, want %+v", s.Postgres, want)
	}
	if strings.Contains(s.Key(), "BEGIN CERTIFICATE") || strings.Contains(s.Key(), `"pw"`) {
		t.Fatalf("Key carries a secret: %s", s.Key())
	}
}

// Each bad PostgreSQL setting is refused with a message naming it; the DuckDB path is not required.
func TestPostgresSettingsInvalid(t *testing.T) {
	long := strings.Repeat("c", 64)
	cases := []struct{ json, secureCA, want string }{
		{`{"engine":"postgres","host":"h"}`, "", "the PostgreSQL connection needs: database, user"},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","port":70000}`, "", "PostgreSQL port 70000 is out of range (1–65535)"},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","port":-1}`, "", "PostgreSQL port -1 is out of range (1–65535)"},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","sslMode":"prefer"}`, "", `PostgreSQL sslMode "prefer" is not one of disable, require, verify-ca, verify-full`},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","maxConnections":33}`, "", "maxConnections 33 is out of range (1–32)"},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","maxConnections":-2}`, "", "maxConnections -2 is out of range (1–32)"},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","sslMode":"verify-ca"}`, "not a certificate", "tlsCACert holds no PEM certificate"},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","featureColumns":["` + long + `"]}`, "",
			`feature column "` + long + `" is longer than PostgreSQL's 63-byte identifier limit`},
		{`{"engine":"postgres","host":"h","database":"d","user":"u","table":"bad name"}`, "", `table "bad name" is not a valid identifier`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.json), map[string]string{"tlsCACert": c.secureCA})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.json, err, c.want)
		}
	}
	ok := `{"engine":"postgres","host":"h","database":"d","user":"u","path":"","featureColumns":["` + long[:63] + `"]}`
	if _, err := Parse([]byte(ok), nil); err != nil {
		t.Errorf("%s: %v", ok, err)
	}
	if _, err := Parse([]byte(`{"engine":"duckdb","featureColumns":["`+long+`"]}`), nil); err != nil {
		t.Errorf("DuckDB has no 63-byte limit: %v", err)
	}
}

// testCA returns a self-signed CA certificate in PEM.
func testCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
