package band

// Mode is where a series' threshold comes from.
type Mode int

// Threshold modes.
const (
	// StaticMode: the static threshold in every window.
	StaticMode Mode = iota + 1
	// ReferenceMode: mean ± k·σ of the baseline (the reference windows), each window left out of its own
	// baseline (Reference).
	ReferenceMode
	// TrailingMode: mean ± k·σ of the History windows before each window (Trailing).
	TrailingMode
)

// Spec says how a series gets its thresholds.
type Spec struct {
	Mode    Mode
	K       float64 // half-width in σ
	History int     // trailing windows (TrailingMode)
	Kind    Kind
	// Static is the static threshold (the metric's own or the query's); nil: none. It is the fallback of the
	// dynamic modes where the baseline has fewer than MinBaseline values.
	Static *float64
}

// Thresholds is the band of every window of a series.
type Thresholds struct {
	Bands []Band
	// Fallback is the static band (no bounds without a static threshold).
	Fallback Band
	// Short counts the windows whose band has no baseline (the fallback, or none).
	Short int
}

// For computes the thresholds of a series' current points from its baseline points (the same series over the
// baseline range: the reference for ReferenceMode, the windows before the first one for TrailingMode; unused for
// StaticMode). Dynamic bands are clipped to the kind's Range; the static band watches the kind's Direction.
func For(s Spec, baseline, current []Point) Thresholds {
	var t Thresholds
	if s.Static != nil {
		t.Fallback = Static(*s.Static, s.Kind.Direction())
	}
	switch s.Mode {
	case ReferenceMode:
		t.Bands = Reference(baseline, current, s.K, s.Kind.Range(), t.Fallback)
	case TrailingMode:
		t.Bands = Trailing(baseline, current, s.History, s.K, s.Kind.Range(), t.Fallback)
	default:
		t.Bands = make([]Band, len(current))
		for i := range t.Bands {
			t.Bands[i] = t.Fallback
		}
	}
	for _, b := range t.Bands {
		if b.Baseline == 0 {
			t.Short++
		}
	}
	return t
}
