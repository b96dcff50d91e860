package settings

import (
	"strings"
	"testing"
)

// cacheDir: "" or an absolute directory that the store does not read; trimmed, and absent keeps memory only.
func TestCacheDir(t *testing.T) {
	for jsonData, want := range map[string]string{
		`{}`:                                     "",
		`{"cacheDir":"  /var/lib/grafana/mm  "}`: "",
		`{"cacheDir":"/data","path":"/data/log.duckdb"}`:                                                 "", // beside a DuckDB file
		`{"cacheDir":"/data","path":"/data/*.parquet"}`:                                                  "",
		`{"cacheDir":"/data","engine":"postgres","host":"h","database":"d","user":"u","path":"/data/*"}`: "",
		`{"cacheDir":"cache"}`:                                  `cacheDir must be an absolute directory (such as /var/lib/grafana/modelmonitor-cache), not "cache"`,
		`{"cacheDir":"/data","path":"/data/*"}`:                 `cacheDir "/data" is where the store reads (path "/data/*"): choose a directory of its own`,
		`{"cacheDir":"/data/","path":"/data/*.cache"}`:          `cacheDir "/data/" is where the store reads (path "/data/*.cache"): choose a directory of its own`,
		`{"cacheDir":"/data/x.duckdb","path":"/data/x.duckdb"}`: `cacheDir "/data/x.duckdb" is where the store reads (path "/data/x.duckdb"): choose a directory of its own`,
	} {
		s, err := Parse([]byte(jsonData), nil)
		if got := errText(err); got != want {
			t.Errorf("%s: error %q, want %q", jsonData, got, want)
		}
		if err == nil && strings.Contains(jsonData, "/var/lib") && s.CacheDir != "/var/lib/grafana/mm" {
			t.Errorf("%s: cacheDir %q", jsonData, s.CacheDir)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
