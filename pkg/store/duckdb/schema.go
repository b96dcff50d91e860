package duckdb

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/store"
)

// columns returns the columns of a table (lower-case name → type), or nil when the table does not exist.
// Results are cached for the life of the store: schema changes need a data source reload.
func (s *Store) columns(ctx context.Context, table string) (map[string]string, error) {
	key := strings.ToLower(table)
	s.mu.Lock()
	cols, ok := s.tables[key]
	s.mu.Unlock()
	if ok {
		return cols, nil
	}
	rows, err := s.queryRows(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE lower(table_name) = ? ORDER BY ordinal_position`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols = map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols[strings.ToLower(name)] = strings.ToUpper(typ)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		cols = nil
	}
	s.mu.Lock()
	s.tables[key] = cols
	s.mu.Unlock()
	return cols, nil
}

// featureType infers how a column is binned from its DuckDB type; ok is false for types that are not features.
func featureType(duckType string) (store.FeatureType, bool) {
	t := strings.ToUpper(duckType)
	switch {
	case strings.HasPrefix(t, "DECIMAL"), t == "DOUBLE", t == "FLOAT", t == "REAL", strings.HasSuffix(t, "INT"),
		t == "BIGINT", t == "HUGEINT", t == "UHUGEINT", t == "INTEGER", t == "SMALLINT", t == "TINYINT",
		t == "UBIGINT", t == "UINTEGER", t == "USMALLINT", t == "UTINYINT":
		return store.Numeric, true
	case t == "VARCHAR", t == "BOOLEAN", strings.HasPrefix(t, "ENUM"):
		return store.Categorical, true
	}
	return "", false
}

// Health checks that the store answers and that every mapped column exists, naming each one that is missing.
func (s *Store) Health(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("DuckDB store %q is not reachable: %w", s.cfg.Path, err)
	}
	cols, err := s.columns(ctx, s.cfg.Table)
	if err != nil {
		return err
	}
	if cols == nil {
		return fmt.Errorf("table %q not found in %s", s.cfg.Table, s.cfg.Path)
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
	if c := s.cfg.FeatureMapColumn; c != "" && !strings.HasPrefix(cols[strings.ToLower(c)], "MAP(VARCHAR") {
		return fmt.Errorf("feature map column %q has type %s, expected MAP(VARCHAR, …) (cast a JSON column to a MAP in a view)", c, cols[strings.ToLower(c)])
	}
	if t := cols[strings.ToLower(s.cfg.TimeColumn)]; !strings.HasPrefix(t, "TIMESTAMP") && t != "DATE" {
		return fmt.Errorf("time column %q has type %s, expected TIMESTAMP", s.cfg.TimeColumn, t)
	}
	return nil
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

// timeParam returns the SQL type of the time column and how to render a bound as text of that type: naive
// TIMESTAMP columns hold UTC wall-clock times; TIMESTAMPTZ columns get an absolute RFC 3339 instant.
func (s *Store) timeParam() (string, func(time.Time) string) {
	s.mu.Lock()
	cols := s.tables[strings.ToLower(s.cfg.Table)]
	s.mu.Unlock()
	if strings.Contains(cols[strings.ToLower(s.cfg.TimeColumn)], "TIME ZONE") {
		return "TIMESTAMPTZ", func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	}
	return "TIMESTAMP", func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }
}
