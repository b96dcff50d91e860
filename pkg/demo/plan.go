package demo

import (
	"math"
	"sort"
	"time"
)

// weekdayFactor is the relative daily volume by weekday (mean 1 over a week): quieter weekends.
var weekdayFactor = [7]float64{
	time.Sunday: 0.85, time.Monday: 1.06, time.Tuesday: 1.08, time.Wednesday: 1.08,
	time.Thursday: 1.07, time.Friday: 1.01, time.Saturday: 0.85,
}

// apportion splits total into len(weights) non-negative integers proportional to weights (largest remainder,
// ties to the lower index), so the parts always sum to total exactly.
func apportion(total int, weights []float64) []int {
	out := make([]int, len(weights))
	if total <= 0 || len(weights) == 0 {
		return out
	}
	var s float64
	for _, w := range weights {
		s += w
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	left := total
	for i, w := range weights {
		exact := float64(total) * w / s
		out[i] = int(math.Floor(exact))
		left -= out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; left > 0; k = (k + 1) % len(rems) {
		out[rems[k].i]++
		left--
	}
	return out
}

// dayWeights returns the weekday volume factor of each day of the range.
func dayWeights(start time.Time, days int) []float64 {
	ws := make([]float64, days)
	for d := range ws {
		ws[d] = weekdayFactor[start.AddDate(0, 0, d).Weekday()]
	}
	return ws
}

// ModelPlan is how many rows a model gets in total and per day.
type ModelPlan struct {
	Model  string
	Rows   int
	PerDay []int
}

// MinPerDay is the smallest daily row count of the plan.
func (p ModelPlan) MinPerDay() int {
	if len(p.PerDay) == 0 {
		return 0
	}
	m := p.PerDay[0]
	for _, v := range p.PerDay {
		m = min(m, v)
	}
	return m
}

// Plan returns the exact row allocation Generate uses: Predictions split over the fleet by VolumeShare, each
// model's rows over the days by weekday factor (both by largest remainder, so the counts are exact and
// deterministic). Options are defaulted as in Generate.
func Plan(opts Options) []ModelPlan {
	opts = opts.withDefaults()
	ms := Models()
	shares := make([]float64, len(ms))
	for i, m := range ms {
		shares[i] = m.VolumeShare
	}
	rows := apportion(opts.Predictions, shares)
	dw := dayWeights(opts.Start, opts.Days)
	out := make([]ModelPlan, len(ms))
	for i, m := range ms {
		out[i] = ModelPlan{Model: m.ID, Rows: rows[i], PerDay: apportion(rows[i], dw)}
	}
	return out
}
