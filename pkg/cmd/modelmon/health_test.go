package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// `modelmon health` prints the check's jsonDetails as "details", beside its status and message: on a store of one
// model with 3 rows, {"models": 1, "engine": "duckdb", "table": "inference_log", "windowCache": {…}}.
func TestHealthPrintsDetails(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "s.duckdb")
	db, err := sql.Open("duckdb", store)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE inference_log (ts TIMESTAMP, model_id VARCHAR, model_version VARCHAR, prediction_id VARCHAR, region VARCHAR,
			channel VARCHAR, x DOUBLE, prediction DOUBLE, score DOUBLE)`,
		`INSERT INTO inference_log SELECT TIMESTAMP '2026-01-01' + INTERVAL (i) HOUR, 'm1', 'v1', 'p' || i, 'EU', 'web', i, 0, 0.5 FROM range(3) t(i)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	db.Close()
	settingsPath := filepath.Join(dir, "settings.json")
	raw, _ := json.Marshal(map[string]any{"jsonData": map[string]any{"engine": "duckdb", "path": store, "table": "inference_log"}})
	if err := os.WriteFile(settingsPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runHealth(context.Background(), []string{"--settings", settingsPath}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var got struct {
		Status, Message string
		Details         map[string]any
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if got.Status != "OK" || got.Details["models"] != 1.0 || got.Details["engine"] != "duckdb" || got.Details["table"] != "inference_log" {
		t.Errorf("health output:\n%s", out.String())
	}
	if _, ok := got.Details["windowCache"].(map[string]any); !ok {
		t.Errorf("no windowCache details:\n%s", out.String())
	}
}
