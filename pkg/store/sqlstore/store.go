package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
)

// Store implements store.Store over one engine's Dialect and Runner.
type Store struct {
	d   Dialect
	r   Runner
	cfg settings.Settings

	mu     sync.Mutex
	tables map[string]map[string]string // lower-case table → lower-case column → catalogue type
	keys   *mapKeyList                  // keys of the feature map column, when one is mapped
}

var _ store.Store = (*Store)(nil)

// New returns the store reading the log the settings describe through d and r. The Store owns r: Close closes it.
func New(cfg settings.Settings, d Dialect, r Runner) *Store {
	return &Store{d: d, r: r, cfg: cfg, tables: map[string]map[string]string{}}
}

// Close releases the engine (Runner.Close).
func (s *Store) Close() error { return s.r.Close() }

// query runs one statement, naming the engine in its error, or the cancellation when ctx ended.
func (s *Store) query(ctx context.Context, q string, args []any) (Rows, error) {
	rows, err := s.r.Query(ctx, q, args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("query cancelled or timed out: %w", ctx.Err())
		}
		return nil, fmt.Errorf("%s query failed: %w", s.d.Name(), err)
	}
	return rows, nil
}

// collect runs one statement and calls scan once per row; the first error (statement, scan, iteration) is returned.
func (s *Store) collect(ctx context.Context, q string, args []any, scan func(Rows) error) error {
	rows, err := s.query(ctx, q, args)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("query cancelled or timed out: %w", ctx.Err())
		}
		return fmt.Errorf("%s query failed: %w", s.d.Name(), err)
	}
	return nil
}

// columns returns the columns of a table (lower-case name → catalogue type), or nil when it does not exist.
// Results are kept for the life of the store: schema changes need a data source reload.
func (s *Store) columns(ctx context.Context, table string) (map[string]string, error) {
	key := strings.ToLower(table)
	s.mu.Lock()
	cols, ok := s.tables[key]
	s.mu.Unlock()
	if ok {
		return cols, nil
	}
	cols, err := s.r.Columns(ctx, table)
	if err != nil {
		return nil, fmt.Errorf("%s: list the columns of %q: %w", s.d.Name(), table, err)
	}
	if len(cols) == 0 {
		cols = nil
	}
	s.mu.Lock()
	s.tables[key] = cols
	s.mu.Unlock()
	return cols, nil
}

// zonedTime reports whether the log's time column holds absolute instants (its type was read by Health or an
// earlier catalogue look-up; an unknown type counts as naive).
func (s *Store) zonedTime() bool {
	s.mu.Lock()
	cols := s.tables[strings.ToLower(s.cfg.Table)]
	s.mu.Unlock()
	_, zoned := s.d.TimeType(cols[strings.ToLower(s.cfg.TimeColumn)])
	return zoned
}

// mapDialect returns the dialect's feature-map operations, or an error naming the engine when it has none.
func (s *Store) mapDialect() (MapDialect, error) {
	md, ok := s.d.(MapDialect)
	if !ok {
		return nil, fmt.Errorf("%s cannot read features from a map column (featureMapColumn); map feature columns instead", s.d.Name())
	}
	return md, nil
}
