package demo

import (
	"math"
	"math/rand/v2"
	"slices"
)

// FeatureColumn is one column of the shared customer feature store that every demo model draws its inputs from.
type FeatureColumn struct {
	Name string
	Type string // "numeric" (DOUBLE) | "categorical" (VARCHAR)
}

// Numeric feature indices (position in FeatureColumns and in customer.num).
const (
	fTenure = iota
	fMonthly
	fTotal
	fSupport
	fData
	fLogins
	fSession
	fDaysSince
	fPayDelay
	fDiscount
	fAge
	fCredit
	fIncome
	fProducts
	fLate
	numNumeric
)

// Categorical feature indices (position in customer.cat; FeatureColumns index is numNumeric+i).
const (
	cContract = iota
	cPayment
	cInternet
	cDevice
	cPlan
	cSenior
	cPaperless
	cCountry
	cAcq
	numCategorical
)

const numFeatures = numNumeric + numCategorical

// FeatureColumns lists the 24 feature columns of inference_log and training_set in table order: 15 numeric
// (DOUBLE) columns, then 9 categorical (VARCHAR) columns.
var FeatureColumns = []FeatureColumn{
	{"tenure_months", "numeric"},
	{"monthly_charges", "numeric"},
	{"total_charges", "numeric"},
	{"support_calls", "numeric"},
	{"data_usage_gb", "numeric"},
	{"num_logins_30d", "numeric"},
	{"avg_session_min", "numeric"},
	{"days_since_last_login", "numeric"},
	{"payment_delay_days", "numeric"},
	{"discount_pct", "numeric"},
	{"age", "numeric"},
	{"credit_score", "numeric"},
	{"income_k", "numeric"},
	{"num_products", "numeric"},
	{"late_payments_12m", "numeric"},
	{"contract_type", "categorical"},
	{"payment_method", "categorical"},
	{"internet_service", "categorical"},
	{"device_os", "categorical"},
	{"plan_tier", "categorical"},
	{"senior_citizen", "categorical"},
	{"paperless_billing", "categorical"},
	{"country", "categorical"},
	{"acquisition_channel", "categorical"},
}

// Natural (stable) null shares of the feature store.
const (
	naturalNullIncome    = 0.04 // income_k: not disclosed
	naturalNullDaysSince = 0.02 // days_since_last_login: never logged in
)

var naturalNull = map[int]float64{fIncome: naturalNullIncome, fDaysSince: naturalNullDaysSince}

var featureIndex = func() map[string]int {
	m := make(map[string]int, len(FeatureColumns))
	for i, f := range FeatureColumns {
		m[f.Name] = i
	}
	return m
}()

// catDist is a categorical distribution with its cumulative weights.
type catDist struct {
	values []string
	cum    []float64
}

func newCatDist(values []string, weights []float64) catDist {
	var s float64
	for _, w := range weights {
		s += w
	}
	cum := make([]float64, len(weights))
	var c float64
	for i, w := range weights {
		c += w / s
		cum[i] = c
	}
	cum[len(cum)-1] = 1
	return catDist{values: values, cum: cum}
}

func (d *catDist) index(u float64) int {
	for i, c := range d.cum {
		if u < c {
			return i
		}
	}
	return len(d.cum) - 1
}

// Category vocabularies (ordered; the order defines category codes for the label models).
var catValues = [numCategorical][]string{
	cContract:  {"month-to-month", "one_year", "two_year"},
	cPayment:   {"electronic_check", "credit_card", "bank_transfer", "mailed_check"},
	cInternet:  {"fiber_optic", "dsl", "none"},
	cDevice:    {"android", "ios", "web", "other"},
	cPlan:      {"basic", "standard", "premium", "family"},
	cSenior:    {"no", "yes"},
	cPaperless: {"no", "yes"},
	cCountry:   nil, // per region, see countries
	cAcq:       {"organic", "paid_search", "referral", "social", "affiliate", "retail"},
}

var (
	distPayment   = newCatDist(catValues[cPayment], []float64{0.34, 0.24, 0.22, 0.20})
	distInternet  = newCatDist(catValues[cInternet], []float64{0.44, 0.34, 0.22})
	distDevice    = newCatDist(catValues[cDevice], []float64{0.46, 0.38, 0.12, 0.04})
	distPlan      = newCatDist(catValues[cPlan], []float64{0.50, 0.30, 0.15, 0.05})
	distAcq       = newCatDist(catValues[cAcq], []float64{0.34, 0.24, 0.15, 0.12, 0.09, 0.06})
	distDiscount  = []float64{0, 5, 10, 15, 20}
	cumDiscount   = newCatDist([]string{"0", "5", "10", "15", "20"}, []float64{0.62, 0.14, 0.12, 0.07, 0.05})
	internetPrice = [3]float64{80, 55, 25} // fiber, dsl, none
	internetData  = [3]float64{25, 12, 4}  // median GB per month
	planPrice     = [4]float64{1.0, 1.15, 1.35, 1.5}
	allCountries  = []string{"DE", "FR", "GB", "ES", "IT", "NL", "PL", "US", "CA", "JP", "AU", "IN", "SG", "KR", "BR", "MX", "AR", "CO", "CL"}
)

// Regions and channels (segment columns) with their stable shares for global models.
var (
	Regions  = []string{"EU", "NA", "APAC", "LATAM"}
	Channels = []string{"web", "mobile", "store", "partner"}

	distRegion  = newCatDist(Regions, []float64{0.35, 0.30, 0.22, 0.13})
	distChannel = newCatDist(Channels, []float64{0.45, 0.35, 0.12, 0.08})
	countries   = map[string]catDist{
		"EU":    newCatDist([]string{"DE", "FR", "GB", "ES", "IT", "NL", "PL"}, []float64{0.24, 0.19, 0.18, 0.12, 0.12, 0.08, 0.07}),
		"NA":    newCatDist([]string{"US", "CA"}, []float64{0.87, 0.13}),
		"APAC":  newCatDist([]string{"JP", "AU", "IN", "SG", "KR"}, []float64{0.30, 0.22, 0.28, 0.08, 0.12}),
		"LATAM": newCatDist([]string{"BR", "MX", "AR", "CO", "CL"}, []float64{0.42, 0.28, 0.12, 0.10, 0.08}),
	}
	// all countries with their global shares (region share × share within the region), and their regions
	distCountry, countryRegion = func() (catDist, []int) {
		ws := make([]float64, len(allCountries))
		reg := make([]int, len(allCountries))
		for ri, r := range Regions {
			share := distRegion.cum[ri]
			if ri > 0 {
				share -= distRegion.cum[ri-1]
			}
			cd := countries[r]
			for k, c := range cd.values {
				w := cd.cum[k]
				if k > 0 {
					w -= cd.cum[k-1]
				}
				i := slices.Index(allCountries, c)
				ws[i] = share * w
				reg[i] = ri
			}
		}
		return newCatDist(allCountries, ws), reg
	}()
	// contract score cut points: about 55 % month-to-month, 24 % one year, 21 % two years
	contractCuts = [2]float64{0.19, 1.2}
	regionIncome = map[string]float64{"EU": 48, "NA": 62, "APAC": 42, "LATAM": 24}
	// regionUTCPeak is the UTC hour at which a region's traffic peaks (local ~19:00).
	regionUTCPeak = map[string]float64{"EU": 18, "NA": 0, "APAC": 11, "LATAM": 23}
)

// profile holds a model's stable population parameters (customers of different products and markets differ).
type profile struct {
	region      string  // fixed region, "" = global mix
	chargesMult float64 // level of monthly charges
	usageMult   float64 // level of data usage
	tenureShift float64 // log-scale shift of tenure
	incomeMult  float64
}

// customer is one row of the feature store. NaN marks a NULL numeric value, "" a NULL categorical value.
type customer struct {
	region, channel       string
	regionIdx, channelIdx int
	contractScore         float64
	num                   [numNumeric]float64
	cat                   [numCategorical]string
	catIdx                [numCategorical]int // category code (index into catValues; country: index into allCountries)
}

var countryIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range allCountries {
		m[c] = i
	}
	return m
}()

func clamp(x, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, x))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Latent uniforms of one customer, one slot per random choice of drawCustomer.
const (
	uChannel = iota
	uCountry
	uTenure
	uContract
	uInternet
	uPlan
	uPayment
	uDevice
	uAcq
	uPaperless
	uMonthly
	uTotal
	uSupport
	uData
	uActivity
	uLogins
	uSession
	uDaysSince
	uDaysNull
	uPayDelayOn
	uPayDelay
	uDiscount
	uAge
	uLate
	uCredit
	uIncome
	uIncomeNull
	uProducts
	nLatent
)

type latent [nLatent]float64

// iid fills u with independent uniforms.
func (u *latent) iid(r *rand.Rand) {
	for k := range u {
		u[k] = r.Float64()
	}
}

// stratified fills us (one latent per row) so that, for every slot, the n values are one uniform draw from each
// of n equal strata, in an independent random order per slot (Latin hypercube sampling). Every marginal
// distribution of a day is then reproduced almost exactly, while the rows are still random customers: a
// stationary model's daily drift stays at the level of its (tiny) stratification error instead of the
// sampling noise of a few hundred rows.
func stratified(r *rand.Rand, us []latent, perm []int) {
	n := len(us)
	for k := range nLatent {
		for i := range perm[:n] {
			perm[i] = i
		}
		for i := n - 1; i > 0; i-- {
			j := r.IntN(i + 1)
			perm[i], perm[j] = perm[j], perm[i]
		}
		for i := range us {
			us[i][k] = (float64(perm[i]) + r.Float64()) / float64(n)
		}
	}
}

// normal is the standard normal quantile of u (Acklam's rational approximation, relative error < 1.2e-9).
func normal(u float64) float64 {
	const (
		a1, a2, a3, a4, a5, a6 = -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
		b1, b2, b3, b4, b5     = -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01
		c1, c2, c3, c4, c5, c6 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
		d1, d2, d3, d4         = 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
		pLow                   = 0.02425
	)
	u = clamp(u, 1e-12, 1-1e-12)
	switch {
	case u < pLow:
		q := math.Sqrt(-2 * math.Log(u))
		return (((((c1*q+c2)*q+c3)*q+c4)*q+c5)*q + c6) / ((((d1*q+d2)*q+d3)*q+d4)*q + 1)
	case u <= 1-pLow:
		q := u - 0.5
		r := q * q
		return (((((a1*r+a2)*r+a3)*r+a4)*r+a5)*r + a6) * q / (((((b1*r+b2)*r+b3)*r+b4)*r+b5)*r + 1)
	default:
		q := math.Sqrt(-2 * math.Log1p(-u))
		return -(((((c1*q+c2)*q+c3)*q+c4)*q+c5)*q + c6) / ((((d1*q+d2)*q+d3)*q+d4)*q + 1)
	}
}

// poissonQ is the Poisson(lambda) quantile of u (inverse CDF; normal approximation above 30).
func poissonQ(u, lambda float64) float64 {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return math.Max(0, math.Round(lambda+math.Sqrt(lambda)*normal(u)))
	}
	p := math.Exp(-lambda)
	cdf := p
	k := 0.0
	for u > cdf && k < 200 {
		k++
		p *= lambda / k
		cdf += p
	}
	return k
}

// drawCustomer fills c with one healthy (undrifted) customer of the given profile from the latent uniforms u.
func drawCustomer(u *latent, p *profile, c *customer) {
	// country first (one latent, so its daily shares are stratified); the region is the country's region
	if p.region != "" {
		cd := countries[p.region]
		c.catIdx[cCountry] = countryIndex[cd.values[cd.index(u[uCountry])]]
	} else {
		c.catIdx[cCountry] = distCountry.index(u[uCountry])
	}
	c.cat[cCountry] = allCountries[c.catIdx[cCountry]]
	c.regionIdx = countryRegion[c.catIdx[cCountry]]
	c.region = Regions[c.regionIdx]
	c.channelIdx = distChannel.index(u[uChannel])
	c.channel = Channels[c.channelIdx]

	tenure := clamp(math.Round(math.Exp(2.9+p.tenureShift+0.85*normal(u[uTenure]))), 1, 72)
	c.num[fTenure] = tenure
	// contract: longer tenure, longer contracts; an ordinal score cut at fixed points (the daily
	// re-marginalisation ranks customers by this score)
	c.contractScore = normal(u[uContract]) + 1.1*(math.Log(tenure)-2.9)/0.85
	switch {
	case c.contractScore < contractCuts[0]:
		c.catIdx[cContract] = 0
	case c.contractScore < contractCuts[1]:
		c.catIdx[cContract] = 1
	default:
		c.catIdx[cContract] = 2
	}
	c.catIdx[cInternet] = distInternet.index(u[uInternet])
	c.catIdx[cPlan] = distPlan.index(u[uPlan])
	c.catIdx[cPayment] = distPayment.index(u[uPayment])
	c.catIdx[cDevice] = distDevice.index(u[uDevice])
	c.catIdx[cAcq] = distAcq.index(u[uAcq])
	c.catIdx[cPaperless] = 0
	if u[uPaperless] < 0.60 {
		c.catIdx[cPaperless] = 1
	}

	monthly := internetPrice[c.catIdx[cInternet]] * planPrice[c.catIdx[cPlan]] * p.chargesMult * math.Exp(0.28*normal(u[uMonthly]))
	monthly = round2(clamp(monthly, 10, 400))
	c.num[fMonthly] = monthly
	c.num[fTotal] = round2(tenure * monthly * (0.90 + 0.15*u[uTotal]))
	lsup := 0.8
	if c.catIdx[cInternet] == 0 {
		lsup = 1.2
	}
	c.num[fSupport] = poissonQ(u[uSupport], lsup)
	c.num[fData] = round2(internetData[c.catIdx[cInternet]] * p.usageMult * math.Exp(0.8*normal(u[uData])))
	act := math.Exp(math.Log(14) + 0.5*normal(u[uActivity])) // activity level
	logins := poissonQ(u[uLogins], act)
	c.num[fLogins] = logins
	c.num[fSession] = round1(math.Exp(math.Log(7)+0.55*normal(u[uSession])) + 0.1)
	ds := math.Min(45, math.Floor(-math.Log1p(-clamp(u[uDaysSince], 0, 1-1e-12))*30/(logins+1))) // capped: "45+"
	if u[uDaysNull] < naturalNullDaysSince {
		ds = math.NaN()
	}
	c.num[fDaysSince] = ds
	pd := 0.0
	if u[uPayDelayOn] < 0.25 {
		pd = 1 + poissonQ(u[uPayDelay], 6)
	}
	c.num[fPayDelay] = pd
	c.num[fDiscount] = distDiscount[cumDiscount.index(u[uDiscount])]
	age := clamp(math.Round(44+14*normal(u[uAge])), 18, 90)
	c.num[fAge] = age
	c.catIdx[cSenior] = 0
	if age >= 65 {
		c.catIdx[cSenior] = 1
	}
	late := poissonQ(u[uLate], 0.45)
	c.num[fLate] = late
	c.num[fCredit] = clamp(math.Round(715-35*late+55*normal(u[uCredit])), 300, 850)
	inc := round1(regionIncome[c.region] * p.incomeMult * math.Exp(0.012*(age-44)+0.5*normal(u[uIncome])))
	if u[uIncomeNull] < naturalNullIncome {
		inc = math.NaN()
	}
	c.num[fIncome] = inc
	c.num[fProducts] = math.Min(6, 1+poissonQ(u[uProducts], 0.9))

	for i := range numCategorical {
		if i != cCountry {
			c.cat[i] = catValues[i][c.catIdx[i]]
		}
	}
}
