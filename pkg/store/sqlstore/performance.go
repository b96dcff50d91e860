package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// Performance returns the binary-classification aggregates of the scoped rows: per (model, window) the served
// and labelled rows, the confusion counts at the bound decision threshold and the exact log-loss sum; per
// (model, window, label) the score histogram in 1/1000 buckets with the score sum of each bucket; per (model,
// window, lag bucket) the label lag histogram the lag quantiles are read from. Two GROUP BY statements over the
// same labelled relation, or one reading it materialized once (MaterializedDialect), and one more with class
// models; aggregates only, identifiers quoted, values bound.
func (s *Store) Performance(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest) (store.Performance, error) {
	zoned, err := s.checkPerformanceColumns(ctx)
	if err != nil {
		return store.Performance{}, err
	}
	out, err := s.performance(ctx, scope, w, req, zoned, nil)
	return out[0], err
}

// labelSpan is a label delta: the cut-off a kept answer was computed under (from) and the new one (to). Its
// statements read the touched rows only — the scoped rows whose prediction id has a label with label_ts in
// (lo, hi], the earlier and the later cut-off — under both cut-offs at once: side 0 under from, side 1 under to.
type labelSpan struct{ from, to time.Time }

// lo and hi are the earlier and the later cut-off.
func (l labelSpan) lo() time.Time {
	if l.to.Before(l.from) {
		return l.to
	}
	return l.from
}

func (l labelSpan) hi() time.Time {
	if l.to.Before(l.from) {
		return l.from
	}
	return l.to
}

// performance runs the statements of Performance: one answer, or with delta set the two answers of the touched
// rows (before: under delta.from, after: under delta.to), each statement grouping by side too.
func (s *Store) performance(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest, zoned bool, delta *labelSpan) ([]store.Performance, error) {
	out := make([]store.Performance, 1)
	keys, nk := "m, w", 2
	if delta != nil {
		out, keys, nk = make([]store.Performance, 2), "side, m, w", 3
	}
	// scan reads a row whose leading columns are the keys: side (with delta: the answer it belongs to), then dest.
	scan := func(r Rows, dest ...any) (int, error) {
		var side int
		if delta != nil {
			dest = append([]any{&side}, dest...)
		}
		err := r.Scan(dest...)
		if err == nil && (side < 0 || side >= len(out)) {
			err = fmt.Errorf("performance: side %d", side)
		}
		return side, err
	}
	d := s.d
	labelled := "y IS NOT NULL AND p IS NOT NULL"
	// The per-(keys, lag bucket) counts and sums; the score buckets below have their counts in the same columns
	// (label in lagk, bucket in served, n in labelled, score sum in ll) so that one statement can give both.
	perWindow := fmt.Sprintf(`SELECT %s, %s AS lagk, count(*) AS served,
  %s AS labelled,
  %s AS tp,
  %s AS fp,
  %s AS tn,
  %s AS fn,
  coalesce(%s, 0) AS ll,
  %s AS cls_n,
  %s AS correct,
  %s AS reg_n,
  coalesce(sum(abs(yn - pn)), 0) AS abs_sum,
  coalesce(sum((yn - pn) * (yn - pn)), 0) AS sq_sum,
  coalesce(sum(abs(yn - pn) / greatest(abs(yn), 2.220446049250313e-16)), 0) AS ape_sum,
  %s AS unreadable%%s
FROM mm_lab
%s`, keys, lagBucketSQL,
		d.Filtered("count(*)", labelled),
		d.Filtered("count(*)", "y = 1 AND yhat"), d.Filtered("count(*)", "y = 0 AND yhat"),
		d.Filtered("count(*)", "y = 0 AND NOT yhat"), d.Filtered("count(*)", "y = 1 AND NOT yhat"),
		d.Filtered("sum(-(y * ln(greatest(least(p, 1 - 1e-15), 1e-15)) + (1 - y) * ln(1 - greatest(least(p, 1 - 1e-15), 1e-15))))", labelled),
		d.Filtered("count(*)", "yc IS NOT NULL AND pc IS NOT NULL"), d.Filtered("count(*)", "yc = pc"),
		d.Filtered("count(*)", "yn IS NOT NULL AND pn IS NOT NULL"),
		d.Filtered("count(*)", "yr AND y IS NULL"), d.GroupBy(nk+1))
	// buckets renders the score buckets' statement with the given columns after the keys.
	buckets := func(cols string) string {
		return fmt.Sprintf(`SELECT %s, %s
FROM mm_lab
WHERE y IS NOT NULL AND p IS NOT NULL
%s`, keys, cols, d.GroupBy(nk+2))
	}
	groups := make([][]lagGroup, len(out))
	windowRow := func(r Rows, kind *int) error {
		var g lagGroup
		row := &g.row
		dest := []any{&row.Model, &row.Window, &g.bucket, &row.Served, &row.Labelled, &row.TP, &row.FP, &row.TN, &row.FN, &row.LogLossSum,
			&row.ClassLabelled, &row.Correct, &row.RegLabelled, &row.AbsErrSum, &row.SqErrSum, &row.APESum, &row.Unreadable}
		if kind != nil {
			dest = append(dest, kind)
		}
		side, err := scan(r, dest...)
		if err != nil {
			return err
		}
		if kind != nil && *kind == 1 { // a score bucket in the per-window columns
			out[side].Buckets = append(out[side].Buckets, store.ScoreBucket{Model: row.Model, Window: row.Window,
				Label: int(g.bucket.Int64), Bucket: int(row.Served), Count: row.Labelled, ScoreSum: row.LogLossSum})
			return nil
		}
		groups[side] = append(groups[side], g)
		return nil
	}
	var sqls []string
	// With a MaterializedDialect one statement reads the labelled relation materialized once for both groupings
	// (the labels table is scanned once instead of twice), the buckets padded to the per-window columns.
	md, together := d.(MaterializedDialect)
	b := s.newBuilder()
	kindCol := ""
	if together {
		b.materialized, kindCol = md.Materialized(), ",\n  0 AS kind"
	}
	q := fmt.Sprintf("WITH %s\n%s", b.labelledSource(scope, w, req, zoned, delta), fmt.Sprintf(perWindow, kindCol))
	if together {
		q += "\nUNION ALL\n" + buckets(fmt.Sprintf(`CAST(y AS INTEGER), %s, count(*), 0, 0, 0, 0, sum(p), 0, 0, 0,
  CAST(0 AS DOUBLE), CAST(0 AS DOUBLE), CAST(0 AS DOUBLE), 0, 1`, scoreBucketSQL))
	}
	sqls = append(sqls, q)
	err := s.collect(ctx, q, b.args, func(r Rows) error {
		if !together {
			return windowRow(r, nil)
		}
		var kind int
		return windowRow(r, &kind)
	})
	if err == nil && len(req.ClassModels) > 0 { // the class counts' statement, after the per-window one
		var cq string
		cq, err = s.classCounts(ctx, scope, w, req, zoned, delta, keys, nk, func(r Rows) error {
			var row store.ClassCount
			side, err := scan(r, &row.Model, &row.Window, &row.Class, &row.TP, &row.FP, &row.FN)
			out[side].Classes = append(out[side].Classes, row)
			return err
		})
		sqls = append(sqls, cq)
	}
	if err == nil && !together {
		b = s.newBuilder()
		q = fmt.Sprintf("WITH %s\n%s", b.labelledSource(scope, w, req, zoned, delta),
			buckets(fmt.Sprintf("CAST(y AS INTEGER) AS y, %s AS bucket, count(*) AS n, sum(p) AS ps", scoreBucketSQL)))
		sqls = append(sqls, q)
		err = s.collect(ctx, q, b.args, func(r Rows) error {
			var row store.ScoreBucket
			side, err := scan(r, &row.Model, &row.Window, &row.Label, &row.Bucket, &row.Count, &row.ScoreSum)
			out[side].Buckets = append(out[side].Buckets, row)
			return err
		})
	}
	if err != nil {
		return out, err
	}
	for i := range out {
		out[i].Windows, out[i].Lags = foldLagGroups(groups[i])
		out[i].SQL = sqls
	}
	return out, nil
}

// classCounts runs the statement of the per-(keys, class) one-vs-rest confusion counts of the multiclass models
// (keys: the nk leading key columns, as performance groups them), calling scan per row; it returns the statement.
func (s *Store) classCounts(ctx context.Context, scope store.Scope, w store.Windowing, req store.PerformanceRequest, zoned bool, delta *labelSpan, keys string, nk int, scan func(Rows) error) (string, error) {
	if len(req.ClassModels) == 1 {
		// One multiclass model in a fleet (the common case): scope the statement to it, so that it reads that
		// model's rows and only their labels (scopedLabels) instead of joining the whole fleet's.
		scope.Model = req.ClassModels[0]
	}
	b := s.newBuilder()
	src := b.labelledSource(scope, w, req, zoned, delta)
	q := fmt.Sprintf(`WITH %s,
mm_pairs AS (SELECT %s, yc, pc FROM mm_lab WHERE yc IS NOT NULL AND pc IS NOT NULL)
SELECT %s, c, CAST(sum(tp) AS BIGINT), CAST(sum(fp) AS BIGINT), CAST(sum(fn) AS BIGINT) FROM (
  SELECT %s, yc AS c, CAST(yc = pc AS INTEGER) AS tp, 0 AS fp, CAST(yc <> pc AS INTEGER) AS fn FROM mm_pairs
  UNION ALL
  SELECT %s, pc AS c, 0 AS tp, CAST(yc <> pc AS INTEGER) AS fp, 0 AS fn FROM mm_pairs
) x
%s`, src, keys, keys, keys, keys, s.d.GroupBy(nk+1))
	return q, s.collect(ctx, q, b.args, scan)
}

// checkPerformanceColumns names what a performance query needs and is missing: labels in the log row, or a labels
// table with prediction_id, label and label_ts. It returns whether label_ts holds absolute instants.
func (s *Store) checkPerformanceColumns(ctx context.Context) (bool, error) {
	cfg := s.cfg
	if cfg.LabelColumn != "" {
		return false, nil
	}
	if cfg.LabelsTable == "" || cfg.PredictionIDColumn == "" {
		return false, store.NoLabelsError{Reason: "performance needs labels: map labelColumn, or labelsTable and predictionIdColumn"}
	}
	cols, err := s.columns(ctx, cfg.LabelsTable)
	if err != nil {
		return false, err
	}
	if cols == nil {
		return false, store.NoLabelsError{Reason: fmt.Sprintf("labels table %q not found (map labelColumn if labels are in the log rows)", cfg.LabelsTable)}
	}
	var missing []string
	for _, c := range []string{"prediction_id", "label", "label_ts"} {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return false, fmt.Errorf("labels table %q lacks column(s) %s", cfg.LabelsTable, strings.Join(missing, ", "))
	}
	_, zoned := s.d.TimeType(cols["label_ts"])
	return zoned, nil
}

// canonical renders a label or prediction as text for class comparison: a number with an integer value below
// 10^15 as that integer ("1" for 1 and 1.0, so both are one class), any other number as double text, anything
// else as its own text. Integers are rendered through BIGINT because engines spell a whole double differently
// (DuckDB "1.0", PostgreSQL "1"), and class names reach the frames.
func canonical(d Dialect, expr string) string {
	v := d.TryDouble(expr)
	return fmt.Sprintf("coalesce(CASE WHEN abs(%s) < 1e15 AND %s = floor(%s) THEN %s ELSE %s END, %s)",
		v, v, v, d.Text("CAST("+v+" AS BIGINT)"), d.Text(v), d.Text(expr))
}

// scoreBucketSQL is a row's score bucket, as every score histogram counts it: floor(p × ScoreBuckets) clamped to
// [0, ScoreBuckets − 1], so a score of 1 falls in the last bucket.
var scoreBucketSQL = fmt.Sprintf("CAST(greatest(0, least(%d, floor(p * %d))) AS INTEGER)", store.ScoreBuckets-1, store.ScoreBuckets)

// scopedLabels restricts the labels aggregated to the prediction ids in scope when the scope is one model, one
// segment or at most scopedLabelsSpan long: a semi-join, measured on the 10 M-row benchmark store (DuckDB) at 3×
// faster for one model's performance (1.1 s against 3.5 s) and for the fleet's last day (1.7 CPU s against 6.0;
// its last week 3.4 against 8.1) but slower for the fleet over 30 days of 37 (13.6 against 11.1), where nearly
// every label is in scope. The touched rows of a label delta are few: their labels are always restricted to them.
func (s *Store) scopedLabels(scope store.Scope, touched bool) string {
	short := !scope.From.IsZero() && scope.To.Sub(scope.From) <= scopedLabelsSpan
	if scope.Model == "" && scope.Segment == nil && !touched && !short {
		return ""
	}
	return " AND " + s.d.Text("prediction_id") + " IN (SELECT pid FROM mm_scoped)"
}

// scopedLabelsSpan is the longest time range whose labels are read through the semi-join of scopedLabels: a
// week, a reference period's usual length and the windows a warm query asks for (the open and the new ones).
const scopedLabelsSpan = 7 * 24 * time.Hour

// labelledSource renders the mm_scoped, mm_labels and mm_lab CTEs: the scoped rows with p = score, y = 0/1 label
// (else NULL), yhat = p >= threshold, yc/pc = label/prediction as class text (req.ClassModels only, else NULL),
// yn/pn = label/prediction as numbers, lag_h = hours from the prediction to its label (labels table only).
// Table labels are the latest per prediction id among those with label_ts <= the bound LabelsUntil. With delta
// set (a labels table), mm_scoped holds only the touched rows (labelSpan) and mm_lab each of them twice, with
// side 0 and its label known by delta.from, side 1 and its label known by delta.to (LabelsUntil is not read).
func (b *builder) labelledSource(scope store.Scope, w store.Windowing, req store.PerformanceRequest, zoned bool, delta *labelSpan) string {
	cfg := b.s.cfg
	d := b.d
	windowExpr := b.windowExpr(w)
	col := func(c string) string {
		if c == "" {
			return "NULL"
		}
		return b.quote(c)
	}
	pid := "NULL"
	if cfg.PredictionIDColumn != "" {
		pid = d.Text(b.quote(cfg.PredictionIDColumn))
	}
	scopedSelect := fmt.Sprintf("SELECT %s AS m, %s AS w, %s AS p, %s AS pid, %s AS lbl, %s AS pred, %s AS tus",
		d.Text(b.quote(cfg.ModelColumn)), windowExpr, d.TryDouble(col(cfg.ScoreColumn)), pid, col(cfg.LabelColumn),
		col(cfg.PredictionColumn), d.EpochMicros(b.quote(cfg.TimeColumn)))
	table, whereSQL := b.scopeFilter(scope)
	if delta != nil {
		whereSQL = and(whereSQL, b.labelledIn(delta.lo(), delta.hi(), zoned))
	}
	scoped := fmt.Sprintf("mm_scoped AS (\n  %s\n  FROM %s%s\n)", scopedSelect, table, whereSQL)
	// sides are the (label, lag) expressions mm_lab reads: one, or one per cut-off of a delta.
	sides := [][2]string{{"s.lbl", d.Double("NULL")}}
	joinSQL, labelsCTE := "", ""
	if cfg.LabelColumn == "" {
		var latest string
		var bound time.Time
		if delta == nil {
			latest = fmt.Sprintf("%s AS ly0, %s AS lus0", d.LatestBy("label", "label_ts"), d.EpochMicros("max(label_ts)"))
			bound = req.LabelsUntil
		} else {
			var cols []string
			for i, until := range []time.Time{delta.from, delta.to} {
				ts := fmt.Sprintf("CASE WHEN label_ts <= %s THEN label_ts END", d.TimeBound(b.bind(timeText(until, zoned)), zoned))
				cols = append(cols, fmt.Sprintf("%s AS ly%d", d.LatestBy("label", ts), i))
				ts = fmt.Sprintf("CASE WHEN label_ts <= %s THEN label_ts END", d.TimeBound(b.bind(timeText(until, zoned)), zoned))
				cols = append(cols, fmt.Sprintf("%s AS lus%d", d.EpochMicros("max("+ts+")"), i))
			}
			latest, bound = strings.Join(cols, ", "), delta.hi()
		}
		labelsCTE = fmt.Sprintf(`,
mm_labels AS (
  SELECT %s AS lid, %s
  FROM %s
  WHERE label_ts <= %s%s
  %s
)`, d.Text("prediction_id"), latest, b.quote(cfg.LabelsTable), d.TimeBound(b.bind(timeText(bound, zoned)), zoned),
			b.s.scopedLabels(scope, delta != nil), d.GroupBy(1))
		joinSQL = " LEFT JOIN mm_labels l ON s.pid = l.lid"
		sides = [][2]string{{"l.ly0", "(l.lus0 - s.tus) / 3.6e9"}}
		if delta != nil {
			sides = append(sides, [2]string{"l.ly1", "(l.lus1 - s.tus) / 3.6e9"})
		}
	}
	// Class text (yc, pc) only for the models whose classes are compared: rendering every row's label and
	// prediction as text costs ~18 % of a fleet's performance statement, and binary or regression models never
	// use it.
	classCTE := ""
	classModel := "FALSE"
	if len(req.ClassModels) > 0 {
		rows := make([]modelFeature, len(req.ClassModels))
		for i, m := range req.ClassModels {
			rows[i] = modelFeature{M: m}
		}
		rel, _ := b.relation(rows, []Column{{Name: "m", Type: TextColumn}}) // strings always marshal
		classCTE = ",\nmm_class_models AS (" + rel + ")"
		classModel = "s.m IN (SELECT m FROM mm_class_models)"
	}
	var selects []string
	for i, side := range sides {
		label, lag := side[0], side[1]
		y := b.binaryLabel(label) // binds in text order: y, then the threshold
		threshold := b.bind(req.Threshold)
		yc, pc := "NULL", "NULL"
		if classCTE != "" {
			yc = fmt.Sprintf("CASE WHEN %s THEN %s END", classModel, canonical(d, label))
			pc = fmt.Sprintf("CASE WHEN %s THEN %s END", classModel, canonical(d, "s.pred"))
		}
		sideCol := ""
		if delta != nil {
			sideCol = fmt.Sprintf("%d AS side, ", i)
		}
		selects = append(selects, fmt.Sprintf(`  SELECT %ss.m, s.w, s.p,
    %s AS y, %s IS NOT NULL AS yr, s.p >= %s AS yhat,
    %s AS yc, %s AS pc, %s AS yn, %s AS pn, %s AS lag_h
  FROM mm_scoped s%s`, sideCol, y, label, threshold, yc, pc, d.TryDouble(label), d.TryDouble("s.pred"), lag, joinSQL))
	}
	return fmt.Sprintf(`%s%s%s,
mm_lab AS %s(
%s
)`, scoped, labelsCTE, classCTE, b.materialized, strings.Join(selects, "\n  UNION ALL\n"))
}

// binaryLabel renders a label as the binary class, 1 or 0, NULL where it is neither, by the settings'
// LabelClasses: a class text that is a number compares with the label as numbers (1.0 is "1"), any other with
// the label's text trimmed and lower-cased; a nil negative list makes every other non-NULL label 0.
func (b *builder) binaryLabel(label string) string {
	d := b.d
	match := func(classes []string) string {
		var or []string
		for _, c := range classes {
			if v, err := strconv.ParseFloat(c, 64); err == nil {
				or = append(or, fmt.Sprintf("%s = %s", d.TryDouble(label), b.bind(v)))
			} else {
				or = append(or, fmt.Sprintf("lower(trim(%s)) = %s", d.Text(label), b.bind(c)))
			}
		}
		return "(" + strings.Join(or, " OR ") + ")"
	}
	pos, neg := b.s.cfg.LabelClasses()
	negative := label + " IS NOT NULL"
	positive := match(pos)
	if neg != nil {
		negative = match(neg)
	}
	return fmt.Sprintf("CASE WHEN %s THEN 1 WHEN %s THEN 0 END", positive, negative)
}

// labelledIn renders the condition that a log row's prediction id has a label with label_ts in (after, until]: a
// semi-join with the labels of that span only (binding both bounds).
func (b *builder) labelledIn(after, until time.Time, zoned bool) string {
	d, cfg := b.d, b.s.cfg
	return fmt.Sprintf("%s IN (SELECT %s FROM %s WHERE label_ts > %s AND label_ts <= %s)", d.Text(b.quote(cfg.PredictionIDColumn)),
		d.Text("prediction_id"), b.quote(cfg.LabelsTable), d.TimeBound(b.bind(timeText(after, zoned)), zoned),
		d.TimeBound(b.bind(timeText(until, zoned)), zoned))
}

// and appends a condition to a WHERE clause as scopeFilter renders it ("" when there is none).
func and(whereSQL, cond string) string {
	if whereSQL == "" {
		return "\n  WHERE " + cond
	}
	return whereSQL + " AND " + cond
}

// lagBucketSQL is a labelled row's lag bucket (store.LagBucket): NULL without a lag, 0 under a second either
// way, else ±(1 + ⌊ln(|lag| in seconds) / ln LagGrowth⌋).
var lagBucketSQL = fmt.Sprintf(`CASE WHEN lag_h IS NULL THEN NULL WHEN abs(lag_h) * 3600 < 1 THEN 0
  ELSE (CASE WHEN lag_h > 0 THEN 1 ELSE -1 END) * (1 + CAST(floor(ln(abs(lag_h) * 3600) / %s) AS INTEGER)) END`,
	strconv.FormatFloat(math.Log(store.LagGrowth), 'g', -1, 64))

// lagGroup is one row of the performance statement: a (model, window, lag bucket)'s counts and sums.
type lagGroup struct {
	row    store.WindowPerformance
	bucket sql.NullInt64 // NULL: the rows without a lag (unlabelled, or labels from a label column)
}

// foldLagGroups adds up the lag buckets of each (model, window) into its window row, in bucket order (so that
// the floating sums of one answer do not depend on the order the engine returns groups in), with the lag
// quantiles read from its lag histogram; windows come out ordered by model and window.
func foldLagGroups(groups []lagGroup) ([]store.WindowPerformance, []store.LagBucket) {
	sort.Slice(groups, func(i, j int) bool {
		a, b := &groups[i], &groups[j]
		if a.row.Model != b.row.Model {
			return a.row.Model < b.row.Model
		}
		if a.row.Window != b.row.Window {
			return a.row.Window < b.row.Window
		}
		return !a.bucket.Valid && b.bucket.Valid || a.bucket.Valid && b.bucket.Valid && a.bucket.Int64 < b.bucket.Int64
	})
	var windows []store.WindowPerformance
	var lags []store.LagBucket
	var firstLag []int // per window, the index of its first lag bucket
	for i := range groups {
		g := &groups[i]
		if i == 0 || g.row.Model != groups[i-1].row.Model || g.row.Window != groups[i-1].row.Window {
			windows = append(windows, store.WindowPerformance{Model: g.row.Model, Window: g.row.Window})
			firstLag = append(firstLag, len(lags))
		}
		store.AddPerformance(&windows[len(windows)-1], &g.row, 1)
		if g.bucket.Valid {
			lags = append(lags, store.LagBucket{Model: g.row.Model, Window: g.row.Window, Bucket: int(g.bucket.Int64), Count: g.row.Served})
		}
	}
	for i := range windows {
		end := len(lags)
		if i+1 < len(windows) {
			end = firstLag[i+1]
		}
		windows[i].LagP50Hours, windows[i].LagP90Hours = store.LagQuantiles(lags[firstLag[i]:end])
	}
	return windows, lags
}
