package diagnosis

// Reading is one window's evidence with the marks of its label-based evidence still pending.
type Reading struct {
	Evidence
	Pending Pending
}

// LabelsPending says whether labels still to come could change the window's verdict: concept drift or prior shift
// is Undecided there.
func (r Reading) LabelsPending() bool {
	return Undecided(r.Evidence, r.Pending, CauseConceptDrift) || Undecided(r.Evidence, r.Pending, CausePriorShift)
}

// Standing is where a model stands after one window of a series: the verdict the decided evidence up to that
// window supports.
type Standing struct {
	// Verdict: the first cause in Precedence that is the verdict (Verdict) of its latest deciding window — for the
	// label-free causes the window itself, for concept drift and prior shift the latest window up to this one
	// where they are not Undecided; VerdictOK when none is.
	Verdict string
	// DecidedIn is the index of the window whose verdict Verdict is: the window itself, or for a label-based cause
	// carried over windows whose labels are pending, the earlier window that decided it.
	DecidedIn int
	// LabelsPending: this window's labels have not arrived (Reading.LabelsPending).
	LabelsPending bool
}

// Standings returns, per window of a series in time order, where the model stands (Standing). It is what an
// alert rule over the diagnosis' verdicts output reads — one 0/1 series per cause, null where the cause is
// undecided, each reduced to its latest non-null value — with the precedence applied to the causes that fire:
// a window whose labels are pending keeps the label-based verdict of the latest window that decided it, so a
// late-label model's concept drift or prior shift does not read ok while its newest labels are on their way,
// and a fresh label-free verdict (a pipeline break, a covariate shift) is never held back by them.
func Standings(rs []Reading) []Standing {
	out := make([]Standing, len(rs))
	latest := map[string]int{} // cause → index of the latest window deciding it
	for i, r := range rs {
		out[i] = Standing{Verdict: VerdictOK, DecidedIn: i, LabelsPending: r.LabelsPending()}
		for _, c := range Precedence[:len(Precedence)-1] {
			if !Undecided(r.Evidence, r.Pending, c) {
				latest[c] = i
			}
		}
		for _, c := range Precedence[:len(Precedence)-1] {
			if j, ok := latest[c]; ok && Verdict(rs[j].Evidence) == c {
				out[i].Verdict, out[i].DecidedIn = c, j
				break
			}
		}
	}
	return out
}
