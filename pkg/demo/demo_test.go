package demo

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// The generated store under test: 200k predictions, the default seed, start and days.
const testPredictions = 200_000

var (
	genOnce sync.Once
	genPath string
	genSum  Summary
	genErr  error
	genDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if genDir != "" {
		_ = os.RemoveAll(genDir)
	}
	os.Exit(code)
}

// store generates the shared test store once.
func store(t *testing.T) (*sql.DB, Summary) {
	t.Helper()
	genOnce.Do(func() {
		genDir, genErr = os.MkdirTemp("", "demo-test-")
		if genErr != nil {
			return
		}
		genPath = filepath.Join(genDir, "modelmon.duckdb")
		genSum, genErr = Generate(context.Background(), genPath, Options{Predictions: testPredictions})
	})
	if genErr != nil {
		t.Fatalf("Generate: %v", genErr)
	}
	return openRO(t, genPath), genSum
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func qFloat(t *testing.T, db *sql.DB, q string, args ...any) float64 {
	t.Helper()
	var v sql.NullFloat64
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if !v.Valid {
		t.Fatalf("%s: NULL", q)
	}
	return v.Float64
}

func qInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func incident(t *testing.T, model, kind string) Incident {
	t.Helper()
	for _, i := range Incidents {
		if i.Model == model && i.Kind == kind {
			return i
		}
	}
	t.Fatalf("no %s incident for %s", kind, model)
	return Incident{}
}

func dayAt(d int) time.Time { return DefaultStart.AddDate(0, 0, d) }

func TestFleet(t *testing.T) {
	ms := Models()
	if len(ms) != 52 {
		t.Fatalf("%d models, want 52", len(ms))
	}
	ids := map[string]ModelSpec{}
	var share float64
	binary := 0
	for _, m := range ms {
		if _, dup := ids[m.ID]; dup {
			t.Errorf("duplicate model %s", m.ID)
		}
		ids[m.ID] = m
		share += m.VolumeShare
		var imp float64
		for i, f := range m.Features {
			imp += f.Importance
			if f.Importance <= 0 || FeatureColumns[featureIndex[f.Name]].Name != f.Name || FeatureColumns[featureIndex[f.Name]].Type != f.Type {
				t.Errorf("%s: bad feature %+v", m.ID, f)
			}
			if i > 0 && f.Importance > m.Features[i-1].Importance {
				t.Errorf("%s: features not sorted by importance", m.ID)
			}
		}
		if math.Abs(imp-1) > 1e-9 {
			t.Errorf("%s: importances sum to %v", m.ID, imp)
		}
		if m.Task == "binary" {
			binary++
			if m.ID != "churn" && (len(m.Features) < 8 || len(m.Features) > 20) {
				t.Errorf("%s uses %d features, want 8–20", m.ID, len(m.Features))
			}
		}
		if !slices.Contains([]string{"critical", "standard", "experimental"}, m.Tier) || m.Owner == "" || m.Version == "" {
			t.Errorf("%s: bad tier/owner/version %q %q %q", m.ID, m.Tier, m.Owner, m.Version)
		}
	}
	if binary != 50 || math.Abs(share-1) > 1e-9 {
		t.Errorf("binary models %d (want 50), shares sum %v", binary, share)
	}
	churn := ids["churn"]
	if churn.Task != "binary" || churn.Tier != "critical" || churn.Version != "v3" || len(churn.Features) != 20 || churn.VolumeShare != 0.2 {
		t.Errorf("churn spec: %+v", churn)
	}
	if top2 := []string{churn.Features[0].Name, churn.Features[1].Name}; !slices.Contains(top2, "monthly_charges") {
		t.Errorf("monthly_charges not in churn's top 2: %v", top2)
	}
	if r := ids["support_ticket_router"]; r.Task != "multiclass" || len(r.Classes) != 4 {
		t.Errorf("router: %+v", r)
	}
	if ids["ltv_forecast"].Task != "regression" {
		t.Error("ltv_forecast is not a regression")
	}
	if ids["credit_risk_na"].Features[0].Name != "credit_score" {
		t.Error("credit_risk_na's top feature is not credit_score")
	}
	for _, inc := range Incidents {
		m, ok := ids[inc.Model]
		if !ok {
			t.Errorf("incident on unknown model %s", inc.Model)
		}
		for _, f := range inc.Features {
			if !m.Uses(f) {
				t.Errorf("incident %s/%s: model does not use %s", inc.Model, inc.Kind, f)
			}
		}
		if want := DefaultStart.AddDate(0, 0, inc.FromDay); !inc.From.Equal(want) {
			t.Errorf("incident %s/%s From %v, want %v", inc.Model, inc.Kind, inc.From, want)
		}
	}
}

func TestPlan(t *testing.T) {
	for _, n := range []int{DefaultPredictions, 10_000_000} {
		total := 0
		for _, p := range Plan(Options{Predictions: n}) {
			total += p.Rows
			if len(p.PerDay) != DefaultDays {
				t.Fatalf("%s: %d days", p.Model, len(p.PerDay))
			}
			if lo := p.MinPerDay(); lo < 300*n/DefaultPredictions {
				t.Errorf("%d rows: %s has only %d rows on its quietest day", n, p.Model, lo)
			}
		}
		if total != n {
			t.Errorf("plan allocates %d rows, want %d", total, n)
		}
	}
}

func TestSchemaAndCounts(t *testing.T) {
	db, sum := store(t)
	logCols := "ts TIMESTAMP, model_id VARCHAR, model_version VARCHAR, prediction_id VARCHAR, region VARCHAR, channel VARCHAR, " +
		"tenure_months DOUBLE, monthly_charges DOUBLE, total_charges DOUBLE, support_calls DOUBLE, data_usage_gb DOUBLE, " +
		"num_logins_30d DOUBLE, avg_session_min DOUBLE, days_since_last_login DOUBLE, payment_delay_days DOUBLE, " +
		"discount_pct DOUBLE, age DOUBLE, credit_score DOUBLE, income_k DOUBLE, num_products DOUBLE, late_payments_12m DOUBLE, " +
		"contract_type VARCHAR, payment_method VARCHAR, internet_service VARCHAR, device_os VARCHAR, plan_tier VARCHAR, " +
		"senior_citizen VARCHAR, paperless_billing VARCHAR, country VARCHAR, acquisition_channel VARCHAR, prediction DOUBLE, score DOUBLE"
	want := map[string]string{
		TableLog:      logCols,
		TableTraining: logCols,
		TableLabel:    "prediction_id VARCHAR, label DOUBLE, label_ts TIMESTAMP",
		TableRegistry: "model_id VARCHAR, task VARCHAR, feature VARCHAR, feature_type VARCHAR, importance DOUBLE, owner VARCHAR, tier VARCHAR",
	}
	for table, cols := range want {
		rows, err := db.Query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", table)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var n, ty string
			if err := rows.Scan(&n, &ty); err != nil {
				t.Fatal(err)
			}
			got = append(got, n+" "+ty)
		}
		_ = rows.Close()
		if g := strings.Join(got, ", "); g != cols {
			t.Errorf("%s columns:\n got  %s\n want %s", table, g, cols)
		}
	}
	if n := qInt(t, db, "SELECT count(*) FROM information_schema.tables"); n != 4 {
		t.Errorf("%d tables, want 4", n)
	}

	regRows := 0
	for _, m := range Models() {
		regRows += len(m.Features)
	}
	for table, n := range map[string]int64{TableLog: testPredictions, TableTraining: DefaultTrainingRows, TableRegistry: int64(regRows), TableLabel: sum.Rows[TableLabel]} {
		if got := qInt(t, db, "SELECT count(*) FROM "+table); got != n || sum.Rows[table] != n {
			t.Errorf("%s: %d rows (summary %d), want %d", table, got, sum.Rows[table], n)
		}
	}
	if cov := float64(sum.Rows[TableLabel]) / testPredictions; cov < 0.5 || cov > 0.95 {
		t.Errorf("overall label coverage %.2f", cov)
	}
	if n := qInt(t, db, "SELECT count(*) - count(DISTINCT prediction_id) FROM inference_log"); n != 0 {
		t.Errorf("%d duplicate prediction ids", n)
	}
	if n := qInt(t, db, "SELECT count(*) - count(DISTINCT prediction_id) FROM inference_label"); n != 0 {
		t.Errorf("%d duplicate labels", n)
	}
	if n := qInt(t, db, "SELECT count(*) FROM inference_label b ANTI JOIN inference_log l USING (prediction_id)"); n != 0 {
		t.Errorf("%d labels without a prediction", n)
	}
	if n := qInt(t, db, "SELECT count(*) FROM inference_label b JOIN inference_log l USING (prediction_id) WHERE b.label_ts < l.ts OR b.label_ts >= ?", sum.End); n != 0 {
		t.Errorf("%d labels before their prediction or after the end of the range", n)
	}
	if n := qInt(t, db, "SELECT count(*) FROM inference_log WHERE ts < ? OR ts >= ?", sum.Start, sum.End); n != 0 {
		t.Errorf("%d predictions outside the range", n)
	}
	if n := qInt(t, db, "SELECT count(*) FROM training_set WHERE ts >= ? OR model_id <> 'churn'", sum.Start); n != 0 {
		t.Errorf("%d training rows not before Start or not churn", n)
	}
	if n := qInt(t, db, "SELECT count(*) FROM (SELECT model_id FROM model_registry GROUP BY ALL HAVING abs(sum(importance) - 1) > 1e-9)"); n != 0 {
		t.Errorf("%d models whose importances do not sum to 1", n)
	}
	if n := qInt(t, db, "SELECT count(DISTINCT model_id) FROM inference_log"); n != 52 {
		t.Errorf("%d models logged", n)
	}
	if n := qInt(t, db, "SELECT count(*) FROM inference_log WHERE region NOT IN ('EU','NA','APAC','LATAM') OR channel NOT IN ('web','mobile','store','partner')"); n != 0 {
		t.Errorf("%d rows with an unknown region or channel", n)
	}
}

func TestRowsPerModelAndDay(t *testing.T) {
	db, sum := store(t)
	plans := map[string]ModelPlan{}
	for _, p := range Plan(Options{Predictions: testPredictions}) {
		plans[p.Model] = p
	}
	rows, err := db.Query(`SELECT model_id, date_diff('day', ?::TIMESTAMP, ts)::INT d, count(*) FROM inference_log GROUP BY ALL`, DefaultStart)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var m string
		var d, n int
		if err := rows.Scan(&m, &d, &n); err != nil {
			t.Fatal(err)
		}
		seen++
		if want := plans[m].PerDay[d]; n != want {
			t.Errorf("%s day %d: %d rows, want %d", m, d, n, want)
		}
	}
	if seen != 52*DefaultDays {
		t.Errorf("%d (model, day) cells with rows, want %d", seen, 52*DefaultDays)
	}
	for _, ms := range sum.PerModel {
		if ms.MinRowsPerDay != plans[ms.ID].MinPerDay() || ms.Rows != int64(plans[ms.ID].Rows) {
			t.Errorf("summary of %s: %+v", ms.ID, ms)
		}
	}
}

func TestColumnsPerModel(t *testing.T) {
	db, _ := store(t)
	for _, m := range Models() {
		var sel []string
		for _, f := range FeatureColumns {
			sel = append(sel, "count("+f.Name+")")
		}
		row := db.QueryRow("SELECT count(*), "+strings.Join(sel, ", ")+" FROM inference_log WHERE model_id = ?", m.ID)
		counts := make([]int64, 1+len(FeatureColumns))
		ptrs := make([]any, len(counts))
		for i := range counts {
			ptrs[i] = &counts[i]
		}
		if err := row.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, f := range FeatureColumns {
			nn := counts[1+i]
			switch {
			case !m.Uses(f.Name) && nn != 0:
				t.Errorf("%s does not use %s but logs %d values", m.ID, f.Name, nn)
			case m.Uses(f.Name) && float64(nn) < 0.5*float64(counts[0]):
				t.Errorf("%s uses %s but logs only %d of %d values", m.ID, f.Name, nn, counts[0])
			}
		}
		switch m.Task {
		case "binary":
			if n := qInt(t, db, "SELECT count(*) FROM inference_log WHERE model_id = ? AND (prediction NOT IN (0, 1) OR score IS NULL OR score <= 0 OR score >= 1 OR prediction <> (score >= 0.5)::INT)", m.ID); n != 0 {
				t.Errorf("%s: %d bad binary predictions", m.ID, n)
			}
		case "multiclass":
			if n := qInt(t, db, "SELECT count(*) FROM inference_log WHERE model_id = ? AND (prediction NOT IN (0, 1, 2, 3) OR score < 0.25 OR score > 1)", m.ID); n != 0 {
				t.Errorf("%s: %d bad multiclass predictions", m.ID, n)
			}
		case "regression":
			if n := qInt(t, db, "SELECT count(*) FROM inference_log WHERE model_id = ? AND (score IS NOT NULL OR prediction <= 0)", m.ID); n != 0 {
				t.Errorf("%s: %d bad regression predictions", m.ID, n)
			}
		}
	}
	// natural nulls: a few %
	for _, c := range []struct{ model, col string }{{"ltv_forecast", "income_k"}, {"churn", "days_since_last_login"}} {
		got := qFloat(t, db, "SELECT avg(("+c.col+" IS NULL)::INT) FROM inference_log WHERE model_id = ?", c.model)
		if want := naturalNull[featureIndex[c.col]]; math.Abs(got-want) > 0.01 {
			t.Errorf("natural null share of %s in %s: %.3f, want %.3f", c.col, c.model, got, want)
		}
	}
}

// Realized AUC of each binary model (credit_risk_na only before its concept drift), by the rank-sum formula.
func TestRealizedAUC(t *testing.T) {
	db, _ := store(t)
	rows, err := db.Query(`
		WITH j AS (SELECT l.model_id, l.score, b.label FROM inference_log l JOIN inference_label b USING (prediction_id)
		           WHERE l.score IS NOT NULL AND l.model_id <> 'support_ticket_router' AND NOT (l.model_id = 'credit_risk_na' AND l.ts >= ?)),
		r AS (SELECT model_id, label, rank() OVER (PARTITION BY model_id ORDER BY score) rk FROM j),
		s AS (SELECT model_id, count(*) FILTER (WHERE label = 1) p, count(*) FILTER (WHERE label = 0) n,
		             sum(rk) FILTER (WHERE label = 1) rs FROM r GROUP BY ALL)
		SELECT model_id, (rs - p * (p + 1) / 2) / (p * n) FROM s`, incident(t, "credit_risk_na", KindConceptDrift).From)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	lo, hi := 1.0, 0.0
	for rows.Next() {
		var m string
		var auc float64
		if err := rows.Scan(&m, &auc); err != nil {
			t.Fatal(err)
		}
		n++
		lo, hi = math.Min(lo, auc), math.Max(hi, auc)
		if auc < 0.72 || auc > 0.93 {
			t.Errorf("%s: realized AUC %.3f outside [0.72, 0.93]", m, auc)
		}
	}
	t.Logf("realized AUC of %d binary models: %.3f–%.3f", n, lo, hi)
	if n != 50 {
		t.Errorf("AUC of %d binary models, want 50", n)
	}
}

func TestIncidentCovariateDrift(t *testing.T) {
	db, _ := store(t)
	inc := incident(t, "churn", KindCovariateDrift)
	ratio := qFloat(t, db, `SELECT avg(monthly_charges) FILTER (WHERE ts >= ?) / avg(monthly_charges) FILTER (WHERE ts < ?)
		FROM inference_log WHERE model_id = 'churn'`, inc.From, dayAt(7))
	t.Logf("churn monthly_charges mean after day %d / first 7 days = %.4f", inc.FromDay, ratio)
	if math.Abs(ratio-inc.Magnitude) > 0.05 {
		t.Errorf("churn monthly_charges after/before = %.3f, want %.2f ± 0.05", ratio, inc.Magnitude)
	}
	// the other churn features do not move
	for _, f := range []string{"tenure_months", "total_charges", "age"} {
		r := qFloat(t, db, `SELECT avg(`+f+`) FILTER (WHERE ts >= ?) / avg(`+f+`) FILTER (WHERE ts < ?) FROM inference_log WHERE model_id = 'churn'`, inc.From, dayAt(7))
		if math.Abs(r-1) > 0.02 {
			t.Errorf("churn %s after/before = %.3f, want 1 ± 0.02", f, r)
		}
	}
	// labels follow the same P(y|x): higher charges, more churn, and the scores stay calibrated
	var before, after, scoreAfter float64
	if err := db.QueryRow(`SELECT avg(label) FILTER (WHERE ts < ?), avg(label) FILTER (WHERE ts >= ?), avg(score) FILTER (WHERE ts >= ?)
		FROM inference_log JOIN inference_label USING (prediction_id) WHERE model_id = 'churn'`, inc.From, inc.From, inc.From).Scan(&before, &after, &scoreAfter); err != nil {
		t.Fatal(err)
	}
	t.Logf("churn label rate %.4f → %.4f (mean score after %.4f)", before, after, scoreAfter)
	if after < before+0.02 || math.Abs(after-scoreAfter) > 0.04 {
		t.Errorf("churn label rate %.3f → %.3f, score after %.3f", before, after, scoreAfter)
	}
}

func TestIncidentConceptDrift(t *testing.T) {
	db, _ := store(t)
	inc := incident(t, "credit_risk_na", KindConceptDrift)
	for _, f := range Models()[slices.IndexFunc(Models(), func(m ModelSpec) bool { return m.ID == "credit_risk_na" })].Features {
		if f.Type != "numeric" {
			continue
		}
		r := qFloat(t, db, `SELECT avg(`+f.Name+`) FILTER (WHERE ts >= ?) / avg(`+f.Name+`) FILTER (WHERE ts < ?) FROM inference_log WHERE model_id = 'credit_risk_na'`, inc.From, inc.From)
		if math.Abs(r-1) > 0.02 {
			t.Errorf("credit_risk_na mean %s after/before = %.3f, want 1 ± 0.02", f.Name, r)
		}
	}
	if r := qFloat(t, db, `SELECT avg(score) FILTER (WHERE ts >= ?) / avg(score) FILTER (WHERE ts < ?) FROM inference_log WHERE model_id = 'credit_risk_na'`, inc.From, inc.From); math.Abs(r-1) > 0.05 {
		t.Errorf("credit_risk_na mean score after/before = %.3f, want 1 ± 0.05", r)
	}
	var before, after float64
	if err := db.QueryRow(`SELECT corr(label, credit_score) FILTER (WHERE ts < ?), corr(label, credit_score) FILTER (WHERE ts >= ?)
		FROM inference_log JOIN inference_label USING (prediction_id) WHERE model_id = 'credit_risk_na'`, inc.From, inc.From).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	t.Logf("credit_risk_na corr(label, credit_score) %.3f → %.3f", before, after)
	if before > -0.1 || after < 0.1 {
		t.Errorf("corr(label, credit_score) %.3f before, %.3f after: want a sign flip", before, after)
	}
}

func TestIncidentLoggingBreaks(t *testing.T) {
	db, _ := store(t)
	flood := incident(t, "upsell_eu", KindNullFlood)
	nulls := qFloat(t, db, `SELECT avg((income_k IS NULL)::INT) FROM inference_log WHERE model_id = 'upsell_eu' AND ts >= ? AND ts < ?`, flood.From, flood.To)
	t.Logf("upsell_eu income_k null share days %d–%d: %.3f", flood.FromDay, flood.ToDay-1, nulls)
	if math.Abs(nulls-flood.Magnitude) > 0.06 {
		t.Errorf("upsell_eu income_k null share on days %d–%d = %.3f, want %.2f ± 0.06", flood.FromDay, flood.ToDay-1, nulls, flood.Magnitude)
	}
	base := qFloat(t, db, `SELECT avg((income_k IS NULL)::INT) FROM inference_log WHERE model_id = 'upsell_eu' AND (ts < ? OR ts >= ?)`, flood.From, flood.To)
	if math.Abs(base-naturalNullIncome) > 0.015 {
		t.Errorf("upsell_eu income_k null share outside the flood = %.3f", base)
	}
	unit := incident(t, "upsell_eu", KindUnitChange)
	ratio := qFloat(t, db, `SELECT median(data_usage_gb) FILTER (WHERE ts >= ?) / median(data_usage_gb) FILTER (WHERE ts < ?) FROM inference_log WHERE model_id = 'upsell_eu'`, unit.From, unit.From)
	t.Logf("upsell_eu data_usage_gb median ratio %.1f", ratio)
	if math.Abs(ratio/unit.Magnitude-1) > 0.03 {
		t.Errorf("upsell_eu data_usage_gb median ratio %.1f, want %.0f ± 3 %%", ratio, unit.Magnitude)
	}
	// the model saw the right values: scores unchanged
	if r := qFloat(t, db, `SELECT avg(score) FILTER (WHERE ts >= ?) / avg(score) FILTER (WHERE ts < ?) FROM inference_log WHERE model_id = 'upsell_eu'`, unit.From, unit.From); math.Abs(r-1) > 0.08 {
		t.Errorf("upsell_eu mean score after/before the unit change = %.3f", r)
	}
}

func TestIncidentPriorShift(t *testing.T) {
	db, _ := store(t)
	inc := incident(t, "fraud_card_us", KindPriorShift)
	var before, after float64
	if err := db.QueryRow(`SELECT avg(label) FILTER (WHERE ts < ?), avg(label) FILTER (WHERE ts >= ?)
		FROM inference_log JOIN inference_label USING (prediction_id) WHERE model_id = 'fraud_card_us'`, inc.From, inc.From).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	t.Logf("fraud_card_us label rate %.4f → %.4f", before, after)
	if math.Abs(before-0.02) > 0.01 || math.Abs(after-inc.Magnitude) > 0.01 {
		t.Errorf("fraud_card_us label rate %.4f before, %.4f after; want 0.02 and %.2f (± 0.01)", before, after, inc.Magnitude)
	}
	// inputs shift only mildly, through the mixture
	if r := qFloat(t, db, `SELECT avg(score) FILTER (WHERE ts >= ?) / avg(score) FILTER (WHERE ts < ?) FROM inference_log WHERE model_id = 'fraud_card_us'`, inc.From, inc.From); r < 1.05 || r > 2 {
		t.Errorf("fraud_card_us mean score after/before = %.3f, want a mild rise", r)
	}
}

// checksums returns, per table, an order-independent hash of the content and a hash of the physical order.
func checksums(t *testing.T, path string) map[string]string {
	t.Helper()
	db := openRO(t, path)
	out := map[string]string{}
	for table, key := range map[string]string{TableLog: "prediction_id", TableLabel: "prediction_id",
		TableTraining: "prediction_id", TableRegistry: "model_id, t.feature"} {
		var content, order string
		if err := db.QueryRow("SELECT sum(hash(t))::VARCHAR, sum(hash(t.rowid, t."+key+"))::VARCHAR FROM "+table+" t").Scan(&content, &order); err != nil {
			t.Fatal(err)
		}
		out[table] = content + "/" + order
	}
	return out
}

func TestDeterminism(t *testing.T) {
	_, _ = store(t)
	want := checksums(t, genPath)
	dir := t.TempDir()
	same := filepath.Join(dir, "same.duckdb")
	// a different worker count must not matter either
	if _, err := Generate(context.Background(), same, Options{Predictions: testPredictions, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	for table, sum := range checksums(t, same) {
		if sum != want[table] {
			t.Errorf("%s: checksum %s, want %s (same seed)", table, sum, want[table])
		}
	}
	other := filepath.Join(dir, "other.duckdb")
	if _, err := Generate(context.Background(), other, Options{Predictions: testPredictions, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{TableLog, TableLabel, TableTraining} {
		if got := checksums(t, other)[table]; got == want[table] {
			t.Errorf("%s: same checksum with a different seed", table)
		}
	}
}

func TestGenerateCancelled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.duckdb")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, path, Options{Predictions: 50_000}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}

// The library must not print (plugin-validator rule); the CLI may.
func TestNoPrint(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "fmt.Print") {
			t.Errorf("%s uses fmt.Print*", f)
		}
	}
}

func TestNormalQuantile(t *testing.T) {
	for _, u := range []float64{1e-9, 0.001, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98, 0.999, 1 - 1e-9} {
		want := math.Sqrt2 * math.Erfinv(2*u-1)
		if got := normal(u); math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
			t.Errorf("normal(%g) = %g, want %g", u, got, want)
		}
	}
}
