package demo

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// FeatureSpec is one feature a model uses, as recorded in model_registry.
type FeatureSpec struct {
	Name       string
	Type       string  // "numeric" | "categorical"
	Importance float64 // share of the feature in the model's (true) label model; sums to 1 per model
}

// LabelDelay describes when ground truth arrives after a prediction: uniform in [Min, Max] when Median is zero,
// otherwise lognormal with the given Median and Sigma (of the log), clamped to [Min, Max].
type LabelDelay struct {
	Min, Max time.Duration
	Median   time.Duration
	Sigma    float64
}

// ModelSpec describes one model of the demo fleet.
type ModelSpec struct {
	ID      string
	Version string
	Task    string // "binary" | "multiclass" | "regression"
	Tier    string // "critical" | "standard" | "experimental"
	Owner   string
	Domain  string // business domain, e.g. "credit_risk"
	Region  string // the region the model serves; "" = all regions
	// Features the model uses, by importance descending (ties by name). Every other feature column is NULL in
	// the model's rows.
	Features []FeatureSpec
	// VolumeShare is the model's fraction of all inference_log rows (shares sum to 1 over the fleet).
	VolumeShare float64
	// PositiveRate is the healthy base rate of the positive label (binary models).
	PositiveRate float64
	// Classes are the class names of a multiclass model; prediction and label hold their index.
	Classes []string
	// LabelCoverage is the share of predictions that eventually receive a label.
	LabelCoverage float64
	LabelDelay    LabelDelay
}

// Uses reports whether the model uses the named feature.
func (m ModelSpec) Uses(feature string) bool {
	for _, f := range m.Features {
		if f.Name == feature {
			return true
		}
	}
	return false
}

type domainSpec struct {
	name     string
	owner    string
	tier     string
	pool     []string // candidate features in typical importance order; pool[0] is always the top feature
	must     []string
	posRate  [2]float64
	delay    LabelDelay
	coverage [2]float64
}

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

var (
	delayChurn = LabelDelay{Min: 7 * day, Max: 30 * day}
	delayFraud = LabelDelay{Min: 1 * day, Max: 3 * day}
	delayHours = func(median time.Duration) LabelDelay {
		return LabelDelay{Min: hour, Max: 10 * day, Median: median, Sigma: 0.8}
	}
	fraudPool    = []string{"monthly_charges", "days_since_last_login", "device_os", "payment_method", "num_logins_30d", "avg_session_min", "acquisition_channel", "country", "tenure_months", "age", "credit_score", "discount_pct", "late_payments_12m", "data_usage_gb"}
	retentionPoo = []string{"contract_type", "tenure_months", "monthly_charges", "support_calls", "days_since_last_login", "payment_method", "num_logins_30d", "discount_pct", "internet_service", "paperless_billing", "avg_session_min", "senior_citizen", "total_charges", "plan_tier"}
)

var domains = map[string]domainSpec{
	"credit_risk": {owner: "risk-ml", tier: "critical", posRate: [2]float64{0.06, 0.12}, delay: delayHours(36 * hour), coverage: [2]float64{0.78, 0.9},
		pool: []string{"credit_score", "late_payments_12m", "income_k", "payment_delay_days", "num_products", "tenure_months", "age", "total_charges", "monthly_charges", "payment_method", "contract_type", "country", "plan_tier", "senior_citizen"}},
	"fraud_card":    {owner: "fraud-ml", tier: "critical", posRate: [2]float64{0.015, 0.03}, delay: delayFraud, coverage: [2]float64{0.9, 0.95}, pool: fraudPool},
	"fraud_payment": {owner: "fraud-ml", tier: "critical", posRate: [2]float64{0.015, 0.03}, delay: delayFraud, coverage: [2]float64{0.9, 0.95}, pool: fraudPool},
	"fraud_account_takeover": {owner: "fraud-ml", tier: "critical", posRate: [2]float64{0.01, 0.03}, delay: delayFraud, coverage: [2]float64{0.88, 0.95},
		pool: []string{"days_since_last_login", "num_logins_30d", "device_os", "avg_session_min", "country", "tenure_months", "acquisition_channel", "age", "payment_method", "support_calls", "data_usage_gb"}},
	"upsell": {owner: "growth-ml", tier: "standard", posRate: [2]float64{0.08, 0.15}, delay: delayHours(48 * hour), coverage: [2]float64{0.75, 0.9},
		must: []string{"income_k", "data_usage_gb"},
		pool: []string{"plan_tier", "data_usage_gb", "income_k", "num_products", "monthly_charges", "tenure_months", "internet_service", "num_logins_30d", "avg_session_min", "device_os", "discount_pct", "age", "contract_type", "acquisition_channel"}},
	"retention": {owner: "cx-ml", tier: "standard", posRate: [2]float64{0.15, 0.3}, delay: delayChurn, coverage: [2]float64{0.75, 0.9}, pool: retentionPoo},
	"cross_sell": {owner: "growth-ml", tier: "standard", posRate: [2]float64{0.05, 0.12}, delay: delayHours(72 * hour), coverage: [2]float64{0.72, 0.88},
		pool: []string{"num_products", "income_k", "plan_tier", "tenure_months", "age", "internet_service", "data_usage_gb", "credit_score", "device_os", "acquisition_channel", "country", "monthly_charges"}},
	"payment_default": {owner: "finance-ml", tier: "standard", posRate: [2]float64{0.04, 0.1}, delay: delayHours(5 * day), coverage: [2]float64{0.8, 0.92},
		pool: []string{"payment_delay_days", "late_payments_12m", "credit_score", "income_k", "monthly_charges", "total_charges", "payment_method", "paperless_billing", "contract_type", "tenure_months", "age", "num_products"}},
	"promo_response": {owner: "marketing-ml", tier: "standard", posRate: [2]float64{0.03, 0.08}, delay: delayHours(12 * hour), coverage: [2]float64{0.85, 0.95},
		pool: []string{"discount_pct", "acquisition_channel", "device_os", "age", "plan_tier", "num_logins_30d", "avg_session_min", "income_k", "country", "paperless_billing", "tenure_months", "monthly_charges"}},
	"plan_upgrade": {owner: "growth-ml", tier: "standard", posRate: [2]float64{0.06, 0.14}, delay: delayHours(48 * hour), coverage: [2]float64{0.75, 0.9},
		pool: []string{"data_usage_gb", "plan_tier", "monthly_charges", "internet_service", "num_logins_30d", "income_k", "tenure_months", "device_os", "num_products", "age"}},
	"device_upgrade": {owner: "growth-ml", tier: "experimental", posRate: [2]float64{0.04, 0.1}, delay: delayHours(72 * hour), coverage: [2]float64{0.7, 0.85},
		pool: []string{"device_os", "age", "income_k", "tenure_months", "data_usage_gb", "plan_tier", "num_logins_30d", "avg_session_min", "credit_score", "country"}},
	"engagement_drop": {owner: "cx-ml", tier: "standard", posRate: [2]float64{0.1, 0.2}, delay: delayHours(24 * hour), coverage: [2]float64{0.85, 0.95},
		pool: []string{"num_logins_30d", "days_since_last_login", "avg_session_min", "data_usage_gb", "device_os", "support_calls", "tenure_months", "plan_tier", "age", "acquisition_channel"}},
	"complaint_risk": {owner: "cx-ml", tier: "standard", posRate: [2]float64{0.05, 0.1}, delay: delayHours(8 * hour), coverage: [2]float64{0.8, 0.92},
		pool: []string{"support_calls", "internet_service", "monthly_charges", "payment_delay_days", "tenure_months", "contract_type", "days_since_last_login", "senior_citizen", "age", "device_os"}},
	"collections_priority": {owner: "finance-ml", tier: "standard", posRate: [2]float64{0.1, 0.2}, delay: delayHours(4 * day), coverage: [2]float64{0.8, 0.92},
		pool: []string{"payment_delay_days", "late_payments_12m", "total_charges", "credit_score", "income_k", "payment_method", "monthly_charges", "contract_type", "num_products", "age"}},
	"winback": {owner: "marketing-ml", tier: "standard", posRate: [2]float64{0.04, 0.09}, delay: delayHours(5 * day), coverage: [2]float64{0.7, 0.85},
		pool: []string{"days_since_last_login", "tenure_months", "contract_type", "discount_pct", "monthly_charges", "acquisition_channel", "support_calls", "plan_tier", "country", "age"}},
	"referral_propensity": {owner: "marketing-ml", tier: "experimental", posRate: [2]float64{0.02, 0.06}, delay: delayHours(3 * day), coverage: [2]float64{0.7, 0.85},
		pool: []string{"acquisition_channel", "num_logins_30d", "tenure_months", "age", "device_os", "plan_tier", "avg_session_min", "country", "num_products", "income_k"}},
	"roaming_addon": {owner: "growth-ml", tier: "experimental", posRate: [2]float64{0.03, 0.08}, delay: delayHours(24 * hour), coverage: [2]float64{0.75, 0.9},
		pool: []string{"country", "data_usage_gb", "device_os", "plan_tier", "income_k", "age", "monthly_charges", "num_logins_30d", "internet_service", "tenure_months"}},
	"autopay_adoption": {owner: "finance-ml", tier: "standard", posRate: [2]float64{0.1, 0.25}, delay: delayHours(36 * hour), coverage: [2]float64{0.8, 0.95},
		pool: []string{"payment_method", "paperless_billing", "age", "tenure_months", "late_payments_12m", "contract_type", "senior_citizen", "device_os", "credit_score", "monthly_charges"}},
}

// fleetLayout lists the 49 region-specific binary models (domain, region suffixes) in registry order.
var fleetLayout = []struct {
	domain  string
	regions []string
}{
	{"credit_risk", []string{"eu", "na", "apac", "latam"}},
	{"fraud_card", []string{"us", "eu", "apac", "latam"}},
	{"fraud_account_takeover", []string{"na", "eu"}},
	{"fraud_payment", []string{"latam"}},
	{"upsell", []string{"eu", "na", "apac", "latam"}},
	{"retention", []string{"eu", "na", "apac", "latam"}},
	{"cross_sell", []string{"eu", "na", "apac"}},
	{"payment_default", []string{"eu", "na", "latam"}},
	{"promo_response", []string{"eu", "na", "apac", "latam"}},
	{"plan_upgrade", []string{"eu", "na", "apac"}},
	{"device_upgrade", []string{"eu", "na"}},
	{"engagement_drop", []string{"eu", "na", "apac"}},
	{"complaint_risk", []string{"eu", "na"}},
	{"collections_priority", []string{"na", "latam"}},
	{"winback", []string{"eu", "na"}},
	{"referral_propensity", []string{"na", "apac"}},
	{"roaming_addon", []string{"eu", "apac"}},
	{"autopay_adoption", []string{"na", "eu"}},
}

var suffixRegion = map[string]string{"eu": "EU", "na": "NA", "us": "NA", "apac": "APAC", "latam": "LATAM"}

// Fixed volume shares; every other model gets minShare plus a share of what is left.
var fixedShares = map[string]float64{
	"churn":                 0.20,
	"fraud_card_us":         0.07,
	"support_ticket_router": 0.04,
	"credit_risk_na":        0.03,
	"ltv_forecast":          0.025,
	"upsell_eu":             0.02,
}

const minShare = 0.011 // ≥ ~320 rows on a weekend day at the default 1.2M rows over 35 days

// specSeed seeds the fleet description. It is a constant: Models() is the same for every Options.Seed.
const specSeed = 0x6d6f64656c73 // "models"

func idHash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

var (
	fleetOnce sync.Once
	fleet     []ModelSpec
)

// Models returns the demo fleet: churn, support_ticket_router, ltv_forecast and 49 region-specific binary models,
// in registry order. The description is fixed (independent of Options.Seed). The returned slice is a copy.
func Models() []ModelSpec {
	fleetOnce.Do(func() { fleet = buildFleet() })
	out := make([]ModelSpec, len(fleet))
	for i, m := range fleet {
		m.Features = slices.Clone(m.Features)
		m.Classes = slices.Clone(m.Classes)
		out[i] = m
	}
	return out
}

func featureSpecs(names []string, imps []float64) []FeatureSpec {
	var s float64
	for _, v := range imps {
		s += v
	}
	fs := make([]FeatureSpec, len(names))
	for i, n := range names {
		fs[i] = FeatureSpec{Name: n, Type: FeatureColumns[featureIndex[n]].Type, Importance: tidy(imps[i] / s)}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Importance != fs[j].Importance {
			return fs[i].Importance > fs[j].Importance
		}
		return fs[i].Name < fs[j].Name
	})
	return fs
}

// drawImportances picks k features from pool (pool[0] and must always included, earlier ones preferred) and
// gives them decaying importances with pool[0] on top.
func drawImportances(r *rand.Rand, pool, must []string, k int) []FeatureSpec {
	chosen := []string{pool[0]}
	for _, m := range must {
		if !slices.Contains(chosen, m) {
			chosen = append(chosen, m)
		}
	}
	rest := []string{}
	for _, p := range pool[1:] {
		if !slices.Contains(chosen, p) {
			rest = append(rest, p)
		}
	}
	for len(chosen) < k && len(rest) > 0 {
		// weighted pick preferring the front of the pool
		ws := make([]float64, len(rest))
		var s float64
		for i := range rest {
			ws[i] = math.Exp(-0.15 * float64(i))
			s += ws[i]
		}
		u := r.Float64() * s
		i := 0
		for ; i < len(ws)-1 && u >= ws[i]; i++ {
			u -= ws[i]
		}
		chosen = append(chosen, rest[i])
		rest = slices.Delete(rest, i, i+1)
	}
	imps := make([]float64, len(chosen))
	maxOther := 0.0
	for i, n := range chosen {
		rank := float64(slices.Index(pool, n))
		imps[i] = math.Exp(-0.22*rank + 0.35*r.NormFloat64())
		if i > 0 {
			maxOther = math.Max(maxOther, imps[i])
		}
	}
	imps[0] = math.Max(imps[0], 1.4*maxOther)
	// round to 3 decimals for a tidy registry, keep the sum at 1
	fs := featureSpecs(chosen, imps)
	var s float64
	for i := range fs {
		fs[i].Importance = math.Round(fs[i].Importance*1000) / 1000
		s += fs[i].Importance
	}
	fs[0].Importance += 1 - s
	fs[0].Importance = math.Round(fs[0].Importance*1000) / 1000
	return fs
}

// tidy drops the binary-fraction noise of a computed share (0.16999999999999993 → 0.17) by keeping 12
// significant digits, so the registry prints the numbers a person wrote; the change is below 1e-12 relative.
func tidy(v float64) float64 {
	t, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return t
}

func buildFleet() []ModelSpec {
	var ms []ModelSpec

	churnNames := []string{"monthly_charges", "tenure_months", "contract_type", "support_calls", "payment_method",
		"days_since_last_login", "num_logins_30d", "internet_service", "total_charges", "discount_pct",
		"paperless_billing", "avg_session_min", "payment_delay_days", "senior_citizen", "plan_tier",
		"data_usage_gb", "device_os", "age", "num_products", "acquisition_channel"}
	churnImps := []float64{0.17, 0.14, 0.12, 0.09, 0.07, 0.06, 0.05, 0.05, 0.04, 0.035,
		0.03, 0.025, 0.025, 0.02, 0.02, 0.015, 0.01, 0.01, 0.01, 0.01}
	ms = append(ms, ModelSpec{ID: "churn", Version: "v3", Task: "binary", Tier: "critical", Owner: "cx-ml", Domain: "churn",
		Features: featureSpecs(churnNames, churnImps), PositiveRate: 0.22, LabelCoverage: 0.9, LabelDelay: delayChurn})

	ms = append(ms, ModelSpec{ID: "support_ticket_router", Version: "v5", Task: "multiclass", Tier: "standard", Owner: "cx-ml",
		Domain: "support", Classes: []string{"billing", "technical", "account", "cancellation"},
		Features: featureSpecs(
			[]string{"support_calls", "internet_service", "payment_delay_days", "payment_method", "contract_type", "days_since_last_login", "tenure_months", "monthly_charges", "device_os", "plan_tier", "age", "total_charges"},
			[]float64{0.2, 0.16, 0.13, 0.1, 0.09, 0.07, 0.06, 0.055, 0.045, 0.04, 0.025, 0.025}),
		LabelCoverage: 0.92, LabelDelay: delayHours(6 * hour)})

	ms = append(ms, ModelSpec{ID: "ltv_forecast", Version: "v2", Task: "regression", Tier: "standard", Owner: "finance-ml",
		Domain: "ltv",
		Features: featureSpecs(
			[]string{"tenure_months", "monthly_charges", "contract_type", "plan_tier", "num_products", "income_k", "total_charges", "discount_pct", "internet_service", "payment_method", "age", "credit_score", "acquisition_channel", "country"},
			[]float64{0.19, 0.17, 0.13, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.025, 0.02, 0.02, 0.015}),
		LabelCoverage: 0.7, LabelDelay: LabelDelay{Min: 2 * day, Max: 10 * day}})

	for _, l := range fleetLayout {
		d := domains[l.domain]
		for _, sfx := range l.regions {
			id := l.domain + "_" + sfx
			r := rand.New(rand.NewPCG(specSeed, idHash(id)))
			maxK := min(20, len(d.pool))
			k := 8 + r.IntN(maxK-8+1)
			m := ModelSpec{
				ID: id, Version: "v" + string(rune('1'+r.IntN(6))), Task: "binary", Tier: d.tier, Owner: d.owner,
				Domain: l.domain, Region: suffixRegion[sfx],
				Features:      drawImportances(r, d.pool, d.must, k),
				PositiveRate:  math.Round((d.posRate[0]+(d.posRate[1]-d.posRate[0])*r.Float64())*1000) / 1000,
				LabelCoverage: math.Round((d.coverage[0]+(d.coverage[1]-d.coverage[0])*r.Float64())*100) / 100,
				LabelDelay:    d.delay,
			}
			if id == "fraud_card_us" {
				m.PositiveRate = 0.02
			}
			ms = append(ms, m)
		}
	}

	// volume shares
	var fixed float64
	nFree := 0
	for _, m := range ms {
		if s, ok := fixedShares[m.ID]; ok {
			fixed += s
		} else {
			nFree++
		}
	}
	extra := 1 - fixed - float64(nFree)*minShare
	ws := make([]float64, len(ms))
	var wsum float64
	for i, m := range ms {
		if _, ok := fixedShares[m.ID]; !ok {
			r := rand.New(rand.NewPCG(specSeed+1, idHash(m.ID)))
			ws[i] = math.Exp(0.8 * r.NormFloat64())
			wsum += ws[i]
		}
	}
	for i := range ms {
		if s, ok := fixedShares[ms[i].ID]; ok {
			ms[i].VolumeShare = s
		} else {
			ms[i].VolumeShare = minShare + extra*ws[i]/wsum
		}
	}
	return ms
}
