// Package demo generates the Model Monitor demo store: a DuckDB file with the inference logs of a fleet of 52
// models (Models), their delayed labels, a model registry and the churn model's training set, with a documented
// catalogue of injected incidents (Incidents). Every other model is stationary.
//
// Determinism: the output is a function of Options alone. Each (model, day) is generated from its own PCG
// stream seeded by (Options.Seed, model, day); row counts are allocated exactly (Plan); the writers consume the
// days strictly in order. Neither Options.Workers nor goroutine scheduling changes the data or its row order.
//
// Quiet baselines: a day of a small model has a few hundred rows, whose plain sampling noise alone would push
// daily drift scores towards the usual alert thresholds. The customers of each day are therefore drawn with
// Latin hypercube sampling of their latent variables and re-marginalised onto the model's reference population
// by rank (see population), which keeps every correlation between features but makes each day's marginal
// distributions match the population closely. Incidents are applied afterwards, so they stand out cleanly;
// segments and sub-day windows are random subsets and keep ordinary sampling noise.
package demo

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Defaults of Options.
const (
	DefaultSeed         uint64 = 42
	DefaultPredictions         = 1_200_000
	DefaultDays                = 35
	DefaultTrainingRows        = 50_000
	trainingDays               = 60
)

// DefaultStart is the default first day of the generated range.
var DefaultStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// Options configure Generate. Zero values mean the defaults.
type Options struct {
	Seed         uint64    // default 42
	Predictions  int       // total inference_log rows, default 1,200,000
	Start        time.Time // first day (UTC), default 2026-10-01T00:00:00Z
	Days         int       // default 35
	TrainingRows int       // training_set rows of the churn model, default 50,000 (timestamps in the 60 days before Start)
	Workers      int       // generator goroutines, default min(2, GOMAXPROCS); does not change the output
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Predictions == 0 {
		o.Predictions = DefaultPredictions
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC()
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.TrainingRows == 0 {
		o.TrainingRows = DefaultTrainingRows
	}
	if o.Workers <= 0 {
		o.Workers = min(2, runtime.GOMAXPROCS(0))
	}
	return o
}

// Table names.
const (
	TableLog      = "inference_log"
	TableLabel    = "inference_label"
	TableRegistry = "model_registry"
	TableTraining = "training_set"
)

// ModelSummary is what was generated for one model.
type ModelSummary struct {
	ID            string
	Rows          int64
	Labels        int64
	MinRowsPerDay int
}

// Summary describes a generated store.
type Summary struct {
	Path       string
	Seed       uint64
	Start, End time.Time // data range [Start, End)
	Days       int
	Models     int
	Rows       map[string]int64 // rows per table
	PerModel   []ModelSummary
	Incidents  []Incident // with From/To resolved for this Start and Days
	FileBytes  int64
	Elapsed    time.Duration
}

// String is a one-paragraph human summary.
func (s Summary) String() string {
	var inc []string
	for _, i := range s.Incidents {
		what := i.Model + " " + i.Kind
		if len(i.Features) > 0 {
			what += " of " + strings.Join(i.Features, ",")
		}
		inc = append(inc, fmt.Sprintf("%s (%s to %s)", what, i.From.Format("Jan 2"), i.To.Add(-time.Second).Format("Jan 2")))
	}
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Rows[TableLog]) / s.Elapsed.Seconds()
	}
	return fmt.Sprintf("Wrote %s (%.1f MiB) in %s (%.0f predictions/s, seed %d): %s %d rows, %s %d rows, %s %d rows, %s %d rows; "+
		"%d models; %s to %s (%d days, UTC). Injected incidents: %s; every other model is stationary.",
		s.Path, float64(s.FileBytes)/(1<<20), s.Elapsed.Round(time.Millisecond), rate, s.Seed,
		TableLog, s.Rows[TableLog], TableLabel, s.Rows[TableLabel], TableRegistry, s.Rows[TableRegistry],
		TableTraining, s.Rows[TableTraining], s.Models,
		s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339), s.Days, strings.Join(inc, "; "))
}

func featureDDL() string {
	var b strings.Builder
	for _, f := range FeatureColumns {
		typ := "DOUBLE"
		if f.Type == "categorical" {
			typ = "VARCHAR"
		}
		fmt.Fprintf(&b, ", %s %s", f.Name, typ)
	}
	return b.String()
}

func schemaDDL() []string {
	logCols := "ts TIMESTAMP, model_id VARCHAR, model_version VARCHAR, prediction_id VARCHAR, region VARCHAR, channel VARCHAR" +
		featureDDL() + ", prediction DOUBLE, score DOUBLE"
	return []string{
		"CREATE TABLE " + TableLog + " (" + logCols + ")",
		"CREATE TABLE " + TableLabel + " (prediction_id VARCHAR, label DOUBLE, label_ts TIMESTAMP)",
		"CREATE TABLE " + TableRegistry + " (model_id VARCHAR, task VARCHAR, feature VARCHAR, feature_type VARCHAR, importance DOUBLE, owner VARCHAR, tier VARCHAR)",
		"CREATE TABLE " + TableTraining + " (" + logCols + ")",
	}
}

// Generate writes a new demo store at path. It writes path+".tmp" and renames it over path when complete, so
// a half-written store never appears at path (an existing file at path is replaced; the caller decides whether
// that is wanted). Cancelling ctx stops generation and removes the temporary file.
func Generate(ctx context.Context, path string, opts Options) (sum Summary, err error) {
	began := time.Now()
	opts = opts.withDefaults()
	if opts.Predictions < 0 || opts.Days < 1 || opts.TrainingRows < 0 {
		return Summary{}, fmt.Errorf("demo: invalid options: predictions %d, days %d, training rows %d", opts.Predictions, opts.Days, opts.TrainingRows)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return Summary{}, fmt.Errorf("demo: %w", err)
		}
	}
	tmp := path + ".tmp"
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Summary{}, fmt.Errorf("demo: remove stale %s: %w", p, err)
		}
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
			_ = os.Remove(tmp + ".wal")
		}
	}()

	connector, err := duckdb.NewConnector(tmp, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: open %s: %w", tmp, err)
	}
	db := sql.OpenDB(connector)
	closeDB := func() error {
		e1 := db.Close()
		e2 := connector.Close()
		return errors.Join(e1, e2)
	}
	defer func() {
		if db != nil {
			_ = closeDB()
		}
	}()
	// DuckDB's own threads only contend with the generator and the two appenders here (one was measured faster
	// than two on a 2-core machine); readers of the file later use their own setting.
	for _, q := range append([]string{"SET threads = 1"}, schemaDDL()...) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return Summary{}, fmt.Errorf("demo: %s: %w", q, err)
		}
	}
	sum, err = write(ctx, connector, opts)
	if err != nil {
		return Summary{}, err
	}
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return Summary{}, fmt.Errorf("demo: checkpoint: %w", err)
	}
	err = closeDB()
	db = nil
	if err != nil {
		return Summary{}, fmt.Errorf("demo: close: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	// A WAL left next to an old file at path would be replayed onto the new one.
	if err := os.Remove(path + ".wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Summary{}, fmt.Errorf("demo: remove stale %s.wal: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	if st, err := os.Stat(path); err == nil {
		sum.FileBytes = st.Size()
	}
	sum.Path = path
	sum.Elapsed = time.Since(began)
	return sum, nil
}

// jobs lists the generation jobs in write order: every model's inference log (Models() order), then the churn
// training set.
func jobs(opts Options) (js []*job, plans []ModelPlan) {
	plans = Plan(opts)
	ms := Models()
	end := opts.Start.AddDate(0, 0, opts.Days)
	cat := incidentCatalogue()
	var churn *ModelSpec
	for i := range ms {
		m := &ms[i]
		if m.ID == "churn" {
			churn = m
		}
		j := &job{
			spec: m, table: TableLog, streamKey: m.ID, pidPrefix: m.ID + "-", start: opts.Start,
			perDay: plans[i].PerDay, labels: true, endMicros: end.UnixMicro(), diurnal: diurnalCurve(m.Region),
		}
		for _, inc := range cat {
			if inc.Model == m.ID {
				j.incidents = append(j.incidents, inc)
			}
		}
		js = append(js, j)
	}
	if opts.TrainingRows > 0 && churn != nil {
		tstart := opts.Start.AddDate(0, 0, -trainingDays)
		js = append(js, &job{
			spec: churn, table: TableTraining, streamKey: "training_set/churn", pidPrefix: "churn-train-",
			start: tstart, perDay: apportion(opts.TrainingRows, dayWeights(tstart, trainingDays)),
			diurnal: diurnalCurve(""),
		})
	}
	return js, plans
}

// write generates every job and appends it. The unit of work is one (job, day), generated from its own PCG
// stream; up to opts.Workers units generate at once. Two writers, each with its own connection, consume the
// units strictly in order, so the data and its physical row order are the same for any worker count and any
// scheduling: writer A appends inference_log, writer B appends inference_label and training_set.
func write(ctx context.Context, connector *duckdb.Connector, opts Options) (Summary, error) {
	js, plans := jobs(opts)
	ms := Models()
	sum := Summary{
		Seed: opts.Seed, Start: opts.Start, End: opts.Start.AddDate(0, 0, opts.Days), Days: opts.Days,
		Models: len(ms), Rows: map[string]int64{TableLog: 0, TableLabel: 0, TableRegistry: 0, TableTraining: 0},
	}
	for _, inc := range incidentCatalogue() {
		if f, t, ok := inc.Window(opts.Start, opts.Days); ok {
			inc.From, inc.To = f, t
			sum.Incidents = append(sum.Incidents, inc)
		}
	}

	var conns []driver.Conn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	appender := func(table string) (*duckdb.Appender, error) {
		c, err := connector.Connect(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo: connect: %w", err)
		}
		conns = append(conns, c)
		a, err := duckdb.NewAppenderFromConn(c, "", table)
		if err != nil {
			return nil, fmt.Errorf("demo: appender %s: %w", table, err)
		}
		return a, nil
	}
	logAp, err := appender(TableLog)
	if err != nil {
		return Summary{}, err
	}
	// writer B's appenders share one connection and one goroutine
	labelAp, err := appender(TableLabel)
	if err != nil {
		_ = logAp.Close()
		return Summary{}, err
	}
	trainAp, err := duckdb.NewAppenderFromConn(conns[len(conns)-1], "", TableTraining)
	if err != nil {
		_ = logAp.Close()
		_ = labelAp.Close()
		return Summary{}, fmt.Errorf("demo: appender %s: %w", TableTraining, err)
	}

	// Units of work: (job, day), in write order. Up to opts.Workers generate at once, at most `ahead` are done
	// or in progress before the writer consumes them.
	type unit struct {
		j       *job
		ji, day int
		seq     uint64
		done    chan struct{}
		batches []*rowBatch
	}
	var units []*unit
	for ji, j := range js {
		seq := uint64(1)
		for d, n := range j.perDay {
			units = append(units, &unit{j: j, ji: ji, day: d, seq: seq, done: make(chan struct{})})
			seq += uint64(n)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := 4 * opts.Workers
	inflight := make(chan struct{}, ahead)
	compute := make(chan struct{}, opts.Workers)
	var wg sync.WaitGroup
	wg.Go(func() { // dispatch units in write order
		for _, u := range units {
			select {
			case inflight <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case compute <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Go(func() {
				defer close(u.done)
				defer func() { <-compute }()
				u.batches = u.j.runDay(opts.Seed, u.day, u.seq)
			})
		}
	})

	type fwd struct {
		j *job
		b *rowBatch
	}
	toB := make(chan fwd, 16)
	var berr error
	var labels, training int64
	bdone := make(chan struct{})
	go func() { // writer B
		defer close(bdone)
		for f := range toB {
			if berr != nil {
				continue // drain
			}
			if f.j.table == TableTraining {
				if berr = appendRows(trainAp, f.b); berr != nil {
					berr = fmt.Errorf("demo: append %s: %w", TableTraining, berr)
					cancel()
					continue
				}
				training += int64(f.b.n)
			}
			if berr = appendLabels(labelAp, f.b); berr != nil {
				berr = fmt.Errorf("demo: append %s: %w", TableLabel, berr)
				cancel()
				continue
			}
			labels += int64(f.b.nl)
			batchPool.Put(f.b)
		}
	}()

	aerr := func() error { // writer A
		perModel := map[int]*ModelSummary{}
		for _, u := range units {
			select {
			case <-u.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			j := u.j
			ms := perModel[u.ji]
			if ms == nil && j.table == TableLog {
				sum.PerModel = append(sum.PerModel, ModelSummary{ID: j.spec.ID, MinRowsPerDay: plans[u.ji].MinPerDay()})
				ms = &sum.PerModel[len(sum.PerModel)-1]
				perModel[u.ji] = ms
			}
			for _, b := range u.batches {
				if j.table == TableLog {
					if err := appendRows(logAp, b); err != nil {
						return fmt.Errorf("demo: append %s: %w", TableLog, err)
					}
					sum.Rows[TableLog] += int64(b.n)
					ms.Rows += int64(b.n)
					ms.Labels += int64(b.nl)
				}
				select {
				case toB <- fwd{j, b}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			u.batches = nil
			<-inflight
		}
		return ctx.Err()
	}()
	close(toB)
	<-bdone
	if aerr != nil {
		cancel()
	}
	wg.Wait()
	cerr := errors.Join(logAp.Close(), labelAp.Close(), trainAp.Close())
	if err := errors.Join(aerr, berr); err != nil {
		return Summary{}, err
	}
	if cerr != nil {
		return Summary{}, fmt.Errorf("demo: close appenders: %w", cerr)
	}
	sum.Rows[TableLabel] = labels
	sum.Rows[TableTraining] = training

	reg, err := duckdb.NewAppenderFromConn(conns[0], "", TableRegistry)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: appender %s: %w", TableRegistry, err)
	}
	for _, m := range ms {
		for _, f := range m.Features {
			if err := reg.AppendRow(m.ID, m.Task, f.Name, f.Type, f.Importance, m.Owner, m.Tier); err != nil {
				_ = reg.Close()
				return Summary{}, fmt.Errorf("demo: append %s: %w", TableRegistry, err)
			}
			sum.Rows[TableRegistry]++
		}
	}
	if err := reg.Close(); err != nil {
		return Summary{}, fmt.Errorf("demo: close %s appender: %w", TableRegistry, err)
	}
	return sum, nil
}

// appendRows appends the batch's rows.
func appendRows(ap *duckdb.Appender, b *rowBatch) error {
	for i := range b.n {
		if err := ap.AppendRow(b.row[i][:]...); err != nil {
			return err
		}
	}
	return nil
}

func appendLabels(ap *duckdb.Appender, b *rowBatch) error {
	for i := range b.nl {
		if err := ap.AppendRow(b.lrow[i][:]...); err != nil {
			return err
		}
	}
	return nil
}
