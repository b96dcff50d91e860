package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// TestStationarityFullSize checks, at the default size, that every model is stationary outside its incidents:
// for each model, used feature and day from day 7 on, PSI (10 reference-decile bins plus a null bin, ε 1e-4),
// Wasserstein-1 normalised by the reference std (numeric) and Jensen–Shannon distance (base 2, categorical,
// null as a category) against the first 7 days all stay below 0.1. It is independent of the plugin's drift
// code and slow (~1 min), so it only runs with DEMO_STATIONARITY=1.
func TestStationarityFullSize(t *testing.T) {
	if os.Getenv("DEMO_STATIONARITY") == "" {
		t.Skip("set DEMO_STATIONARITY=1 to run (generates the default 1.2M-row store)")
	}
	path := filepath.Join(t.TempDir(), "full.duckdb")
	if _, err := Generate(context.Background(), path, Options{}); err != nil {
		t.Fatal(err)
	}
	db := openRO(t, path)
	const limit = 0.1
	worst := map[string]float64{}
	where := map[string]string{}
	for _, m := range Models() {
		for _, f := range m.Features {
			inIncident := func(d int) bool {
				for _, inc := range Incidents {
					if inc.Model != m.ID || !(slices.Contains(inc.Features, f.Name) || inc.Kind == KindPriorShift) {
						continue
					}
					if d >= inc.FromDay && (inc.ToDay == UntilEnd || d < inc.ToDay) {
						return true
					}
				}
				return false
			}
			byDay := map[int][]sql.NullString{}
			numByDay := map[int][]float64{}
			nullByDay := map[int]int{}
			rows, err := db.Query(`SELECT date_diff('day', ?::TIMESTAMP, ts)::INT, `+f.Name+`::VARCHAR, `+
				`TRY_CAST(`+f.Name+` AS DOUBLE) FROM inference_log WHERE model_id = ?`, DefaultStart, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var d int
				var s sql.NullString
				var v sql.NullFloat64
				if err := rows.Scan(&d, &s, &v); err != nil {
					t.Fatal(err)
				}
				if f.Type == "numeric" {
					if v.Valid {
						numByDay[d] = append(numByDay[d], v.Float64)
					} else {
						nullByDay[d]++
					}
				} else {
					byDay[d] = append(byDay[d], s)
				}
			}
			_ = rows.Close()
			var refNum []float64
			var refCat []sql.NullString
			refNull := 0
			for d := range 7 {
				refNum = append(refNum, numByDay[d]...)
				refCat = append(refCat, byDay[d]...)
				refNull += nullByDay[d]
			}
			for d := 7; d < DefaultDays; d++ {
				if inIncident(d) {
					continue
				}
				var vals map[string]float64
				if f.Type == "numeric" {
					vals = map[string]float64{
						"psi":         psiNumeric(refNum, numByDay[d], refNull, nullByDay[d]),
						"wasserstein": wassersteinNorm(refNum, numByDay[d]),
					}
				} else {
					r, c := catHist(refCat, byDay[d])
					vals = map[string]float64{"psi": psi(r, c), "js": jsDistance(r, c)}
				}
				for metric, v := range vals {
					if v > worst[metric] {
						worst[metric] = v
						where[metric] = fmt.Sprintf("%s/%s day %d", m.ID, f.Name, d)
					}
					if v >= limit {
						t.Errorf("%s %s day %d: %s %.3f ≥ %.1f", m.ID, f.Name, d, metric, v, limit)
					}
				}
			}
		}
	}
	t.Logf("worst daily drift of a stationary (model, feature): %v at %v", worst, where)
}

func psiNumeric(ref, cur []float64, refNull, curNull int) float64 {
	s := slices.Clone(ref)
	sort.Float64s(s)
	var edges []float64
	for k := 1; k < 10; k++ {
		if e := s[k*(len(s)-1)/10]; len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	hist := func(xs []float64, nulls int) []float64 {
		h := make([]float64, len(edges)+2)
		for _, x := range xs {
			h[sort.Search(len(edges), func(i int) bool { return edges[i] > x })]++
		}
		h[len(h)-1] = float64(nulls)
		return h
	}
	return psi(hist(ref, refNull), hist(cur, curNull))
}

func catHist(ref, cur []sql.NullString) (r, c []float64) {
	idx := map[sql.NullString]int{}
	for _, xs := range [][]sql.NullString{ref, cur} {
		for _, x := range xs {
			if _, ok := idx[x]; !ok {
				idx[x] = len(idx)
			}
		}
	}
	r, c = make([]float64, len(idx)), make([]float64, len(idx))
	for _, x := range ref {
		r[idx[x]]++
	}
	for _, x := range cur {
		c[idx[x]]++
	}
	return r, c
}

func normalise(h []float64) []float64 {
	var s float64
	for _, v := range h {
		s += v
	}
	out := make([]float64, len(h))
	for i, v := range h {
		out[i] = v / s
	}
	return out
}

func psi(r, c []float64) float64 {
	p, q := normalise(r), normalise(c)
	v := 0.0
	for i := range p {
		a, b := math.Max(p[i], 1e-4), math.Max(q[i], 1e-4)
		v += (b - a) * math.Log(b/a)
	}
	return v
}

func jsDistance(r, c []float64) float64 {
	p, q := normalise(r), normalise(c)
	v := 0.0
	for i := range p {
		m := (p[i] + q[i]) / 2
		if p[i] > 0 {
			v += p[i] / 2 * math.Log2(p[i]/m)
		}
		if q[i] > 0 {
			v += q[i] / 2 * math.Log2(q[i]/m)
		}
	}
	return math.Sqrt(math.Max(v, 0))
}

// wassersteinNorm is W1 between the two empirical distributions (∫|F_ref − F_cur|) over the reference std.
func wassersteinNorm(ref, cur []float64) float64 {
	a, b := slices.Clone(ref), slices.Clone(cur)
	sort.Float64s(a)
	sort.Float64s(b)
	i, j := 0, 0
	var w, prev float64
	for k := 0; i < len(a) || j < len(b); k++ {
		x := 0.0
		if j >= len(b) || (i < len(a) && a[i] <= b[j]) {
			x = a[i]
		} else {
			x = b[j]
		}
		if k > 0 {
			w += math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))) * (x - prev)
		}
		for i < len(a) && a[i] == x {
			i++
		}
		for j < len(b) && b[j] == x {
			j++
		}
		prev = x
	}
	return w / stdev(a)
}
