package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// The grid binning of the numeric counts (sqlstore.GridDialect) puts every finite value in the bin a search of
// its feature's edges gives — the number of edges ≤ v — for edge sets that stress the grid: edges crowded near 0
// (many in one cell), none, one, two a subnormal apart and a span that overflows a double (one cell), integers,
// random quantiles. Values: each edge, its neighbouring doubles, midpoints, random values inside and far outside,
// ±MaxFloat64, ±0. The expected count, sum, minimum and maximum per bin come from sort.Search over the edges.
func TestGridBinsEqualEdgeSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	skewed := make([]float64, 100)
	for i := range skewed {
		skewed[i] = 1e-6 * math.Pow(1.2, float64(i))
	}
	integers := make([]float64, 20)
	for i := range integers {
		integers[i] = float64(i + 1)
	}
	normal := make([]float64, 99)
	for i := range normal {
		normal[i] = rng.NormFloat64() * 50
	}
	sort.Float64s(normal)
	edges := [][]float64{skewed, {}, {3}, {0, math.SmallestNonzeroFloat64}, {-1e308, 0, 1e308}, integers, normal}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := settings.Defaults()
	cols := ""
	for i := range edges {
		cols += fmt.Sprintf(", f%d DOUBLE", i)
	}
	if _, err := db.Exec(`CREATE TABLE ` + cfg.Table + ` (` + cfg.TimeColumn + ` TIMESTAMP, ` + cfg.ModelColumn + ` VARCHAR` + cols + `)`); err != nil {
		t.Fatal(err)
	}
	var bins []store.NumericBins
	values := make([][]float64, len(edges))
	for i, e := range edges {
		vs := []float64{0, math.Copysign(0, -1), math.MaxFloat64, -math.MaxFloat64, 1e300, -1e300}
		for j, x := range e {
			vs = append(vs, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
			if j > 0 {
				vs = append(vs, e[j-1]+(x-e[j-1])/2)
			}
		}
		lo, hi := -10.0, 10.0
		if len(e) > 0 {
			lo, hi = e[0], e[len(e)-1]
		}
		for range 2000 {
			r := rng.Float64()*1.2 - 0.1
			vs = append(vs, lo*(1-r)+hi*r) // not lo + (hi − lo)·r: the span may overflow

		}
		values[i] = vs
		feature := fmt.Sprintf("f%d", i)
		if _, err := db.Exec(`INSERT INTO `+cfg.Table+` (`+cfg.TimeColumn+`, `+cfg.ModelColumn+`, `+feature+`)
			SELECT TIMESTAMP '2026-01-01 12:00:00', 'a', unnest(CAST(? AS DOUBLE[]))`, vs); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, store.NumericBins{Model: "a", Feature: feature, Edges: e})
	}
	st := sqlstore.New(cfg, Dialect{}, runner{db: db})
	defer st.Close()
	got, err := st.Counts(context.Background(), store.Scope{}, store.Windowing{}, bins, nil)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		feature string
		bin     int
	}
	want := map[key]store.NumericCount{}
	for i, e := range edges {
		feature := fmt.Sprintf("f%d", i)
		for _, v := range values[i] {
			k := key{feature, sort.Search(len(e), func(j int) bool { return e[j] > v })}
			c, ok := want[k]
			if !ok {
				c = store.NumericCount{Model: "a", Feature: feature, Bin: k.bin, Min: v, Max: v}
			}
			c.Count++
			c.Sum += v
			c.Min, c.Max = math.Min(c.Min, v), math.Max(c.Max, v)
			want[k] = c
		}
		// Every other row of the table has this feature NULL.
		want[key{feature, store.BinNull}] = store.NumericCount{Model: "a", Feature: feature, Bin: store.BinNull, Count: int64(totalRows(values) - len(values[i]))}
	}
	n := 0
	for _, c := range got.Numeric {
		if c.Bin == store.BinValue {
			continue
		}
		n++
		w, ok := want[key{c.Feature, c.Bin}]
		// Sums of many values of mixed magnitude may round differently in another order; counts, minima and
		// maxima may not differ at all.
		if !ok || c.Count != w.Count || c.Min != w.Min || c.Max != w.Max || !closeSum(c.Sum, w.Sum) {
			t.Errorf("%s bin %d: got %+v, want %+v", c.Feature, c.Bin, c, w)
		}
	}
	if n != len(want) {
		t.Errorf("%d bins returned, want %d", n, len(want))
	}
}

func totalRows(values [][]float64) int {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	return n
}

func closeSum(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// The categorical codes of the grid form (sqlstore.GridDialect.ListPosition) match categories as whole texts,
// whatever they hold (quotes, commas, brackets, list syntax), and a feature with no known category counts every
// value as other, or as unseen when its (empty) known list is complete. Rows of c: `a,b` ×2, `[x]`, `o'k`, `a`,
// NULL; of d: `u` ×3, NULL ×3.
func TestGridCategoriesMatchWholeTexts(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := settings.Defaults()
	if _, err := db.Exec(`CREATE TABLE ` + cfg.Table + ` (` + cfg.TimeColumn + ` TIMESTAMP, ` + cfg.ModelColumn + ` VARCHAR, c VARCHAR, d VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO ` + cfg.Table + ` SELECT TIMESTAMP '2026-01-01 12:00:00', 'a', unnest(['a,b', 'a,b', '[x]', 'o''k', 'a', NULL]), unnest(['u', 'u', 'u', NULL, NULL, NULL])`); err != nil {
		t.Fatal(err)
	}
	st := sqlstore.New(cfg, Dialect{}, runner{db: db})
	defer st.Close()
	got, err := st.Counts(context.Background(), store.Scope{}, store.Windowing{}, nil, []store.CategoricalBins{
		{Model: "a", Feature: "c", Top: []string{"a,b", "o'k"}, Known: []string{"a,b", "o'k", "[x]"}},
		{Model: "a", Feature: "d", Complete: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"c 0 a,b": 2, "c 0 o'k": 1, "c 1 ": 2, "c 3 ": 1, "d 2 ": 3, "d 3 ": 3}
	have := map[string]int64{}
	for _, c := range got.Categorical {
		have[fmt.Sprintf("%s %d %s", c.Feature, c.Kind, c.Category)] += c.Count
	}
	if fmt.Sprint(have) != fmt.Sprint(want) {
		t.Errorf("counts by feature, kind and category: got %v, want %v", have, want)
	}
}
