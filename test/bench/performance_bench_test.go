package bench

import (
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/engine/diagnosis"
	"github.com/aiops/modelmonitor/pkg/monitor"
	"github.com/aiops/modelmonitor/pkg/plugin"
	"github.com/aiops/modelmonitor/pkg/store/duckdb"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Label-based and data-quality queries over the whole fleet (model ""), daily windows over the 30-day current
// range, reference = the first week; each iteration a cold data source (new connection, empty caches), as
// BenchmarkFleetDrift. rows/s counts the log rows in the span the query must aggregate (performance: the current
// range; the others: reference + current, as the drift benchmarks); the labels table is read on top of that.

// fleetTasks counts the demo fleet's models by task (the registry the store was generated with).
func fleetTasks() (binary, multiclass, regression int) {
	for _, m := range demo.Models() {
		switch m.Task {
		case monitor.TaskMulticlass:
			multiclass++
		case monitor.TaskRegression:
			regression++
		default:
			binary++
		}
	}
	return
}

// queryFrames runs one query on a new (cold) data source of newDS and returns its frames, so that the answer can
// be checked.
func queryFrames(b *testing.B, newDS func(*testing.B) *plugin.Datasource, q map[string]any) data.Frames {
	ds := newDS(b)
	defer ds.Dispose()
	return runQuery(b, ds, q)
}

// values summarises the non-null values of the "value" fields of the frames labelled key=val.
type values struct {
	frames, points, nonNull int
	min, max, sum           float64
}

func (v values) mean() float64 { return v.sum / float64(v.nonNull) }

func summarise(frames data.Frames, key, val string) values {
	s := values{min: math.Inf(1), max: math.Inf(-1)}
	for _, f := range frames {
		for _, fd := range f.Fields {
			if fd.Name != "value" || fd.Labels[key] != val || fd.Labels["bound"] != "" {
				continue
			}
			s.frames++
			for i := 0; i < fd.Len(); i++ {
				s.points++
				if x, ok := fd.ConcreteAt(i); ok {
					s.nonNull++
					s.sum += x.(float64)
					s.min, s.max = math.Min(s.min, x.(float64)), math.Max(s.max, x.(float64))
				}
			}
		}
	}
	return s
}

// logRows counts the log rows of the fleet in [from, to).
func logRows(b *testing.B, from, to time.Time) float64 {
	db, err := sql.Open("duckdb", benchStore(b)+"?access_mode=read_only")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n float64
	if err := db.QueryRow(`SELECT count(*) FROM inference_log WHERE ts >= ? AND ts < ?`, from, to).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

const days = 30 // daily windows of the current range

// Realized performance of every model (binary: 10 metrics; multiclass: 5; regression: 6): labels joined by
// prediction id, confusion counts, log loss, 1/1000 score histograms, label lag quantiles.
func BenchmarkFleetPerformance(b *testing.B) { fleetPerformance(b, newDatasource) }

// fleetPerformance runs BenchmarkFleetPerformance on the data sources newDS opens.
func fleetPerformance(b *testing.B, newDS func(*testing.B) *plugin.Datasource) {
	rows := logRows(b, curFrom, curTo)
	bin, mc, reg := fleetTasks()
	want := bin*len(monitor.PerformanceMetrics) + mc*len(monitor.MulticlassMetrics) + reg*len(monitor.RegressionMetrics)
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		frames := queryFrames(b, newDS, map[string]any{"queryType": "performance", "model": "", "window": "1d"})
		if len(frames) < want {
			b.Fatalf("fleet performance returned %d series, want at least %d", len(frames), want)
		}
		auc, cov := summarise(frames, "metric", monitor.PerfROCAUC), summarise(frames, "metric", monitor.PerfLabelCoverage)
		if auc.frames != bin || auc.points != bin*days || auc.nonNull < auc.points/2 || auc.min < 0 || auc.max > 1 || auc.mean() < 0.6 {
			b.Fatalf("fleet performance roc_auc looks wrong: %+v (mean %.3f)", auc, auc.mean())
		}
		if cov.nonNull < cov.points*9/10 || cov.min < 0 || cov.max > 1 || cov.mean() < 0.1 {
			b.Fatalf("fleet performance label_coverage looks wrong: %+v", cov)
		}
	}
	b.StopTimer()
	report(b, rows)
}

// CBPE of every binary model (5 metrics, each with an upper and a lower band frame): isotonic calibration on the
// labelled reference's score histogram, then the current windows' score histograms.
func BenchmarkFleetEstimatedPerformance(b *testing.B) { fleetEstimatedPerformance(b, newDatasource) }

// fleetEstimatedPerformance runs BenchmarkFleetEstimatedPerformance on the data sources newDS opens.
func fleetEstimatedPerformance(b *testing.B, newDS func(*testing.B) *plugin.Datasource) {
	rows := rowsRead(b, "")
	bin, _, _ := fleetTasks()
	want := bin * len(monitor.EstimatedMetrics) * 3 // estimate, upper and lower band
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		frames := queryFrames(b, newDS, map[string]any{"queryType": "estimatedPerformance", "model": "", "window": "1d"})
		if len(frames) < want {
			b.Fatalf("fleet estimated performance returned %d frames, want at least %d", len(frames), want)
		}
		auc := summarise(frames, "metric", monitor.PerfROCAUC)
		if auc.frames != bin || auc.nonNull < auc.points*9/10 || auc.min < 0 || auc.max > 1 || auc.mean() < 0.6 {
			b.Fatalf("fleet estimated roc_auc looks wrong: %+v (mean %.3f)", auc, auc.mean())
		}
	}
	b.StopTimer()
	report(b, rows)
}

// Diagnosis of every model: drift + data quality (current and reference) + CBPE + realized AUC + label rates,
// composed into 4 cause series per model and one verdicts table.
func BenchmarkFleetDiagnosis(b *testing.B) { fleetDiagnosis(b, newDatasource) }

// fleetDiagnosis runs BenchmarkFleetDiagnosis on the data sources newDS opens.
func fleetDiagnosis(b *testing.B, newDS func(*testing.B) *plugin.Datasource) {
	rows := rowsRead(b, "")
	models := len(demo.Models())
	want := models*len(diagnosis.Causes) + 1
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		frames := queryFrames(b, newDS, map[string]any{"queryType": "diagnosis", "model": "", "window": "1d"})
		if len(frames) < want {
			b.Fatalf("fleet diagnosis returned %d frames, want at least %d", len(frames), want)
		}
		if t := frames[len(frames)-1]; t.Name != "verdicts" || t.Rows() != models*days {
			b.Fatalf("fleet diagnosis verdicts table: %q with %d rows, want %d", t.Name, t.Rows(), models*days)
		}
		if cov := summarise(frames, "cause", diagnosis.CauseCovariateShift); cov.frames != models || cov.nonNull < cov.points/2 {
			b.Fatalf("fleet diagnosis covariate_shift looks wrong: %+v", cov)
		}
	}
	b.StopTimer()
	report(b, rows)
}

// Data quality of every model: volume, duplicates, missing score/prediction, per-feature null, out-of-range and
// new-category shares (the range checks against the reference).
func BenchmarkFleetDataQuality(b *testing.B) { fleetDataQuality(b, newDatasource) }

// fleetDataQuality runs BenchmarkFleetDataQuality on the data sources newDS opens.
func fleetDataQuality(b *testing.B, newDS func(*testing.B) *plugin.Datasource) {
	rows := rowsRead(b, "")
	models := len(demo.Models())
	features := 0
	for _, m := range demo.Models() {
		features += len(m.Features)
	}
	want := models*4 + features // at least the 4 model checks and a null_share per used feature
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		frames := queryFrames(b, newDS, map[string]any{"queryType": "dataQuality", "model": "", "window": "1d"})
		if len(frames) < want {
			b.Fatalf("fleet data quality returned %d series, want at least %d", len(frames), want)
		}
		vol := summarise(frames, "check", monitor.CheckVolumeRatio)
		if vol.frames != models || vol.nonNull < vol.points*9/10 || vol.min < 0 {
			b.Fatalf("fleet data quality volume_ratio looks wrong: %+v", vol)
		}
	}
	b.StopTimer()
	report(b, rows)
}

// The floor of performance: a hand-written DuckDB statement that reads the same rows (the fleet's log rows of the
// current range, the labels known by its end) and produces what any engine must at least compute: the join of
// each log row to its latest label by prediction id, then per (model, day) the served rows and the confusion
// counts at 0.5, and per (model, day, label) the 1/1000 score histogram. One join and one hash aggregate; the
// confusion counts are rolled up from the histogram groups (p >= 0.5 is a grouping key, so they are exact). No
// log loss, no label lag quantiles, no multiclass/regression sums.
func BenchmarkFloorLabelsSQL(b *testing.B) {
	db, err := sql.Open("duckdb", benchStore(b)+"?access_mode=read_only")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	floorLabels(b, duckdb.Dialect{}, func(q string, args []any, dest ...any) error { return db.QueryRow(q, args...).Scan(dest...) })
}

// floorLabels runs the labels floor statement in d's terms b.N times through scan (which runs q with args and
// scans its one row into dest) and checks its counts.
func floorLabels(b *testing.B, d sqlstore.Dialect, scan func(q string, args []any, dest ...any) error) {
	rows := logRows(b, curFrom, curTo)
	q := floorLabelsSQL(d)
	models := len(demo.Models())
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		var windows, buckets, labelled int64
		if err := scan(q, []any{curTo, curFrom, curTo}, &windows, &buckets, &labelled); err != nil {
			b.Fatal(err)
		}
		if windows > int64(models*days) || windows < int64(models*days*9/10) || buckets == 0 || labelled == 0 {
			b.Fatalf("floor: %d (model, day) groups (want about %d), %d histogram buckets, %d labelled rows", windows, models*days, buckets, labelled)
		}
	}
	b.StopTimer()
	report(b, rows)
}

// floorLabelsSQL renders the labels floor in d's terms (its placeholders, latest-label aggregate and GROUP BY);
// the parameters are the labels' cut-off and the range [from, to).
func floorLabelsSQL(d sqlstore.Dialect) string {
	return `WITH labels AS (
  SELECT prediction_id, ` + d.LatestBy("label", "label_ts") + ` AS label FROM inference_label WHERE label_ts <= ` + d.Placeholder(1) + ` GROUP BY prediction_id
),
hist AS (
  SELECT s.model_id AS m, date_trunc('day', s.ts) AS d, CASE WHEN l.label = 1 THEN 1 WHEN l.label = 0 THEN 0 END AS y,
    s.score >= 0.5 AS yhat, least(999, greatest(0, CAST(floor(s.score * 1000) AS INTEGER))) AS bucket, count(*) AS n
  FROM inference_log s LEFT JOIN labels l ON s.prediction_id = l.prediction_id
  WHERE s.ts >= ` + d.Placeholder(2) + ` AND s.ts < ` + d.Placeholder(3) + `
  ` + d.GroupBy(5) + `
),
conf AS (
  SELECT m, d, sum(n) AS served,
    coalesce(sum(n) FILTER (WHERE y = 1 AND yhat), 0) AS tp, coalesce(sum(n) FILTER (WHERE y = 0 AND yhat), 0) AS fp,
    coalesce(sum(n) FILTER (WHERE y = 0 AND NOT yhat), 0) AS tn, coalesce(sum(n) FILTER (WHERE y = 1 AND NOT yhat), 0) AS fn
  FROM hist ` + d.GroupBy(2) + `
)
SELECT (SELECT count(*) FROM conf), (SELECT count(*) FROM hist WHERE y IS NOT NULL AND bucket IS NOT NULL),
  (SELECT CAST(sum(tp + fp + tn + fn) AS BIGINT) FROM conf)`
}
