package demo

import "time"

// Incident kinds.
const (
	KindCovariateDrift = "covariate_drift"
	KindConceptDrift   = "concept_drift"
	KindNullFlood      = "null_flood"
	KindUnitChange     = "unit_change"
	KindPriorShift     = "prior_shift"
	// KindMinorDrift is a covariate drift of a feature the model barely uses: the inputs change, the model's
	// health does not (the fleet's "does not page" case).
	KindMinorDrift = "minor_drift"
)

// UntilEnd as an Incident.ToDay means "until the end of the generated range".
const UntilEnd = -1

// Incident is one deliberately injected problem. Windows are day offsets from Options.Start: the incident covers
// [Start + FromDay days, Start + ToDay days) (ToDay == UntilEnd: to the end). From and To are the same window
// for the default Start and Days; use Window for other options.
type Incident struct {
	Model    string
	Kind     string
	Features []string // the features whose logged values (or, for concept drift, whose effect on the label) change
	FromDay  int
	ToDay    int
	From, To time.Time
	// Magnitude: covariate_drift and minor_drift: multiplicative factor on the feature; concept_drift: factor on the top
	// feature's weight in the true label model; null_flood: share of NULLs in the window; unit_change: factor
	// on the logged value; prior_shift: positive-class rate in the window.
	Magnitude   float64
	Description string
}

// Window returns the incident's absolute [from, to) for a data range of days days starting at start, clipped to
// that range; ok is false when the incident falls outside it.
func (i Incident) Window(start time.Time, days int) (from, to time.Time, ok bool) {
	toDay := i.ToDay
	if toDay == UntilEnd || toDay > days {
		toDay = days
	}
	if i.FromDay >= toDay {
		return time.Time{}, time.Time{}, false
	}
	return start.AddDate(0, 0, i.FromDay), start.AddDate(0, 0, toDay), true
}

// Incidents is the catalogue of injected incidents, the single source of truth for the generator, its tests and
// the README. Every model not listed is stationary.
var Incidents = incidentCatalogue()

func incidentCatalogue() []Incident {
	inc := []Incident{
		{
			Model: "churn", Kind: KindCovariateDrift, Features: []string{"monthly_charges"},
			FromDay: 19, ToDay: UntilEnd, Magnitude: 1.3,
			Description: "Price rise: monthly_charges of every churn customer ×1.3 from day 19. Labels keep following " +
				"the same P(churn | x), so the churn rate and the scores rise with the charges (covariate shift).",
		},
		{
			Model: "credit_risk_na", Kind: KindConceptDrift, Features: []string{"credit_score"},
			FromDay: 23, ToDay: UntilEnd, Magnitude: -1,
			Description: "Concept drift: from day 23 the weight of credit_score (the top feature) in the true default " +
				"model flips sign. Feature distributions and scores are unchanged; realized performance collapses " +
				"while estimated performance (CBPE) does not.",
		},
		{
			Model: "upsell_eu", Kind: KindNullFlood, Features: []string{"income_k"},
			FromDay: 14, ToDay: 17, Magnitude: 0.8,
			Description: "Logging break: on days 14–16 about 80 % of income_k values are logged as NULL (the model " +
				"still saw them: scores and labels are unaffected).",
		},
		{
			Model: "upsell_eu", Kind: KindUnitChange, Features: []string{"data_usage_gb"},
			FromDay: 26, ToDay: UntilEnd, Magnitude: 1024,
			Description: "Logging break: from day 26 data_usage_gb is logged in MB (×1024); scores and labels are " +
				"unaffected.",
		},
		{
			Model: "fraud_card_us", Kind: KindPriorShift, Features: nil,
			FromDay: 21, ToDay: UntilEnd, Magnitude: 0.08,
			Description: "Prior shift: from day 21 the fraud rate rises from 2 % to 8 % with P(x | fraud) unchanged, so " +
				"inputs and scores shift mildly through the class mixture and the label rate quadruples.",
		},
		{
			Model: "fraud_card_eu", Kind: KindMinorDrift, Features: []string{"data_usage_gb"},
			FromDay: 24, ToDay: UntilEnd, Magnitude: 1.5,
			Description: "Drift of an unimportant feature: from day 24 data_usage_gb of fraud_card_eu (importance " +
				"0.004, its least important feature) is ×1.5. The input drifts clearly, the model's scores and " +
				"performance barely move: a critical model that must not page for it.",
		},
	}
	for i := range inc {
		inc[i].From, inc[i].To, _ = inc[i].Window(DefaultStart, DefaultDays)
	}
	return inc
}
