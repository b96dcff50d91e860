package diagnosis

import (
	"reflect"
	"testing"
)

// Standings over hand-built series: each window's standing verdict, the window that decided it and whether its
// labels are pending, as the alert rule over the verdicts output reads them (latest decided value per cause, the
// precedence over the causes that fire).
func TestStandings(t *testing.T) {
	both := Pending{ConceptDrift: true, PriorShift: true}
	for _, c := range []struct {
		name string
		rs   []Reading
		want []Standing
	}{
		{"concept drift carried over pending windows, not past a pipeline break",
			[]Reading{
				{Evidence: Evidence{ConceptDrift: f(2), CovariateShift: f(0.3)}},              // decided concept drift
				{Evidence: Evidence{CovariateShift: f(0.5)}, Pending: both},                   // labels pending: still concept drift
				{Evidence: Evidence{CovariateShift: f(1.5)}, Pending: both},                   // covariate shift fires too; concept first
				{Evidence: Evidence{PipelineBreak: f(2)}, Pending: both},                      // a break decides every cause
				{Evidence: Evidence{CovariateShift: f(0.2)}, Pending: both},                   // the break's window decided concept: 0
				{Evidence: Evidence{ConceptDrift: f(0.4), PriorShift: f(0.1)}, Pending: both}, // measured below 1: decided ok
			},
			[]Standing{{CauseConceptDrift, 0, false}, {CauseConceptDrift, 0, true}, {CauseConceptDrift, 0, true},
				{CausePipelineBreak, 3, false}, {VerdictOK, 4, true}, {VerdictOK, 5, false}}},
		{"prior shift carried; a fresh covariate shift is not held back by pending labels",
			[]Reading{
				{Evidence: Evidence{CovariateShift: f(0.2), ConceptDrift: f(0.1), PriorShift: f(3)}},
				{Evidence: Evidence{CovariateShift: f(0.3)}, Pending: both},
				{Evidence: Evidence{CovariateShift: f(1.2)}, Pending: both}, // decides prior shift (covariate first): 0
			},
			[]Standing{{CausePriorShift, 0, false}, {CausePriorShift, 0, true}, {CauseCovariateShift, 2, true}}},
		{"labels pending from the first window: ok so far",
			[]Reading{{Evidence: Evidence{CovariateShift: f(0.3)}, Pending: both}, {Pending: both}},
			[]Standing{{VerdictOK, 0, true}, {VerdictOK, 1, true}}},
		{"no labels for good: nothing pending, missing evidence absent",
			[]Reading{{Evidence: Evidence{CovariateShift: f(0.3)}}, {Evidence: Evidence{PriorShift: nil}}},
			[]Standing{{VerdictOK, 0, false}, {VerdictOK, 1, false}}},
		{"empty series", nil, []Standing{}},
	} {
		if got := Standings(c.rs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}
