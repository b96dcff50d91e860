package settings

import (
	"errors"
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

	// DefaultExactQuantileMaxValues is the most finite reference values of one (model, feature) whose quantile
	// bins Spark computes exactly, by sorting them in one task (8 bytes a value: 80 MB at the default); above
	// it percentile_approx's sketch is used. MaxExactQuantileMaxValues is below Spark's largest array
	// (Integer.MAX_VALUE − 15 elements, ByteArrayMethods.MAX_ROUNDED_ARRAY_LENGTH).
	DefaultExactQuantileMaxValues = 10_000_000
	MaxExactQuantileMaxValues     = 1_000_000_000
	// DefaultQuantileAccuracy is percentile_approx's accuracy: its result's rank error is at most
	// n / accuracy for n values (https://spark.apache.org/docs/latest/api/sql/index.html#percentile_approx),
	// 0.01 % of the reference here. Bounds 100 (1 %) to 1 000 000 (0.0001 %; the sketch's memory grows with it).
	DefaultQuantileAccuracy = 10_000
	MinQuantileAccuracy     = 100
	MaxQuantileAccuracy     = 1_000_000
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
	// ExactQuantileMaxValues is the most finite reference values of one (model, feature) whose quantiles are
	// exact (1–MaxExactQuantileMaxValues; default DefaultExactQuantileMaxValues); above it the reference's
	// quantile bins come from percentile_approx with QuantileAccuracy, and the frame says so in a notice.
	ExactQuantileMaxValues int64 `json:"exactQuantileMaxValues"`
	// QuantileAccuracy is percentile_approx's accuracy (MinQuantileAccuracy–MaxQuantileAccuracy; default
	// DefaultQuantileAccuracy): the rank error of an approximate quantile is at most 1/QuantileAccuracy of the
	// values.
	QuantileAccuracy int `json:"quantileAccuracy"`
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
// port out of range, a parameter without a value, credentials in the URL (a token, an authorization header or
// a user:password before the host: they must come from secureJsonData). An error shows the URL with its
// parameter values left out (redactSparkURL): a header value may be a secret.
func ParseSparkURL(raw string) (SparkAddress, error) {
	a := SparkAddress{Port: DefaultSparkPort, Headers: map[string]string{}}
	shown := redactSparkURL(raw)
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL
		}
		return a, fmt.Errorf("Spark url %q is not a URL: %w", shown, err)
	}
	if u.Scheme != "sc" {
		return a, fmt.Errorf("Spark url %q must start with sc:// (Spark Connect)", shown)
	}
	if u.User != nil {
		return a, fmt.Errorf("Spark url %q carries credentials before the host: put the token in the secure token field instead", shown)
	}
	if a.Host = u.Hostname(); a.Host == "" {
		return a, fmt.Errorf("Spark url %q names no host", shown)
	}
	if p := u.Port(); p != "" {
		if a.Port, err = strconv.Atoi(p); err != nil || a.Port < 1 || a.Port > 65535 {
			return a, fmt.Errorf("Spark url %q: port %s is out of range (1–65535)", shown, p)
		}
	}
	if u.Path != "" && !strings.HasPrefix(u.Path, "/;") {
		return a, fmt.Errorf("Spark url %q: parameters follow the host as /;name=value;…", shown)
	}
	for _, kv := range strings.Split(strings.TrimPrefix(u.Path, "/"), ";") {
		if kv == "" {
			continue
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return a, fmt.Errorf("Spark url %q: parameter %q is not name=value", shown, redactParam(kv))
		}
		switch strings.ToLower(name) {
		case "token", "authorization":
			return a, fmt.Errorf("Spark url %q carries a token (%s): put it in the secure token field instead", shown, name)
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

// redactSparkURL is the URL as messages show it: scheme, host, port and parameter names, with every parameter
// value and any user:password before the host replaced by "…" (sc://h:15002/;use_ssl=…;x-api-key=…).
func redactSparkURL(raw string) string {
	head, params, hasParams := strings.Cut(strings.TrimSpace(raw), ";")
	if scheme, rest, ok := strings.Cut(head, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			head = scheme + "://…@" + rest[at+1:]
		}
	}
	if !hasParams {
		return head
	}
	kvs := strings.Split(params, ";")
	for i, kv := range kvs {
		kvs[i] = redactParam(kv)
	}
	return head + ";" + strings.Join(kvs, ";")
}

// redactParam shows a name=value parameter as name=… (a parameter without = as it is: it has no value).
func redactParam(kv string) string {
	if name, _, ok := strings.Cut(kv, "="); ok {
		return name + "=…"
	}
	return kv
}

// mergeSpark fills the Spark settings from jsonData over the defaults.
func mergeSpark(dst *Spark, src Spark) {
	if v := strings.TrimSpace(src.URL); v != "" {
		dst.URL = v
	}
	if src.MaxConcurrentQueries != 0 {
		dst.MaxConcurrentQueries = src.MaxConcurrentQueries
	}
	if src.ExactQuantileMaxValues != 0 {
		dst.ExactQuantileMaxValues = src.ExactQuantileMaxValues
	}
	if src.QuantileAccuracy != 0 {
		dst.QuantileAccuracy = src.QuantileAccuracy
	}
}

// validateSpark checks a Spark connection: a URL that parses, a concurrency bound of 1..MaxMaxConcurrentQueries,
// the exact-quantile limit and the quantile accuracy within their bounds,
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
	if n := s.ExactQuantileMaxValues; n < 1 || n > MaxExactQuantileMaxValues {
		return fmt.Errorf("exactQuantileMaxValues %d is out of range (1–%d)", n, MaxExactQuantileMaxValues)
	}
	if n := s.QuantileAccuracy; n < MinQuantileAccuracy || n > MaxQuantileAccuracy {
		return fmt.Errorf("quantileAccuracy %d is out of range (%d–%d)", n, MinQuantileAccuracy, MaxQuantileAccuracy)
	}
	if err := validCACert(s.TLSCACert); err != nil {
		return err
	}
	if s.Database != "" && !ValidIdentifier(s.Database) {
		return fmt.Errorf("Spark database %q is not a valid identifier (letters, digits and _ only, not starting with a digit)", s.Database)
	}
	return nil
}
