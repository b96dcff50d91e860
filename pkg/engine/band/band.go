// Package band computes dynamic thresholds — mean ± k·σ of a series over baseline windows — and the hysteresis
// that turns values against a band into a breach signal. Pure: no I/O, no frames.
//
// Dynamic = mean ± k·σ over the reference windows or a rolling history (WhyLabs' stddev rule, factor 3; Fiddler
// warns at 2σ and is critical at 3σ); with fewer than MinBaseline points the caller falls back to the static
// threshold; a window never counts in its own baseline (leaving it in biases the band towards it); bounds are
// clipped to the metric's valid range.
package band

import "math"

// MinBaseline is the fewest baseline values a band is computed from: with one value σ is undefined and with two
// it rests on a single difference, so below three the static threshold is used.
const MinBaseline = 3

// Direction says which side of the band is a breach.
type Direction string

// Directions: Above (drift scores: larger is worse), Below (p-values), Both (everything without a direction:
// shares, ratios and performance move either way).
const (
	Above Direction = "above"
	Below Direction = "below"
	Both  Direction = "both"
)

// Range is a metric's valid range; bounds are clipped to it (±Inf = unbounded).
type Range struct{ Min, Max float64 }

// Unbounded is the range of a metric that can take any value.
var Unbounded = Range{math.Inf(-1), math.Inf(1)}

// Band is the threshold of one window; nil bounds are unknown (too little baseline and no static threshold).
type Band struct {
	Upper, Lower *float64
	// Baseline is how many values the band was computed from (0 = static or none).
	Baseline int
	// Static marks a static threshold, whose bound itself is on the breach side (drift when score ≥ threshold,
	// as every drift metric's default threshold reads); a dynamic band's bounds are inside it.
	Static bool
}

// FromBaseline is mean ± k·σ of xs (σ the sample standard deviation, n − 1), clipped to r; ok is false with
// fewer than MinBaseline values.
func FromBaseline(xs []float64, k float64, r Range) (Band, bool) {
	if len(xs) < MinBaseline {
		return Band{}, false
	}
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(len(xs)-1))
	up, lo := math.Min(r.Max, mean+k*sd), math.Max(r.Min, mean-k*sd)
	return Band{Upper: &up, Lower: &lo, Baseline: len(xs)}, true
}

// Static is the band of a static threshold t: only the side the direction watches is set.
func Static(t float64, dir Direction) Band {
	if dir == Below {
		return Band{Lower: &t, Static: true}
	}
	return Band{Upper: &t, Static: true} // without a direction: an upper limit, as every drift default is
}

// Point is one window's value; nil = no value.
type Point struct {
	Key   int64 // identifies the window (its start), for leave-one-out
	Value *float64
}

// Reference gives every current window the band of the baseline windows' values, leaving out a baseline window
// with the same key as the current one (when the current range overlaps the reference). Windows whose baseline
// has fewer than MinBaseline values get fallback.
func Reference(baseline, current []Point, k float64, r Range, fallback Band) []Band {
	out := make([]Band, len(current))
	for i, c := range current {
		out[i] = orFallback(values(baseline, c.Key), k, r, fallback)
	}
	return out
}

// Trailing gives window i of current the band of the values of the history windows before it: the last `history`
// points of history ++ current[:i] (nulls skipped but counted as windows). Windows with fewer than MinBaseline
// values get fallback.
func Trailing(history, current []Point, size int, k float64, r Range, fallback Band) []Band {
	all := append(append([]Point(nil), history...), current...)
	out := make([]Band, len(current))
	for i := range current {
		end := len(history) + i
		start := end - size
		if start < 0 {
			start = 0
		}
		out[i] = orFallback(values(all[start:end], noKey), k, r, fallback)
	}
	return out
}

// noKey matches no window: nothing is left out.
const noKey = math.MinInt64

// values are the non-null values of ps, leaving out the window with key skip.
func values(ps []Point, skip int64) []float64 {
	var xs []float64
	for _, p := range ps {
		if p.Value != nil && p.Key != skip {
			xs = append(xs, *p.Value)
		}
	}
	return xs
}

// orFallback is the band of xs, or fallback when xs are too few.
func orFallback(xs []float64, k float64, r Range, fallback Band) Band {
	if b, ok := FromBaseline(xs, k, r); ok {
		return b
	}
	return fallback
}

// Outside says whether x is outside b on the side dir watches; a missing bound never breaches. A static upper
// threshold is reached at equality (score ≥ threshold); a p-value breaches strictly below (p < threshold).
func Outside(x float64, b Band, dir Direction) bool {
	above := b.Upper != nil && (x > *b.Upper || (b.Static && x == *b.Upper))
	below := b.Lower != nil && x < *b.Lower
	switch dir {
	case Above:
		return above
	case Below:
		return below
	}
	return above || below
}

// Breaches turns values against their bands into a 0/1 signal with hysteresis n: the signal turns on after n
// consecutive windows outside the band and off again after n consecutive windows inside it (the cool-down), so a
// value flapping around the bound does not flap the alert. n ≤ 1 is the plain comparison. A null value, or a
// window without a band, gives a null signal and neither advances nor resets the run.
func Breaches(values []*float64, bands []Band, dir Direction, n int) []*float64 {
	if n < 1 {
		n = 1
	}
	out := make([]*float64, len(values))
	on, run := false, 0
	for i, x := range values {
		if x == nil || (bands[i].Upper == nil && bands[i].Lower == nil) {
			continue
		}
		if Outside(*x, bands[i], dir) != on {
			run++
			if run >= n {
				on, run = !on, 0
			}
		} else {
			run = 0
		}
		s := 0.0
		if on {
			s = 1
		}
		out[i] = &s
	}
	return out
}
