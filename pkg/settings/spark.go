package settings

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Defaults and bounds of the Spark connection settings.
const (
	// DefaultSparkPort is Spark Connect's default gRPC port (spark.connect.grpc.binding.port).
	DefaultSparkPort = 15002
	// DefaultMaxConcurrentQueries bounds the Spark operations one data source instance runs at a time: each
	// aggregate is one Spark job, and a shared cluster serves other users; more panels queue in the plugin.
	DefaultMaxConcurrentQueries = 4
	MaxMaxConcurrentQueries     = 32
)

// Spark is the connection part of the settings for engine "spark" (jsonData keys sparkUrl and maxConcurrentQueries;
// the schema of the tables is jsonData database, shared with PostgreSQL; the bearer token comes from
// secureJsonData token and a PEM CA certificate from tlsCACert). Its fields are promoted into Settings' JSON.
type Spark struct {
	// URL is the Spark Connect address in Spark's connection-string form, sc://host[:port][/;param=value;…]
	// (https://github.com/apache/spark/blob/master/sql/connect/docs/client-connection-string.md): port 15002 by
	// default; parameters use_ssl=true (TLS), user_id, and any other name=value sent as a gRPC header (for
	// Databricks, x-databricks-cluster-id=<cluster id>). A token in the URL is refused: it belongs in
	// secureJsonData.
	URL string `json:"sparkUrl"`
	// MaxConcurrentQueries bounds the Spark operations of one data source instance (1–32).
	MaxConcurrentQueries int `json:"maxConcurrentQueries"`
	// Token is the bearer token (secureJsonData token), sent as `authorization: Bearer …` over TLS only.
	Token string `json:"-"`
}

// SparkAddress is the parsed Spark Connect URL: host, port, TLS, the user id and the extra gRPC headers.
type SparkAddress struct {
	Host    string
	Port    int
	TLS     bool
	UserID  string
	Headers map[string]string
}

// ParseSparkURL reads sc://host[:port][/;name=value;…]. Errors name what is wrong: another scheme, no host, a
// port out of range, a parameter without a value, a token (which must come from secureJsonData).
func ParseSparkURL(raw string) (SparkAddress, error) {
	a := SparkAddress{Port: DefaultSparkPort, Headers: map[string]string{}}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return a, fmt.Errorf("Spark url %q is not a URL: %w", raw, err)
	}
	if u.Scheme != "sc" {
		return a, fmt.Errorf("Spark url %q must start with sc:// (Spark Connect)", raw)
	}
	if a.Host = u.Hostname(); a.Host == "" {
		return a, fmt.Errorf("Spark url %q names no host", raw)
	}
	if p := u.Port(); p != "" {
		if a.Port, err = strconv.Atoi(p); err != nil || a.Port < 1 || a.Port > 65535 {
			return a, fmt.Errorf("Spark url %q: port %s is out of range (1–65535)", raw, p)
		}
	}
	if u.Path != "" && !strings.HasPrefix(u.Path, "/;") {
		return a, fmt.Errorf("Spark url %q: parameters follow the host as /;name=value;…", raw)
	}
	for _, kv := range strings.Split(strings.TrimPrefix(u.Path, "/"), ";") {
		if kv == "" {
			continue
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return a, fmt.Errorf("Spark url %q: parameter %q is not name=value", raw, kv)
		}
		switch strings.ToLower(name) {
		case "token":
			return a, fmt.Errorf("Spark url %q carries a token: put it in the secure token field instead", raw)
		case "use_ssl":
			a.TLS = strings.EqualFold(value, "true")
		case "user_id":
			a.UserID = value
		case "session_id", "user_agent":
			// the plugin sets its own session and user agent
		default:
			a.Headers[strings.ToLower(name)] = value
		}
	}
	return a, nil
}

// mergeSpark fills the Spark settings from jsonData over the defaults.
func mergeSpark(dst *Spark, src Spark) {
	if v := strings.TrimSpace(src.URL); v != "" {
		dst.URL = v
	}
	if src.MaxConcurrentQueries != 0 {
		dst.MaxConcurrentQueries = src.MaxConcurrentQueries
	}
}

// validateSpark checks a Spark connection: a URL that parses, a concurrency bound of 1..MaxMaxConcurrentQueries,
// a CA certificate that parses when one is given, and a schema name that is a plain identifier.
func (s Settings) validateSpark() error {
	if s.Spark.URL == "" {
		return fmt.Errorf("the Spark connection needs: sparkUrl (sc://host:port)")
	}
	if _, err := ParseSparkURL(s.Spark.URL); err != nil {
		return err
	}
	if n := s.MaxConcurrentQueries; n < 1 || n > MaxMaxConcurrentQueries {
		return fmt.Errorf("maxConcurrentQueries %d is out of range (1–%d)", n, MaxMaxConcurrentQueries)
	}
	if err := validCACert(s.TLSCACert); err != nil {
		return err
	}
	if s.Database != "" && !ValidIdentifier(s.Database) {
		return fmt.Errorf("Spark database %q is not a valid identifier (letters, digits and _ only, not starting with a digit)", s.Database)
	}
	return nil
}
