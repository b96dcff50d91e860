package settings

import (
	"testing"
)

// FuzzParse: no jsonData panics the settings parser, and settings it accepts validate, name a known engine (DuckDB with a path) and
// only plain identifiers (what the store splices into SQL, quoted). Found crashers are kept under
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `{"path":"demo/modelmon.duckdb","table":"inference_log"}`, `{"engine":"postgres"}`,
		`{"table":"logs; DROP TABLE x"}`, `{"segmentColumns":["region","1bad"]}`, `{"featureColumns":[]}`,
		`{"memoryLimitMB":-1,"queryTimeoutSeconds":1e9,"minSamples":0}`, `{"featureMapColumn":"Contract_Type"}`,
		`{"path":"*.parquet","engine":"duckdb"}`, `not json`, `[]`, `{"engine":null}`,
		`{"engine":"spark","sparkUrl":"sc://127.0.0.1:15002/;use_ssl=true"}`,
	} {
		f.Add([]byte(seed), "secret")
	}
	f.Fuzz(func(t *testing.T, jsonData []byte, password string) {
		s, err := Parse(jsonData, map[string]string{"password": password})
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted settings do not validate: %v", err)
		}
		known := s.Engine == EngineDuckDB || s.Engine == EnginePostgres || s.Engine == EngineSpark
		if !known || (s.Engine == EngineDuckDB && s.Path == "") || s.MinSamples <= 0 || s.QueryTimeoutSecs <= 0 || s.MemoryLimitMB <= 0 {
			t.Fatalf("accepted settings lack a default: %+v", s)
		}
		for _, n := range s.namedIdentifiers() {
			if n.value != "" && !ValidIdentifier(n.value) {
				t.Fatalf("%s %q accepted", n.name, n.value)
			}
		}
	})
}
