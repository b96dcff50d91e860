package band

import (
	"math"
	"testing"
)

func f(x float64) *float64 { return &x }

func pts(vals ...*float64) []Point {
	out := make([]Point, len(vals))
	for i, v := range vals {
		out[i] = Point{Key: int64(i), Value: v}
	}
	return out
}

func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-12 {
		t.Errorf("%s = %v, want %.15g", what, got, want)
	}
}

// numpy: x = [1, 2, 3, 4]; x.mean() = 2.5; x.std(ddof=1) = 1.2909944487358056.
func TestFromBaselineMeanStd(t *testing.T) {
	b, ok := FromBaseline([]float64{1, 2, 3, 4}, 3, Unbounded)
	if !ok || b.Baseline != 4 {
		t.Fatalf("ok=%v baseline=%d", ok, b.Baseline)
	}
	near(t, "upper", b.Upper, 2.5+3*1.2909944487358056)
	near(t, "lower", b.Lower, 2.5-3*1.2909944487358056)
	// clipped to the valid range
	b, _ = FromBaseline([]float64{1, 2, 3, 4}, 3, Range{0, 5})
	near(t, "clipped upper", b.Upper, 5)
	near(t, "clipped lower", b.Lower, 0)
	if _, ok := FromBaseline([]float64{1, 2}, 3, Unbounded); ok {
		t.Error("two baseline values gave a band")
	}
}

// The current window is left out of its own baseline: with baseline windows 0..3 = 1, 2, 3, 10 and current
// window 3, the baseline is 1, 2, 3 (mean 2, sd 1) → 2 ± 2·1; current window 7 (not in the baseline) uses all four
// (mean 4, sd = sqrt(((−3)² + (−2)² + (−1)² + 6²)/3) = sqrt(50/3)).
func TestReferenceLeavesTheWindowOut(t *testing.T) {
	base := pts(f(1), f(2), f(3), f(10))
	cur := []Point{{Key: 3, Value: f(10)}, {Key: 7, Value: f(5)}}
	bs := Reference(base, cur, 2, Unbounded, Band{})
	near(t, "w3 upper", bs[0].Upper, 4)
	near(t, "w3 lower", bs[0].Lower, 0)
	near(t, "w7 upper", bs[1].Upper, 4+2*math.Sqrt(50.0/3))
	if bs[0].Baseline != 3 || bs[1].Baseline != 4 {
		t.Errorf("baselines %d, %d", bs[0].Baseline, bs[1].Baseline)
	}
}

// Trailing history of 3 windows: current window i uses the 3 windows before it, nulls skipped; with fewer than
// three values the fallback (a static threshold) is used.
func TestTrailing(t *testing.T) {
	hist := pts(f(1), f(2))
	cur := pts(f(3), nil, f(5), f(6))
	fb := Static(9, Above)
	bs := Trailing(hist, cur, 3, 1, Unbounded, fb)
	// w0: 1, 2 → fallback; w1: 1, 2, 3 → 2 ± 1; w2: 2, 3, null → fallback; w3: 3, null, 5 → fallback
	if bs[0].Upper == nil || *bs[0].Upper != 9 || bs[0].Lower != nil {
		t.Errorf("w0 = %+v, want the static fallback", bs[0])
	}
	near(t, "w1 upper", bs[1].Upper, 3)
	near(t, "w1 lower", bs[1].Lower, 1)
	if *bs[2].Upper != 9 || *bs[3].Upper != 9 {
		t.Errorf("w2/w3 should fall back: %+v %+v", bs[2], bs[3])
	}
}

// Hysteresis 2: on after two consecutive windows outside, off after two consecutive inside; a single excursion
// does not fire and a single return does not clear. Nulls neither advance nor reset.
func TestBreachesHysteresis(t *testing.T) {
	b := Static(1, Above)
	vals := []*float64{f(2), f(0), f(2), f(2), f(0), f(2), nil, f(0), f(0), f(0)}
	bands := make([]Band, len(vals))
	for i := range bands {
		bands[i] = b
	}
	want := []any{0.0, 0.0, 0.0, 1.0, 1.0, 1.0, nil, 1.0, 0.0, 0.0}
	got := Breaches(vals, bands, Above, 2)
	for i, w := range want {
		if w == nil {
			if got[i] != nil {
				t.Errorf("window %d: %v, want null", i, *got[i])
			}
			continue
		}
		if got[i] == nil || *got[i] != w.(float64) {
			t.Errorf("window %d: %v, want %v", i, got[i], w)
		}
	}
	// n = 1 is the plain comparison; Below watches the lower side only, Both either side
	plain := Breaches([]*float64{f(2), f(0)}, []Band{b, b}, Above, 1)
	if *plain[0] != 1 || *plain[1] != 0 {
		t.Errorf("plain = %v %v", *plain[0], *plain[1])
	}
	two := Band{Upper: f(2), Lower: f(1)}
	if Outside(0.5, two, Above) || !Outside(0.5, two, Below) || !Outside(3, two, Both) || Outside(1.5, two, Both) {
		t.Error("Outside sides")
	}
	// a static threshold is reached at equality above, strictly below; a dynamic band's bounds are inside it
	if !Outside(1, Static(1, Above), Above) || Outside(0.05, Static(0.05, Below), Below) || Outside(2, two, Both) {
		t.Error("bounds at equality")
	}
	if got := Breaches([]*float64{f(5)}, []Band{{}}, Both, 1); got[0] != nil {
		t.Error("a window without a band gave a signal")
	}
}
