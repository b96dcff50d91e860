package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// truth is the hidden data-generating process of one model: its customer population, the true label model
// and the (slightly imperfect) deployed model that produces score and prediction.
//
// Each used feature j is mapped to a standardised value z_j (numeric: log1p or identity, centred and scaled on
// a calibration sample; categorical: a per-category effect, standardised the same way; NULL: 0, i.e. mean
// imputation). The label model is linear in z with weights proportional to the registry importances:
// binary: logit P(y=1|x) = b0 + Σ w_j z_j; multiclass: softmax over classes of a_k + Σ W_kj z_j;
// regression: log y = mu + Σ w_j z_j + N(0, sigmaEps).
type truth struct {
	spec   *ModelSpec
	prof   profile
	feats  []int // FeatureColumns index of each used feature, in spec order
	used   [numFeatures]bool
	logT   []bool      // numeric: standardise log1p(x) instead of x
	mean   []float64   // per used feature
	sd     []float64   // per used feature
	catEff [][]float64 // per used categorical feature: raw effect per category code
	w      []float64   // binary/regression weights
	b0     float64
	b0Top  map[float64]float64 // binary: intercept keeping the positive rate when the top weight is multiplied
	wk     [][]float64         // multiclass weights [class][feature]
	ak     []float64           // multiclass intercepts
	mu     float64             // regression: log-scale intercept
	pop    *population         // reference population for the daily re-marginalisation
	tau    float64             // deployed model's noise on the logit (binary/multiclass) or log value (regression)

	topIdx int // index (in feats) of the top feature
}

const (
	calibSeed  = 0x63616c6962 // "calib"
	calibRows  = 12000
	sigmaEps   = 0.35 // regression: irreducible noise of log LTV
	scoreNoise = 0.35 // binary: deployed model's logit error
)

// skewed numeric features are standardised on log1p scale.
var logScale = [numNumeric]bool{
	fTenure: true, fMonthly: true, fTotal: true, fSupport: true, fData: true, fLogins: true, fSession: true,
	fDaysSince: true, fPayDelay: true, fIncome: true, fLate: true,
}

// featureSign is the usual direction of a feature's effect on a "risk-like" positive class; models flip a few.
var featureSign = map[string]float64{
	"tenure_months": -1, "monthly_charges": 1, "total_charges": -1, "support_calls": 1, "data_usage_gb": 1,
	"num_logins_30d": -1, "avg_session_min": -1, "days_since_last_login": 1, "payment_delay_days": 1,
	"discount_pct": -1, "age": -1, "credit_score": -1, "income_k": -1, "num_products": -1, "late_payments_12m": 1,
}

type truthEntry struct {
	once sync.Once
	t    *truth
}

var (
	truthMu    sync.Mutex
	truthCache = map[string]*truthEntry{}
)

func modelProfile(m *ModelSpec) profile {
	if m.ID == "churn" {
		return profile{chargesMult: 1, usageMult: 1, incomeMult: 1}
	}
	r := rand.New(rand.NewPCG(specSeed+2, idHash(m.ID)))
	return profile{
		region:      m.Region,
		chargesMult: math.Exp(0.08 * r.NormFloat64()),
		usageMult:   math.Exp(0.10 * r.NormFloat64()),
		tenureShift: 0.10 * r.NormFloat64(),
		incomeMult:  math.Exp(0.08 * r.NormFloat64()),
	}
}

// truthFor returns the (cached) truth of a model; it is a fixed function of the model spec. Different models
// are calibrated concurrently.
func truthFor(m *ModelSpec) *truth {
	truthMu.Lock()
	e := truthCache[m.ID]
	if e == nil {
		e = &truthEntry{}
		truthCache[m.ID] = e
	}
	truthMu.Unlock()
	e.once.Do(func() { e.t = buildTruth(m) })
	return e.t
}

func (t *truth) rawValue(j int, c *customer) (float64, bool) {
	fi := t.feats[j]
	if fi < numNumeric {
		x := c.num[fi]
		if math.IsNaN(x) {
			return 0, false
		}
		if t.logT[j] {
			return math.Log1p(x), true
		}
		return x, true
	}
	return t.catEff[j][c.catIdx[fi-numNumeric]], true
}

// z fills zs with the standardised features of c.
func (t *truth) z(c *customer, zs []float64) {
	for j := range t.feats {
		v, ok := t.rawValue(j, c)
		if !ok {
			zs[j] = 0
			continue
		}
		zs[j] = (v - t.mean[j]) / t.sd[j]
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func buildTruth(m *ModelSpec) *truth {
	t := &truth{spec: m, prof: modelProfile(m), tau: scoreNoise}
	r := rand.New(rand.NewPCG(calibSeed, idHash(m.ID)))
	nf := len(m.Features)
	t.feats = make([]int, nf)
	t.logT = make([]bool, nf)
	t.catEff = make([][]float64, nf)
	signs := make([]float64, nf)
	for j, f := range m.Features {
		fi := featureIndex[f.Name]
		t.feats[j] = fi
		t.used[fi] = true
		if fi < numNumeric {
			t.logT[j] = logScale[fi]
			s, ok := featureSign[f.Name]
			if !ok {
				s = 1
			}
			if m.ID != "churn" && m.ID != "credit_risk_na" && r.Float64() < 0.2 {
				s = -s
			}
			signs[j] = s
		} else {
			ci := fi - numNumeric
			n := len(catValues[ci])
			if ci == cCountry {
				n = len(allCountries)
			}
			eff := make([]float64, n)
			for k := range eff {
				eff[k] = r.NormFloat64()
			}
			if m.ID == "churn" {
				switch ci {
				case cContract:
					eff = []float64{1.2, -0.4, -1.5}
				case cPayment:
					eff = []float64{0.9, -0.3, -0.4, 0.1}
				case cInternet:
					eff = []float64{0.6, -0.1, -0.8}
				}
			}
			t.catEff[j] = eff
			signs[j] = 1
		}
	}
	t.topIdx = 0

	// calibration sample
	cs := make([]customer, calibRows)
	var u latent
	for i := range cs {
		u.iid(r)
		drawCustomer(&u, &t.prof, &cs[i])
	}
	t.pop = newPopulation(cs, &t.used)
	t.mean = make([]float64, nf)
	t.sd = make([]float64, nf)
	for j := range t.feats {
		var n, s, ss float64
		for i := range cs {
			v, ok := t.rawValue(j, &cs[i])
			if !ok {
				continue
			}
			n++
			s += v
			ss += v * v
		}
		mean := s / n
		sd := math.Sqrt(math.Max(ss/n-mean*mean, 0))
		if sd < 1e-9 {
			sd = 1
		}
		t.mean[j], t.sd[j] = mean, sd
	}
	zs := make([][]float64, calibRows)
	for i := range cs {
		zs[i] = make([]float64, nf)
		t.z(&cs[i], zs[i])
	}
	// f = Σ sign_j imp_j z_j, scaled to the model's target spread
	f := make([]float64, calibRows)
	lin := func(w []float64) {
		for i := range zs {
			var s float64
			for j, v := range zs[i] {
				s += w[j] * v
			}
			f[i] = s
		}
	}
	base := make([]float64, nf)
	for j, fs := range m.Features {
		base[j] = signs[j] * fs.Importance
	}
	lin(base)
	sdF := stdev(f)
	switch m.Task {
	case "binary":
		// the logit spread is tuned so that the expected realized AUC of the deployed model's score is a
		// target between 0.78 and 0.88 (0.82 for churn)
		target := 0.78 + 0.10*r.Float64()
		if m.ID == "churn" {
			target = 0.82
		}
		noise := make([]float64, min(len(f), 3000))
		for i := range noise {
			noise[i] = t.tau * r.NormFloat64()
		}
		lo, hi := 0.3, 5.0
		for range 11 {
			mid := (lo + hi) / 2
			if expectedAUC(f[:len(noise)], noise, mid/sdF, m.PositiveRate) < target {
				lo = mid
			} else {
				hi = mid
			}
		}
		spread := (lo + hi) / 2
		t.w = make([]float64, nf)
		for j := range base {
			t.w[j] = base[j] * spread / sdF
		}
		lin(t.w)
		t.b0 = intercept(f, m.PositiveRate)
		// concept drift changes P(y|x) but not P(y): refit the intercept for the changed weights
		for _, inc := range incidentCatalogue() {
			if inc.Model == m.ID && inc.Kind == KindConceptDrift {
				for i := range zs {
					f[i] = linear(t.w, zs[i], t.topIdx, inc.Magnitude)
				}
				if t.b0Top == nil {
					t.b0Top = map[float64]float64{}
				}
				t.b0Top[inc.Magnitude] = intercept(f, m.PositiveRate)
			}
		}
	case "regression":
		t.w = make([]float64, nf)
		for j := range base {
			t.w[j] = base[j] * 0.6 / sdF
		}
		t.mu = math.Log(900)
		t.tau = 0.12
	case "multiclass":
		k := len(m.Classes)
		t.wk = make([][]float64, k)
		for c := range t.wk {
			t.wk[c] = make([]float64, nf)
		}
		for j, fs := range m.Features {
			// a random mean-zero unit direction over classes per feature
			u := make([]float64, k)
			var mean, norm float64
			for c := range u {
				u[c] = r.NormFloat64()
				mean += u[c]
			}
			mean /= float64(k)
			for c := range u {
				u[c] -= mean
				norm += u[c] * u[c]
			}
			norm = math.Sqrt(norm)
			for c := range u {
				t.wk[c][j] = fs.Importance * u[c] / norm
			}
		}
		// scale so that the class logits spread ~1.6
		var tot float64
		for c := range t.wk {
			lin(t.wk[c])
			tot += stdev(f)
		}
		scale := 1.6 / (tot / float64(k))
		for c := range t.wk {
			for j := range t.wk[c] {
				t.wk[c][j] *= scale
			}
		}
		shares := []float64{0.35, 0.30, 0.20, 0.15}
		t.ak = make([]float64, k)
		for c := range t.ak {
			t.ak[c] = math.Log(shares[c%len(shares)])
		}
		logits := make([][]float64, k)
		for c := range logits {
			lin(t.wk[c])
			logits[c] = append([]float64(nil), f...)
		}
		p := make([]float64, k)
		for range 30 {
			mp := make([]float64, k)
			for i := range calibRows {
				for c := range p {
					p[c] = t.ak[c] + logits[c][i]
				}
				softmax(p)
				for c := range p {
					mp[c] += p[c] / calibRows
				}
			}
			for c := range t.ak {
				t.ak[c] += math.Log(shares[c%len(shares)] / mp[c])
			}
		}
	}
	return t
}

// expectedAUC is the AUC of the score sigmoid(b + scale·f + noise) against labels drawn from
// P(y=1) = sigmoid(b + scale·f), in expectation over the labels, with b set for the positive rate.
func expectedAUC(f, noise []float64, scale, rate float64) float64 {
	g := make([]float64, len(f))
	for i := range f {
		g[i] = scale * f[i]
	}
	b := intercept(g, rate)
	type pt struct{ s, p float64 }
	pts := make([]pt, len(f))
	for i := range f {
		pts[i] = pt{g[i] + noise[i], sigmoid(b + g[i])}
	}
	slices.SortFunc(pts, func(a, b pt) int { return cmp.Compare(a.s, b.s) })
	var neg, num, pos float64 // neg: expected negatives with a lower score
	for _, x := range pts {
		num += x.p * neg
		neg += 1 - x.p
		pos += x.p
	}
	return num / (pos * neg)
}

// intercept returns b such that the mean of sigmoid(b + f) is rate (Newton's method from logit(rate); the
// mean is increasing in b, so the iteration is safe once clamped).
func intercept(f []float64, rate float64) float64 {
	b := math.Log(rate / (1 - rate))
	for range 50 {
		var m, d float64
		for _, v := range f {
			p := sigmoid(b + v)
			m += p
			d += p * (1 - p)
		}
		n := float64(len(f))
		m, d = m/n, d/n
		if math.Abs(m-rate) < 1e-9*rate {
			break
		}
		b -= clamp((m-rate)/math.Max(d, 1e-12), -2, 2)
	}
	return b
}

func stdev(xs []float64) float64 {
	var s, ss float64
	for _, x := range xs {
		s += x
		ss += x * x
	}
	n := float64(len(xs))
	m := s / n
	return math.Sqrt(math.Max(ss/n-m*m, 1e-12))
}

func softmax(p []float64) {
	mx := math.Inf(-1)
	for _, v := range p {
		mx = math.Max(mx, v)
	}
	var s float64
	for i, v := range p {
		p[i] = math.Exp(v - mx)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
}

// linear returns Σ w_j z_j, with the top feature's weight multiplied by topMult.
func linear(w, zs []float64, top int, topMult float64) float64 {
	var s float64
	for j, v := range zs {
		s += w[j] * v
	}
	if topMult != 1 {
		s += (topMult - 1) * w[top] * zs[top]
	}
	return s
}
