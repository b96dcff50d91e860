package spark_test

import (
	"math"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/pkg/engine/binning"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/spark"
	"github.com/aiops/modelmonitor/pkg/store/spark/sparktest"
)

// Above exactQuantileMaxValues a reference's quantiles come from percentile_approx, within the stated rank
// error, and the profile says so; a (model, feature) within the limit stays exact in the same statement.
// Model a's x is a permutation of 0 … 19 999 spread over 4 partitions, so a value is its own 0-based rank and
// the exact order statistic at p is ⌊p·19 999⌋; model b has 500 values (0 … 499), below the limit of 1 000.
// Accuracy 100 (rank error ≤ 1 % of the values, 200 ranks) makes the approximation visible.
func TestApproximateQuantilesWithinTolerance(t *testing.T) {
	url := sparktest.Need(t)
	db := sparktest.Schema("approx")
	if err := sparktest.Exec(ctx, url, "CREATE SCHEMA "+db,
		"CREATE TABLE "+db+".log USING parquet AS "+
			"SELECT CAST(TIMESTAMP_NTZ'2026-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id % 86400) AS TIMESTAMP_NTZ) AS ts, "+
			"'a' AS model_id, CAST((id * 7919) % 20000 AS DOUBLE) AS x FROM range(0, 20000, 1, 4) "+
			"UNION ALL SELECT TIMESTAMP_NTZ'2026-01-01 00:00:00', 'b', CAST(id AS DOUBLE) FROM range(0, 500, 1, 2)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sparktest.Exec(ctx, url, "DROP SCHEMA "+db+" CASCADE") })
	profile := func(limit int64, accuracy int) []store.NumericProfile {
		cfg := sparktest.Settings(url, db)
		cfg.Table, cfg.FeatureColumns = "log", []string{"x"}
		cfg.ExactQuantileMaxValues, cfg.QuantileAccuracy = limit, accuracy
		st, err := spark.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		p, err := st.Profile(ctx, store.Scope{From: jan1, To: jan1.Add(24 * time.Hour)},
			[]store.Feature{{Model: "a", Name: "x", Type: store.Numeric}, {Model: "b", Name: "x", Type: store.Numeric}}, probs, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Numeric) != 2 || p.Numeric[0].Model != "a" || p.Numeric[1].Model != "b" {
			t.Fatalf("profiles %+v", p.Numeric)
		}
		return p.Numeric
	}
	exact, approx := profile(10_000_000, 10_000), profile(1_000, 100)

	for _, c := range []struct {
		p         store.NumericProfile
		n         int
		rankError float64
	}{{exact[0], 20000, 0}, {exact[1], 500, 0}, {approx[1], 500, 0}} {
		if c.p.QuantileRankError != c.rankError || c.p.Finite != int64(c.n) {
			t.Fatalf("%s: rank error %g, finite %d", c.p.Model, c.p.QuantileRankError, c.p.Finite)
		}
		for i, p := range probs {
			k := math.Floor(p * float64(c.n-1))
			if c.p.Lower[i] != k || c.p.Upper[i] != math.Min(k+1, float64(c.n-1)) {
				t.Fatalf("%s exact at p = %g: %g, %g, want %g, %g", c.p.Model, p, c.p.Lower[i], c.p.Upper[i], k, math.Min(k+1, float64(c.n-1)))
			}
		}
	}

	a := approx[0]
	if a.QuantileRankError != 0.01 || a.Finite != 20000 || a.Mean != exact[0].Mean || a.Min != 0 || a.Max != 19999 {
		t.Fatalf("approximate profile: %+v", a)
	}
	differ := 0
	for i, p := range probs {
		// The approximate quantile is a value (= its rank here) within n/accuracy = 200 ranks of p·(n − 1).
		if a.Lower[i] != a.Upper[i] || math.Abs(a.Lower[i]-p*19999) > 200 {
			t.Errorf("approximate at p = %g: %g, %g; exact rank %g ± 200", p, a.Lower[i], a.Upper[i], p*19999)
		}
		if a.Lower[i] != exact[0].Lower[i] {
			differ++
		}
	}
	if differ == 0 {
		t.Errorf("the approximate quantiles equal the exact ones at every probability: was percentile_approx used?")
	}
	t.Logf("%d of %d approximate quantiles differ from the exact order statistic", differ, len(probs))
}

var probs = binning.Probs(100)
