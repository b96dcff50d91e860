package plugin

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// CBPE fixture sizes: a labelled reference day and cbpeWindows hourly current windows of cbpeWindowRows rows.
const (
	cbpeRefRows    = 20000
	cbpeWindows    = 200
	cbpeWindowRows = 500
)

// cbpeFixtureStore is fixtureStore plus cbpe_log, the log of one binary model "e1" with its labels in a `label`
// column (labelColumn). Every score is a 1/1000 bucket centre, (k + 0.5)/1000 with k uniform on 0..999, and its
// label is Bernoulli(score): the scores are calibrated, so the reference and every current window come from the
// same, calibrated distribution (expected accuracy E[max(s, 1−s)] = 0.75). Reference: 2026-01-01, cbpeRefRows rows
// evenly spread; current: 200 hourly windows from 2026-01-02 with cbpeWindowRows rows each. Seeded (42).
func cbpeFixtureStore(t *testing.T) settings.Settings {
	t.Helper()
	cfg := fixtureStore(t)
	rng := rand.New(rand.NewSource(42))
	var b strings.Builder
	b.WriteString("ts,id,score,label\n")
	row := func(ts time.Time, id string) {
		s := (float64(rng.Intn(1000)) + 0.5) / 1000
		y := 0
		if rng.Float64() < s {
			y = 1
		}
		fmt.Fprintf(&b, "%s,%s,%s,%d\n", ts.Format("2006-01-02 15:04:05.000000"), id, fmt.Sprint(s), y)
	}
	for i := 0; i < cbpeRefRows; i++ {
		row(day1.Add(time.Duration(i)*24*time.Hour/cbpeRefRows), fmt.Sprintf("r%d", i))
	}
	for h := 0; h < cbpeWindows; h++ {
		for i := 0; i < cbpeWindowRows; i++ {
			row(day2.Add(time.Duration(h)*time.Hour+time.Duration(i)*time.Hour/cbpeWindowRows), fmt.Sprintf("c%d-%d", h, i))
		}
	}
	csv := filepath.Join(t.TempDir(), "cbpe.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE cbpe_log AS SELECT *, CAST(NULL AS DOUBLE) AS label FROM inference_log WHERE false`,
		fmt.Sprintf(`INSERT INTO cbpe_log (ts, model_id, model_version, prediction_id, region, channel, x, prediction, score, label)
			SELECT CAST(ts AS TIMESTAMP), 'e1', 'v1', id, 'NA', 'web', 1, CAST(score >= 0.5 AS DOUBLE), score, label
			FROM read_csv('%s', header = true, columns = {'ts': 'VARCHAR', 'id': 'VARCHAR', 'score': 'DOUBLE', 'label': 'DOUBLE'})`, csv),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	cfg.Table, cfg.LabelColumn = "cbpe_log", "label"
	return cfg
}

// cbpeWant is the expected accuracy of the fixture's calibrated scores: E[max(s, 1−s)] over the bucket centres.
func cbpeWant() float64 {
	var sum float64
	for k := 0; k < 1000; k++ {
		s := (float64(k) + 0.5) / 1000
		sum += math.Max(s, 1-s)
	}
	return sum / 1000
}
