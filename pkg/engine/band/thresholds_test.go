package band

import (
	"math"
	"testing"
)

// Each kind's breach side and valid range.
func TestKinds(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		kind Kind
		dir  Direction
		r    Range
	}{
		{Distance, Above, Range{0, inf}}, {PValue, Below, Range{0, 1}}, {Evidence, Above, Unbounded},
		{Unit, Both, Range{0, 1}}, {NonNegative, Both, Range{0, inf}},
	} {
		if c.kind.Direction() != c.dir || c.kind.Range() != c.r {
			t.Errorf("kind %d: %s %v, want %s %v", c.kind, c.kind.Direction(), c.kind.Range(), c.dir, c.r)
		}
	}
}

// For: the reference band of a distance is clipped at 0 (baseline 0.1, 0.1, 0.4: mean 0.2, sd sqrt(0.03), lower
// 0.2 − 3·sqrt(0.03) < 0); a window left with two baseline values falls back to the static threshold, which a
// distance watches from above; static mode gives the static band everywhere, and no static threshold no band.
func TestFor(t *testing.T) {
	base := pts(f(0.1), f(0.1), f(0.4))
	cur := []Point{{Key: 10, Value: f(0.3)}, {Key: 2, Value: f(0.5)}}
	got := For(Spec{Mode: ReferenceMode, K: 3, Kind: Distance, Static: f(0.2)}, base, cur)
	near(t, "upper", got.Bands[0].Upper, 0.2+3*math.Sqrt(0.03))
	near(t, "clipped lower", got.Bands[0].Lower, 0)
	if b := got.Bands[1]; !b.Static || b.Lower != nil || b.Upper == nil || *b.Upper != 0.2 || got.Short != 1 {
		t.Errorf("window 2 (its own baseline value left out): %+v, short %d; want the static upper 0.2, short 1", b, got.Short)
	}
	pv := For(Spec{Mode: StaticMode, Kind: PValue, Static: f(0.05)}, nil, cur)
	for _, b := range pv.Bands {
		if b.Lower == nil || *b.Lower != 0.05 || b.Upper != nil {
			t.Errorf("p-value static band %+v, want lower 0.05", b)
		}
	}
	if pv.Short != 2 {
		t.Errorf("short %d, want 2", pv.Short)
	}
	none := For(Spec{Mode: TrailingMode, K: 3, History: 3, Kind: Unit}, nil, cur)
	if none.Bands[0].Upper != nil || none.Bands[0].Lower != nil || none.Short != 2 {
		t.Errorf("no baseline and no static threshold: %+v", none)
	}
}
