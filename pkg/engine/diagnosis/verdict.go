// Package diagnosis holds the statistics of a diagnosis — "is it data drift or concept drift?": each cause's
// evidence in one window, normalised so that >= 1 means the cause is present, and the verdict that picks one
// cause from them. Pure: plain numbers in, no I/O, no store types.
package diagnosis

import "slices"

// Causes of a diagnosis, each its own evidence series; a verdict is one of them (never CausePredictionDrift) or
// VerdictOK. Prior shift is the field's term (Moreno-Torres et al., "A unifying view on dataset shift", 2012;
// also "label shift" or "label drift"): P(y) moves while P(x | y) stays.
const (
	CausePipelineBreak   = "pipeline_break"
	CauseCovariateShift  = "covariate_shift"
	CausePredictionDrift = "prediction_drift"
	CauseConceptDrift    = "concept_drift"
	CausePriorShift      = "prior_shift"
	VerdictOK            = "ok"
)

// Causes lists the evidence series in output order.
var Causes = []string{CausePipelineBreak, CauseCovariateShift, CausePredictionDrift, CauseConceptDrift, CausePriorShift}

// Precedence lists the verdicts in the order Verdict tries them; VerdictOK last.
var Precedence = []string{CausePipelineBreak, CauseConceptDrift, CauseCovariateShift, CausePriorShift, VerdictOK}

// Evidence is one window's evidence of each cause, normalised so that >= 1 means present; nil means it could not
// be computed there (absent for the verdict).
type Evidence struct {
	// PipelineBreak: see PipelineEvidence.
	PipelineBreak *float64
	// CovariateShift: see CovariateEvidence.
	CovariateShift *float64
	// PredictionDrift: see PredictionEvidence. Evidence only.
	PredictionDrift *float64
	// ConceptDrift: see ConceptEvidence.
	ConceptDrift *float64
	// PriorShift: see PriorShiftEvidence.
	PriorShift *float64
}

// Verdict decides one window from its evidence, first cause first:
//  1. pipeline_break: a logging error makes every other signal unreliable, so it is checked first (the logging
//     checks are the first thing to run when performance drops);
//  2. concept_drift: realized ROC AUC significantly and materially below the CBPE estimate (ConceptEvidence) —
//     CBPE already follows the covariate shift, so the gap is what covariate shift does not explain;
//  3. covariate_shift: the importance-weighted feature drift;
//  4. prior_shift: the label rate moved while the features did not (covariate_shift < 1);
//  5. ok.
//
// prediction_drift is not a verdict: the score distribution moves with covariate and prior shift (through the
// inputs) and with a break upstream of the model, and stays put under pure concept drift, so it corroborates the
// others and is the first, label-free sign of a prior shift whose labels have not arrived, but does not tell the
// causes apart. Missing evidence counts as absent.
func Verdict(w Evidence) string {
	on := func(x *float64) bool { return x != nil && *x >= 1 }
	switch {
	case on(w.PipelineBreak):
		return CausePipelineBreak
	case on(w.ConceptDrift):
		return CauseConceptDrift
	case on(w.CovariateShift):
		return CauseCovariateShift
	case on(w.PriorShift):
		return CausePriorShift
	}
	return VerdictOK
}

// Pending marks the label-based evidence of a window that is missing because the window's labels have not
// arrived yet (fewer labelled rows than the minimum of samples): a window that is still being labelled, such as
// the last, partial window of a query that ends now. Evidence that cannot exist for the model at all (not a
// binary classifier, no labels, no time-based reference for prior shift) is not pending: it counts as absent.
type Pending struct {
	ConceptDrift, PriorShift bool
}

// Undecided says whether a window's evidence can neither confirm nor rule out verdict c: c is a label-based
// cause (concept drift, prior shift) whose evidence is nil and pending, and no cause before it in Precedence is
// present (Verdict(w) is a later cause or ok). The label-free causes are always decided — a window without labels
// still has its logging checks and feature drift — and so is a label-based cause after a present one (a pipeline
// break decides the verdict whatever the labels will say). Verdict, which counts missing evidence as absent,
// names the cause the evidence at hand supports; Undecided marks the causes that labels still to come could
// put before it.
func Undecided(w Evidence, pending Pending, c string) bool {
	var e *float64
	var p bool
	switch c {
	case CauseConceptDrift:
		e, p = w.ConceptDrift, pending.ConceptDrift
	case CausePriorShift:
		e, p = w.PriorShift, pending.PriorShift
	}
	return p && e == nil && slices.Index(Precedence, Verdict(w)) > slices.Index(Precedence, c)
}

func v(x float64) *float64 { return &x }
