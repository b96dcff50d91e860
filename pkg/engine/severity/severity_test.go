package severity

import (
	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"slices"
	"testing"
)

func f(x float64) *float64 { return &x }

func TestOfMatrix(t *testing.T) {
	// The matrix of the package comment, row by row.
	want := map[string][4]Level{
		TierCritical:     {OK, Report, Ticket, Page},
		TierStandard:     {OK, Report, Report, Ticket},
		TierExperimental: {OK, Report, Report, Report},
	}
	for tier, row := range want {
		for u, l := range row {
			if got := Of(tier, Urgency(u)); got != l {
				t.Errorf("Of(%s, %d) = %s, want %s", tier, u, got, l)
			}
		}
	}
}

func TestUrgency(t *testing.T) {
	cases := []struct {
		name string
		s    Signals
		want Urgency
	}{
		{"pipeline break", Signals{Verdict: diagnosis.CausePipelineBreak}, High},
		{"concept drift", Signals{Verdict: diagnosis.CauseConceptDrift}, High},
		{"covariate shift, estimate inside its band, weighted drift 1.5", Signals{Verdict: diagnosis.CauseCovariateShift, WeightedDrift: f(1.5), Impact: f(0.9)}, Medium},
		{"covariate shift, estimate left its band", Signals{Verdict: diagnosis.CauseCovariateShift, WeightedDrift: f(1.5), Impact: f(1)}, High},
		{"covariate shift, no estimate, weighted drift at the matters level", Signals{Verdict: diagnosis.CauseCovariateShift, WeightedDrift: f(2)}, High},
		{"covariate shift, large weighted drift, the estimate holds", Signals{Verdict: diagnosis.CauseCovariateShift, WeightedDrift: f(5), Impact: f(-0.04)}, Medium},
		{"covariate shift, no estimate", Signals{Verdict: diagnosis.CauseCovariateShift, WeightedDrift: f(1.99)}, Medium},
		{"prior shift", Signals{Verdict: diagnosis.CausePriorShift}, Medium},
		{"ok, an unimportant feature drifts", Signals{Verdict: diagnosis.VerdictOK, WeightedDrift: f(0.4), AnyFeatureDrift: true}, Low},
		{"ok, the score moved", Signals{Verdict: diagnosis.VerdictOK, PredictionDrift: true}, Low},
		{"ok, estimate left its band without drift", Signals{Verdict: diagnosis.VerdictOK, Impact: f(1.2)}, Low},
		{"ok, quiet", Signals{Verdict: diagnosis.VerdictOK, WeightedDrift: f(0.4), Impact: f(-0.5)}, None},
		{"unknown verdict is ok", Signals{Verdict: "something"}, None},
	}
	for _, c := range cases {
		if got := c.s.Urgency(); got != c.want {
			t.Errorf("%s: urgency %d, want %d", c.name, got, c.want)
		}
	}
	// The example: a healthy critical model with a drifting unimportant feature is reported, not paged.
	if got := Of(TierCritical, Signals{Verdict: diagnosis.VerdictOK, WeightedDrift: f(0.3), AnyFeatureDrift: true}.Urgency()); got != Report {
		t.Errorf("healthy critical model with a drifting unimportant feature: %s, want report", got)
	}
}

func TestNormaliseTier(t *testing.T) {
	for in, want := range map[string]string{"critical": TierCritical, " Critical ": TierCritical, "EXPERIMENTAL": TierExperimental, "": DefaultTier, "gold": DefaultTier} {
		got, notice := NormaliseTier(in)
		if got != want {
			t.Errorf("NormaliseTier(%q) = %q, want %q", in, got, want)
		}
		if (notice != "") != (in == "gold") {
			t.Errorf("NormaliseTier(%q): notice %q", in, notice)
		}
	}
}

func TestHold(t *testing.T) {
	in := []Level{OK, Page, OK, Ticket, OK, OK, OK}
	if got := Hold(in, 1); !slices.Equal(got, in) {
		t.Errorf("hold 1: %v", got)
	}
	// hold 2: a raise is immediate, a drop waits one more window.
	want := []Level{OK, Page, Page, Ticket, Ticket, OK, OK}
	if got := Hold(in, 2); !slices.Equal(got, want) {
		t.Errorf("hold 2: %v, want %v", got, want)
	}
	want = []Level{OK, Page, Page, Page, Ticket, Ticket, OK}
	if got := Hold(in, 3); !slices.Equal(got, want) {
		t.Errorf("hold 3: %v, want %v", got, want)
	}
	// hold 3: window 3 (ticket) is held at window 1's page, window 5 at window 3's ticket; window 1 is its own.
	// Of two equal higher windows the latest holds: {page, page, ok} at window 2 is held from window 1.
	for _, c := range []struct {
		in      []Level
		i, want int
	}{{in, 3, 1}, {in, 5, 3}, {in, 1, 1}, {in, 6, 6},
		{[]Level{Page, Page, OK}, 2, 1}} {
		if got := HeldFrom(c.in, 3, c.i); got != c.want {
			t.Errorf("HeldFrom(%v, 3, %d) = %d, want %d", c.in, c.i, got, c.want)
		}
	}
}

func TestSince(t *testing.T) {
	if got := Since([]string{"ok", "covariate_shift", "ok", "ok"}); got != 2 {
		t.Errorf("since = %d, want 2", got)
	}
	if got := Since([]string{"ok", "ok"}); got != 0 {
		t.Errorf("since = %d, want 0", got)
	}
	if got := Since([]string(nil)); got != -1 {
		t.Errorf("since = %d, want -1", got)
	}
	if Page.String() != "page" || Ticket.String() != "ticket" || Report.String() != "report" || OK.String() != "ok" {
		t.Error("level names")
	}
}

// A model whose registry rows disagree takes the most critical of their tiers, an unknown one counting as standard.
func TestMostCritical(t *testing.T) {
	for _, c := range []struct {
		tiers []string
		want  string
	}{
		{[]string{"standard", "critical"}, TierCritical},
		{[]string{" Critical ", "experimental"}, TierCritical},
		{[]string{"experimental", "standard"}, TierStandard},
		{[]string{"gold", "experimental"}, TierStandard},
		{[]string{"experimental"}, TierExperimental},
		{nil, TierStandard},
	} {
		if got := MostCritical(c.tiers); got != c.want {
			t.Errorf("MostCritical(%q) = %s, want %s", c.tiers, got, c.want)
		}
	}
}
