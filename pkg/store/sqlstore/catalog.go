package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// origin names the store in messages: its path, or the engine for a server.
func (s *Store) origin() string {
	if s.cfg.Path != "" {
		return s.cfg.Path
	}
	return s.d.Name()
}

// Health checks that the store answers and that every mapped column exists, naming each one that is missing,
// that the time column is a timestamp and that a feature map column is a map the dialect can read.
func (s *Store) Health(ctx context.Context) error {
	if err := s.r.Ping(ctx); err != nil {
		if s.cfg.Path == "" { // a server: its address is in err
			return fmt.Errorf("%s is not reachable: %w", s.d.Name(), err)
		}
		return fmt.Errorf("%s store %q is not reachable: %w", s.d.Name(), s.cfg.Path, err)
	}
	cols, err := s.columns(ctx, s.cfg.Table)
	if err != nil {
		return err
	}
	if cols == nil {
		return fmt.Errorf("table %q not found in %s", s.cfg.Table, s.origin())
	}
	var missing []string
	need := map[string]string{"time column": s.cfg.TimeColumn, "model column": s.cfg.ModelColumn,
		"version column": s.cfg.VersionColumn, "prediction id column": s.cfg.PredictionIDColumn,
		"prediction column": s.cfg.PredictionColumn, "score column": s.cfg.ScoreColumn, "label column": s.cfg.LabelColumn,
		"feature map column": s.cfg.FeatureMapColumn}
	for role, c := range need {
		if c != "" && cols[strings.ToLower(c)] == "" {
			missing = append(missing, fmt.Sprintf("%s %q", role, c))
		}
	}
	for _, c := range append(append([]string{}, s.cfg.FeatureColumns...), s.cfg.SegmentColumns...) {
		if cols[strings.ToLower(c)] == "" {
			missing = append(missing, fmt.Sprintf("column %q", c))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return fmt.Errorf("table %q is missing mapped columns: %s", s.cfg.Table, strings.Join(missing, ", "))
	}
	if c := s.cfg.FeatureMapColumn; c != "" {
		md, err := s.mapDialect()
		if err != nil {
			return err
		}
		if _, ok := md.MapValueType(cols[strings.ToLower(c)]); !ok {
			return mapTypeError(md, c, cols[strings.ToLower(c)])
		}
	}
	if t := cols[strings.ToLower(s.cfg.TimeColumn)]; !isTime(s.d, t) {
		return fmt.Errorf("time column %q has type %s, expected TIMESTAMP", s.cfg.TimeColumn, t)
	}
	return nil
}

// mapTypeError says that the feature map column col has a type (catalogType) the dialect cannot read as a map.
func mapTypeError(md MapDialect, col, catalogType string) error {
	return fmt.Errorf("feature map column %q has type %s, expected %s", col, catalogType, md.MapTypes())
}

func isTime(d Dialect, catalogType string) bool {
	ok, _ := d.TimeType(catalogType)
	return ok
}

// ValidateTable checks a reference table: it must exist and carry the model column and every feature.
func (s *Store) ValidateTable(ctx context.Context, table string, features []store.Feature) error {
	cols, err := s.columns(ctx, table)
	if err != nil {
		return err
	}
	if cols == nil {
		return fmt.Errorf("reference table %q not found", table)
	}
	var missing []string
	if cols[strings.ToLower(s.cfg.ModelColumn)] == "" {
		missing = append(missing, s.cfg.ModelColumn)
	}
	seen := map[string]bool{}
	for _, f := range features {
		if !seen[f.Name] && cols[strings.ToLower(f.Name)] == "" {
			missing = append(missing, f.Name)
		}
		seen[f.Name] = true
	}
	if len(missing) > 0 {
		return fmt.Errorf("reference table %q is missing columns: %s", table, strings.Join(missing, ", "))
	}
	return nil
}

// SegmentValues lists the values of a configured segment column within a scope (the zero scope: the whole log),
// most rows first, ties by value.
func (s *Store) SegmentValues(ctx context.Context, scope store.Scope, column string, limit int) ([]store.SegmentCount, error) {
	if !s.isSegmentColumn(column) {
		return nil, fmt.Errorf("%q is not a configured segment column (configured: %s)", column, strings.Join(s.cfg.SegmentColumns, ", "))
	}
	b := s.newBuilder()
	table, whereSQL := b.scopeFilter(scope)
	notNull := s.quote(column) + " IS NOT NULL"
	if whereSQL == "" {
		whereSQL = "\n  WHERE " + notNull
	} else {
		whereSQL += " AND " + notNull
	}
	q := fmt.Sprintf(`SELECT %s AS v, count(*) AS n FROM %s%s %s ORDER BY n DESC, v LIMIT %s`,
		s.d.Text(s.quote(column)), table, whereSQL, s.d.GroupBy(1), b.bind(limit))
	var out []store.SegmentCount
	err := s.collect(ctx, q, b.args, func(r Rows) error {
		var c store.SegmentCount
		if err := r.Scan(&c.Value, &c.Rows); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

func (s *Store) isSegmentColumn(c string) bool {
	for _, sc := range s.cfg.SegmentColumns {
		if strings.EqualFold(sc, c) {
			return true
		}
	}
	return false
}
