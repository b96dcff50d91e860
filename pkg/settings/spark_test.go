package settings

import (
	"reflect"
	"strings"
	"testing"
)

// The Spark connection settings: defaults where jsonData is silent, the URL's parts, secrets from secureJsonData
// only.
func TestSparkSettings(t *testing.T) {
	s, err := Parse([]byte(`{"engine":"spark","sparkUrl":" sc://spark.example/;use_ssl=true;user_id=grafana;x-databricks-cluster-id=0123-abc ",
		"database":"ml_logs","token":"ignored: a secret is read from secureJsonData only"}`), map[string]string{"token": "dapi-secret"})
	if err != nil {
		t.Fatal(err)
	}
	want := Spark{URL: "sc://spark.example/;use_ssl=true;user_id=grafana;x-databricks-cluster-id=0123-abc", MaxConcurrentQueries: 4,
		ExactQuantileMaxValues: 10_000_000, QuantileAccuracy: 10_000, Token: "dapi-secret"}
	if s.Spark != want || s.Database != "ml_logs" || s.Path != "" {
		t.Fatalf("got %+v database %q path %q, want %+v", s.Spark, s.Database, s.Path, want)
	}
	a, err := ParseSparkURL(s.Spark.URL)
	if err != nil {
		t.Fatal(err)
	}
	wantAddr := SparkAddress{Host: "spark.example", Port: 15002, TLS: true, UserID: "grafana", Headers: map[string]string{"x-databricks-cluster-id": "0123-abc"}}
	if !reflect.DeepEqual(a, wantAddr) {
		t.Fatalf("address %+v, want %+v", a, wantAddr)
	}
	if strings.Contains(s.Key(), "dapi-secret") {
		t.Fatalf("Key carries the token: %s", s.Key())
	}
	if a, _ := ParseSparkURL("sc://127.0.0.1:35000"); a.Port != 35000 || a.TLS || len(a.Headers) != 0 {
		t.Fatalf("plain address: %+v", a)
	}
}

// Each bad Spark setting is refused with a message naming it.
func TestSparkSettingsInvalid(t *testing.T) {
	cases := []struct{ json, want string }{
		{`{"engine":"spark"}`, "the Spark connection needs: sparkUrl (sc://host:port)"},
		{`{"engine":"spark","sparkUrl":"http://h:15002"}`, `Spark url "http://h:15002" must start with sc:// (Spark Connect)`},
		{`{"engine":"spark","sparkUrl":"sc://:15002"}`, `Spark url "sc://:15002" names no host`},
		{`{"engine":"spark","sparkUrl":"sc://h:0"}`, `Spark url "sc://h:0": port 0 is out of range (1–65535)`},
		{`{"engine":"spark","sparkUrl":"sc://h/x"}`, `Spark url "sc://h/x": parameters follow the host as /;name=value;…`},
		{`{"engine":"spark","sparkUrl":"sc://h/;use_ssl"}`, `Spark url "sc://h/;use_ssl": parameter "use_ssl" is not name=value`},
		{`{"engine":"spark","sparkUrl":"sc://h/;token=abc"}`, `Spark url "sc://h/;token=…" carries a token (token): put it in the secure token field instead`},
		{`{"engine":"spark","sparkUrl":"sc://h/;Authorization=Bearer abc"}`, `Spark url "sc://h/;Authorization=…" carries a token (Authorization): put it in the secure token field instead`},
		{`{"engine":"spark","sparkUrl":"sc://u:pw@h"}`, `Spark url "sc://…@h" carries credentials before the host: put the token in the secure token field instead`},
		{`{"engine":"spark","sparkUrl":"sc://h","maxConcurrentQueries":33}`, "maxConcurrentQueries 33 is out of range (1–32)"},
		{`{"engine":"spark","sparkUrl":"sc://h","exactQuantileMaxValues":-1}`, "exactQuantileMaxValues -1 is out of range (1–1000000000)"},
		{`{"engine":"spark","sparkUrl":"sc://h","quantileAccuracy":99}`, "quantileAccuracy 99 is out of range (100–1000000)"},
		{`{"engine":"spark","sparkUrl":"sc://h","database":"ml-logs"}`, `Spark database "ml-logs" is not a valid identifier`},
		{`{"engine":"spark","sparkUrl":"sc://h","table":"a.b"}`, `table "a.b" is not a valid identifier`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.json), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.json, err, c.want)
		}
	}
	// An error shows the URL without its parameter values: a header may carry a secret.
	for raw, want := range map[string]string{
		"sc://h:0/;x-api-key=s3cret":                `Spark url "sc://h:0/;x-api-key=…": port 0 is out of range (1–65535)`,
		"sc://h/;x-api-key=s3cret;use_ssl":          `Spark url "sc://h/;x-api-key=…;use_ssl": parameter "use_ssl" is not name=value`,
		"http://h/;x-api-key=s3cret":                `Spark url "http://h/;x-api-key=…" must start with sc://`,
		"sc://h:port/;x-api-key=s3cret":             `Spark url "sc://h:port/;x-api-key=…" is not a URL: invalid port ":port" after host`,
		"sc://h/;x-api-key=s3cret;authorization=s3": `Spark url "sc://h/;x-api-key=…;authorization=…" carries a token (authorization)`,
	} {
		_, err := ParseSparkURL(raw)
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "s3") {
			t.Errorf("%s: error %v, want %q and no secret", raw, err, want)
		}
	}
	if _, err := Parse([]byte(`{"engine":"spark","sparkUrl":"sc://h"}`), map[string]string{"tlsCACert": "not a certificate"}); err == nil ||
		!strings.Contains(err.Error(), "tlsCACert holds no PEM certificate") {
		t.Errorf("bad CA: %v", err)
	}
}
