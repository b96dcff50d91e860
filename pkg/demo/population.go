package demo

import (
	"math"
	"math/rand/v2"
	"slices"
)

// population is a model's reference customer population (its calibration sample): the sorted non-null values
// of every numeric feature and the category shares of contract_type.
//
// Daily batches are re-marginalised onto it (remarginalise): within a day, each numeric feature keeps the rank
// order of the freshly drawn customers (so every correlation between features survives) but takes the
// population's quantile at a stratified position for each rank. A stationary model's daily marginal
// distributions then match the population up to a stratification error of O(1/n) instead of the O(1/√n)
// sampling noise of a few hundred rows, so daily drift scores of healthy models stay near zero while
// incidents (applied after this step) stand out. Segments and sub-day windows are random subsets and keep
// ordinary sampling noise.
type population struct {
	sorted         [numNumeric][]float64
	contractShares [3]float64
}

// decimals of the continuous features (the others are integers).
var decimals = [numNumeric]int{fMonthly: 2, fTotal: 2, fData: 2, fSession: 1, fIncome: 1}

// needsQuantiles reports whether remarginalise maps numeric feature k for a model using the features used.
func needsQuantiles(k int, used *[numFeatures]bool) bool {
	return used[k] || (k == fAge && used[numNumeric+cSenior])
}

func newPopulation(cs []customer, used *[numFeatures]bool) *population {
	p := &population{}
	for k := range numNumeric {
		if !needsQuantiles(k, used) {
			continue
		}
		vs := make([]float64, 0, len(cs))
		for i := range cs {
			if v := cs[i].num[k]; !math.IsNaN(v) {
				vs = append(vs, v)
			}
		}
		slices.Sort(vs)
		p.sorted[k] = vs
	}
	for i := range cs {
		p.contractShares[cs[i].catIdx[cContract]]++
	}
	for i := range p.contractShares {
		p.contractShares[i] /= float64(len(cs))
	}
	return p
}

// quantile returns the population value of feature k at probability q.
func (p *population) quantile(k int, q float64) float64 {
	vs := p.sorted[k]
	x := q * float64(len(vs)-1)
	i := int(x)
	if i >= len(vs)-1 {
		return vs[len(vs)-1]
	}
	if decimals[k] == 0 {
		return vs[int(math.Round(x))]
	}
	v := vs[i] + (x-float64(i))*(vs[i+1]-vs[i])
	s := math.Pow10(decimals[k])
	return math.Round(v*s) / s
}

// ranker computes within-day ranks (ties broken by row order, which is random with respect to the customers).
type ranker struct {
	vals   []float64
	sorted []float64
	occ    []int
}

// ranks sets rank[i] for the values vals (all non-NaN) and returns it.
func (rk *ranker) ranks(vals []float64, rank []int) []int {
	rk.sorted = append(rk.sorted[:0], vals...)
	slices.Sort(rk.sorted)
	if cap(rk.occ) < len(vals) {
		rk.occ = make([]int, len(vals))
	}
	occ := rk.occ[:len(vals)]
	clear(occ)
	rank = rank[:len(vals)]
	for i, v := range vals {
		lo, _ := slices.BinarySearch(rk.sorted, v)
		rank[i] = lo + occ[lo]
		occ[lo]++
	}
	return rank
}

// remarginalise maps the day's customers cs onto the population marginals (numeric features that used[] marks,
// contract_type, and senior_citizen through age). See population.
func (p *population) remarginalise(r *rand.Rand, cs []customer, used *[numFeatures]bool, rk *ranker, idx, rank []int) {
	n := len(cs)
	if n == 0 {
		return
	}
	vals := rk.vals[:0]
	for k := range numNumeric {
		if !needsQuantiles(k, used) {
			continue
		}
		vals = vals[:0]
		idx = idx[:0]
		for i := range cs {
			if v := cs[i].num[k]; !math.IsNaN(v) {
				vals = append(vals, v)
				idx = append(idx, i)
			}
		}
		m := float64(len(vals))
		for j, rnk := range rk.ranks(vals, rank) {
			// a random position in the middle half of the rank's stratum: varied values, tame extremes
			cs[idx[j]].num[k] = p.quantile(k, (float64(rnk)+0.25+0.5*r.Float64())/m)
		}
	}
	rk.vals = vals
	if used[numNumeric+cSenior] {
		for i := range cs {
			cs[i].catIdx[cSenior] = 0
			if cs[i].num[fAge] >= 65 {
				cs[i].catIdx[cSenior] = 1
			}
			cs[i].cat[cSenior] = catValues[cSenior][cs[i].catIdx[cSenior]]
		}
	}
	if used[numNumeric+cContract] {
		vals = vals[:0]
		for i := range cs {
			vals = append(vals, cs[i].contractScore)
		}
		for i, rnk := range rk.ranks(vals, rank) {
			q := (float64(rnk) + r.Float64()) / float64(n)
			c := 0
			for acc := p.contractShares[0]; c < 2 && q >= acc; acc += p.contractShares[c] {
				c++
			}
			cs[i].catIdx[cContract] = c
			cs[i].cat[cContract] = catValues[cContract][c]
		}
		rk.vals = vals
	}
}
