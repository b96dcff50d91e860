package duckdb

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/store"
)

// The whole fleet's reference profile outgrows memoryLimitMB (its exact quantiles sort every (model, feature)'s
// values in a list DuckDB cannot spill) where one model's does not: the profile is split by model, in halves,
// until each statement fits, and gives what one statement gives with memory to spare — the same quantiles,
// distinct counts and extremes, the moments within DuckDB's run-to-run parallel summation error.
func TestProfileSplitsByModelWhenOutOfMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	// 4 models × 300 000 rows × 2 numeric features, pseudo-random values with few repeats.
	if _, err := db.Exec(`CREATE TABLE inference_log AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (i // 4) SECOND AS ts,
		'm' || (i % 4) AS model_id, 'v1' AS model_version, 'p' || i AS prediction_id, 'EU' AS region, 'web' AS channel,
		hash(i) % 1000003 / 7.0 AS x, hash(i + 17) % 999983 / 3.0 + (i % 4) AS y, 0.0 AS prediction, 0.5 AS score
		FROM range(1200000) t(i)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var feats []store.Feature
	for _, m := range []string{"m0", "m1", "m2", "m3"} {
		for _, f := range []string{"x", "y"} {
			feats = append(feats, store.Feature{Model: m, Name: f, Type: store.Numeric})
		}
	}
	scope := store.Scope{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC)}
	probs := binning.Probs(10)
	profile := func(memoryMB int) store.Profile {
		cfg := writeStore(t)
		cfg.Path, cfg.MemoryLimitMB = path, memoryMB
		s, err := Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p, err := s.Profile(context.Background(), scope, feats, probs, 5)
		if err != nil {
			t.Fatalf("memoryLimitMB %d: %v", memoryMB, err)
		}
		return p
	}
	whole, split := profile(4096), profile(64)
	if len(whole.SQL) != 1 || len(split.SQL) < 3 {
		t.Fatalf("%d statements with memory to spare (want 1), %d at 64 MB (want the fleet's, failed, split at least in halves)", len(whole.SQL), len(split.SQL))
	}
	if len(split.Numeric) != len(whole.Numeric) || len(whole.Numeric) != len(feats) {
		t.Fatalf("%d profiles split, %d whole, want %d", len(split.Numeric), len(whole.Numeric), len(feats))
	}
	for i, w := range whole.Numeric {
		g := split.Numeric[i]
		same := g.Model == w.Model && g.Feature == w.Feature && g.Rows == w.Rows && g.Finite == w.Finite &&
			g.Distinct == w.Distinct && g.Min == w.Min && g.Max == w.Max && equalFloats(g.Lower, w.Lower) && equalFloats(g.Upper, w.Upper)
		if !same || math.Abs(g.Mean-w.Mean) > 1e-12*math.Abs(w.Mean) || math.Abs(g.Std-w.Std) > 1e-12*w.Std {
			t.Fatalf("profile %d split %+v, whole %+v", i, g, w)
		}
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
