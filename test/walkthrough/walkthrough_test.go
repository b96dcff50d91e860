// Package walkthrough runs the README's "Your own logs" walkthrough exactly as written — its settings, query and
// commands, taken from the README itself — against a Parquet file the test writes, as a newcomer would.
package walkthrough

import (
	"database/sql"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// blocks returns the README's walkthrough code blocks by name (the name follows "<!-- walkthrough:").
func blocks(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- walkthrough:(\\S+) -->\\n```[a-z]*\\n(.*?)```")
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		out[m[1]] = m[2]
	}
	for _, name := range []string{"S.json", "Q.json", "commands"} {
		if out[name] == "" {
			t.Fatalf("README has no walkthrough block %q", name)
		}
	}
	return out
}

// writeLogs writes the walkthrough's Parquet file: model fraud_v2, 400 predictions a day for 20 days from
// 2026-03-01, amount = (i mod 100)/100 — every value 0.00…0.99 equally often each day — shifted by +0.3 from day 15
// (2026-03-16) on.
func writeLogs(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`COPY (SELECT TIMESTAMP '2026-03-01' + INTERVAL (i // 400) DAY + INTERVAL (i % 400) MINUTE AS served_at,
		'fraud_v2' AS model, 'r' || i AS request_id,
		(i % 100) / 100.0 + CASE WHEN i // 400 >= 15 THEN 0.3 ELSE 0 END AS amount,
		CASE WHEN i % 3 = 0 THEN 'web' ELSE 'app' END AS channel, ((i * 37) % 100) / 100.0 AS score
		FROM range(0, 8000) t(i)) TO '` + path + `' (FORMAT parquet)`)
	if err != nil {
		t.Fatal(err)
	}
}

// The walkthrough's commands succeed and its drift series is right: days 2026-03-11…15 hold exactly the reference's
// distribution (distance 0, to rounding: 1e-12), and from 2026-03-16 the whole distribution moved by 0.3, which is W1 = 0.3, divided by
// the reference's standard deviation: the population std of 0.00…0.99 is sqrt((100² − 1)/12)/100 = 0.28866…,
// so 1.03928… (to the binning bound the frame states).
func TestREADMEWalkthrough(t *testing.T) {
	b := blocks(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs.parquet")
	writeLogs(t, logs)
	cli := filepath.Join(dir, "modelmon")
	if out, err := exec.Command("go", "build", "-o", cli, "../../pkg/cmd/modelmon").CombinedOutput(); err != nil {
		t.Fatalf("build modelmon: %v\n%s", err, out)
	}
	settings := strings.Replace(b["S.json"], "/path/to/logs.parquet", logs, 1)
	if err := os.WriteFile(filepath.Join(dir, "S.json"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Q.json"), []byte(b["Q.json"]), 0o644); err != nil {
		t.Fatal(err)
	}
	var queryOut []byte
	for _, line := range strings.Split(strings.TrimSpace(b["commands"]), "\n") {
		args := strings.Fields(strings.TrimPrefix(line, "go run ./pkg/cmd/modelmon "))
		cmd := exec.Command(cli, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		if args[0] == "query" {
			queryOut = out
		}
	}
	var body struct {
		Results map[string]struct {
			Frames data.Frames `json:"frames"`
		} `json:"results"`
	}
	if err := json.Unmarshal(queryOut, &body); err != nil {
		t.Fatalf("query output: %v\n%s", err, queryOut)
	}
	frames := body.Results["A"].Frames
	if len(frames) != 1 || frames[0].Rows() != 10 {
		t.Fatalf("want one series of 10 days, got %d frames", len(frames))
	}
	want := 0.3 / (math.Sqrt((100*100-1)/12.0) / 100)
	for i := 0; i < 10; i++ {
		v, ok := frames[0].Fields[1].ConcreteAt(i)
		if !ok {
			t.Fatalf("day %d has no value", i)
		}
		x := v.(float64)
		if i < 5 && math.Abs(x) > 1e-12 || i >= 5 && math.Abs(x-want) > 0.02*want {
			t.Errorf("day %d (2026-03-%02d): %v, want %v", i, 11+i, x, map[bool]float64{true: 0, false: want}[i < 5])
		}
	}
}
