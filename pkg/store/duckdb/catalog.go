package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
)

// registryColumns are the columns DESIGN.md §3 gives the model registry.
var registryColumns = []string{"model_id", "feature", "feature_type", "importance"}

// hasRegistry reports whether the configured registry table exists with the columns we read.
func (s *Store) hasRegistry(ctx context.Context) (bool, error) {
	if s.cfg.RegistryTable == "" {
		return false, nil
	}
	cols, err := s.columns(ctx, s.cfg.RegistryTable)
	if err != nil || cols == nil {
		return false, err
	}
	for _, c := range registryColumns {
		if cols[c] == "" {
			return false, fmt.Errorf("model registry %q has no column %q", s.cfg.RegistryTable, c)
		}
	}
	return true, nil
}

// Models lists every model in the log with its versions, and task/tier/owner from the registry where known.
func (s *Store) Models(ctx context.Context) ([]store.Model, error) {
	q := fmt.Sprintf(`SELECT CAST(%[1]s AS VARCHAR) AS m, list(DISTINCT CAST(%[2]s AS VARCHAR) ORDER BY CAST(%[2]s AS VARCHAR))
		FROM %[3]s WHERE %[1]s IS NOT NULL GROUP BY 1 ORDER BY 1`,
		quote(s.cfg.ModelColumn), quote(s.versionColumnOrModel()), quote(s.cfg.Table))
	rows, err := s.queryRows(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Model
	for rows.Next() {
		var m store.Model
		var versions []any
		if err := rows.Scan(&m.ID, &versions); err != nil {
			return nil, err
		}
		for _, v := range versions {
			if v != nil && s.cfg.VersionColumn != "" {
				m.Versions = append(m.Versions, fmt.Sprint(v))
			}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.addRegistryInfo(ctx, out)
}

func (s *Store) versionColumnOrModel() string {
	if s.cfg.VersionColumn != "" {
		return s.cfg.VersionColumn
	}
	return s.cfg.ModelColumn
}

func (s *Store) addRegistryInfo(ctx context.Context, models []store.Model) error {
	ok, err := s.hasRegistry(ctx)
	if err != nil || !ok {
		return err
	}
	cols, _ := s.columns(ctx, s.cfg.RegistryTable)
	pick := func(c string) string {
		if cols[c] != "" {
			return "any_value(CAST(" + quote(c) + " AS VARCHAR))"
		}
		return "NULL"
	}
	q := fmt.Sprintf(`SELECT CAST(model_id AS VARCHAR), %s, %s, %s FROM %s GROUP BY 1`,
		pick("task"), pick("tier"), pick("owner"), quote(s.cfg.RegistryTable))
	rows, err := s.queryRows(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	index := map[string]int{}
	for i, m := range models {
		index[m.ID] = i
	}
	for rows.Next() {
		var id string
		var task, tier, owner sql.NullString
		if err := rows.Scan(&id, &task, &tier, &owner); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			models[i].Task, models[i].Tier, models[i].Owner = task.String, tier.String, owner.String
		}
	}
	return rows.Err()
}

// Features lists the features of one model, or of every model when model is "". The registry decides which
// features a model has, their type and importance; models missing from the registry (or every model, when there
// is no registry) get every feature column, typed from its SQL type, with unknown importance.
func (s *Store) Features(ctx context.Context, model string) ([]store.Feature, error) {
	cols, err := s.columns(ctx, s.cfg.Table)
	if err != nil {
		return nil, err
	}
	if cols == nil {
		return nil, fmt.Errorf("table %q not found in %s", s.cfg.Table, s.cfg.Path)
	}
	candidates, perModel := s.featureColumns(cols), map[string][]string(nil)
	if s.cfg.FeatureMapColumn != "" {
		if candidates, perModel, err = s.mapKeys(ctx, cols); err != nil {
			return nil, err
		}
	}
	models, err := s.Models(ctx)
	if err != nil {
		return nil, err
	}
	known := false
	for _, m := range models {
		known = known || m.ID == model
	}
	if model != "" && !known {
		return nil, fmt.Errorf("unknown model %q (the log has %d models; see the models resource)", model, len(models))
	}
	registered, err := s.registryFeatures(ctx, model, candidates)
	if err != nil {
		return nil, err
	}
	var out []store.Feature
	for _, m := range models {
		if model != "" && m.ID != model {
			continue
		}
		if fs, ok := registered[m.ID]; ok {
			out = append(out, fs...)
			continue
		}
		names := slices.Sorted(maps.Keys(candidates))
		if perModel != nil {
			names = perModel[m.ID]
		}
		for _, name := range names {
			out = append(out, store.Feature{Model: m.ID, Name: name, Type: candidates[name]})
		}
	}
	return out, nil
}

// featureColumns returns the mapped feature columns (or every unmapped column of a feature type) with types.
func (s *Store) featureColumns(cols map[string]string) map[string]store.FeatureType {
	out := map[string]store.FeatureType{}
	if len(s.cfg.FeatureColumns) > 0 {
		for _, c := range s.cfg.FeatureColumns {
			if t, ok := featureType(cols[strings.ToLower(c)]); ok {
				out[strings.ToLower(c)] = t
			}
		}
		return out
	}
	reserved := s.cfg.ReservedColumns()
	for c, typ := range cols {
		if reserved[c] || !settings.ValidIdentifier(c) {
			continue
		}
		if t, ok := featureType(typ); ok {
			out[c] = t
		}
	}
	return out
}

func (s *Store) registryFeatures(ctx context.Context, model string, candidates map[string]store.FeatureType) (map[string][]store.Feature, error) {
	ok, err := s.hasRegistry(ctx)
	if err != nil || !ok {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT CAST(model_id AS VARCHAR), lower(CAST(feature AS VARCHAR)), lower(CAST(feature_type AS VARCHAR)),
		CAST(importance AS DOUBLE) FROM %s WHERE (? = '' OR CAST(model_id AS VARCHAR) = ?)
		ORDER BY 1, importance DESC NULLS LAST, 2`, quote(s.cfg.RegistryTable))
	rows, err := s.queryRows(ctx, q, model, model)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]store.Feature{}
	for rows.Next() {
		var m, f string
		var typ sql.NullString
		var imp sql.NullFloat64
		if err := rows.Scan(&m, &f, &typ, &imp); err != nil {
			return nil, err
		}
		colType, isColumn := candidates[f]
		if !isColumn && s.cfg.FeatureMapColumn != "" && settings.ValidIdentifier(f) {
			// A map key that never occurs (an always-missing feature) is still the registry's to declare.
			colType, isColumn = store.FeatureType(typ.String), true
		}
		if !isColumn {
			return nil, fmt.Errorf("model registry lists feature %q for model %q, but %q has no such feature column", f, m, s.cfg.Table)
		}
		ft := store.FeatureType(typ.String)
		if ft != store.Numeric && ft != store.Categorical {
			ft = colType
		}
		if ft == store.Numeric && colType != store.Numeric && s.cfg.FeatureMapColumn == "" {
			return nil, fmt.Errorf("model registry says feature %q of %q is numeric, but its column is not a number type", f, m)
		}
		feat := store.Feature{Model: m, Name: f, Type: ft}
		if imp.Valid {
			v := imp.Float64
			feat.Importance = &v
		}
		out[m] = append(out[m], feat)
	}
	return out, rows.Err()
}

// mapKeys lists the keys of the MAP feature column, per model, typed by the map's value type (a VARCHAR-valued
// map gives categorical features unless the registry says numeric; such values are read with TRY_CAST).
func (s *Store) mapKeys(ctx context.Context, cols map[string]string) (map[string]store.FeatureType, map[string][]string, error) {
	s.mu.Lock()
	cached := s.keys
	s.mu.Unlock()
	if cached != nil && time.Since(cached.at) < mapKeysTTL {
		return cached.types, cached.perModel, nil
	}
	colType := cols[strings.ToLower(s.cfg.FeatureMapColumn)]
	valueType := strings.TrimSuffix(strings.TrimPrefix(colType, "MAP(VARCHAR, "), ")")
	t, ok := featureType(valueType)
	if !strings.HasPrefix(colType, "MAP(VARCHAR") || !ok {
		return nil, nil, fmt.Errorf("feature map column %q has type %s, expected MAP(VARCHAR, a number or text type)", s.cfg.FeatureMapColumn, colType)
	}
	q := fmt.Sprintf(`SELECT m, k FROM (SELECT DISTINCT CAST(%s AS VARCHAR) AS m, unnest(map_keys(%s)) AS k FROM %s) ORDER BY 1, 2`,
		quote(s.cfg.ModelColumn), quote(s.cfg.FeatureMapColumn), quote(s.cfg.Table))
	rows, err := s.queryRows(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	types, perModel := map[string]store.FeatureType{}, map[string][]string{}
	for rows.Next() {
		var m, k string
		if err := rows.Scan(&m, &k); err != nil {
			return nil, nil, err
		}
		k = strings.ToLower(k)
		if !settings.ValidIdentifier(k) {
			continue // not addressable by the query model's feature names
		}
		types[k] = t
		perModel[m] = append(perModel[m], k)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	s.keys = &mapKeyList{at: time.Now(), types: types, perModel: perModel}
	s.mu.Unlock()
	return types, perModel, nil
}

// mapKeysTTL is how long the map's key list is reused: listing keys scans the whole column, and new features
// appear rarely.
const mapKeysTTL = 5 * time.Minute

type mapKeyList struct {
	at       time.Time
	types    map[string]store.FeatureType
	perModel map[string][]string
}

// SegmentValues lists the values of a configured segment column within a scope (the zero scope: the whole log),
// most rows first, ties by value.
func (s *Store) SegmentValues(ctx context.Context, scope store.Scope, column string, limit int) ([]store.SegmentCount, error) {
	if !s.isSegmentColumn(column) {
		return nil, fmt.Errorf("%q is not a configured segment column (configured: %s)", column, strings.Join(s.cfg.SegmentColumns, ", "))
	}
	b := &sqlBuilder{s: s}
	table, whereSQL := b.scopeFilter(scope)
	notNull := fmt.Sprintf("%s IS NOT NULL", quote(column))
	if whereSQL == "" {
		whereSQL = "\n  WHERE " + notNull
	} else {
		whereSQL += " AND " + notNull
	}
	q := fmt.Sprintf(`SELECT CAST(%s AS VARCHAR) AS v, count(*) AS n FROM %s%s GROUP BY 1 ORDER BY n DESC, v LIMIT ?`,
		quote(column), quote(table), whereSQL)
	rows, err := s.queryRows(ctx, q, append(b.args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SegmentCount
	for rows.Next() {
		var c store.SegmentCount
		if err := rows.Scan(&c.Value, &c.Rows); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) isSegmentColumn(c string) bool {
	for _, sc := range s.cfg.SegmentColumns {
		if strings.EqualFold(sc, c) {
			return true
		}
	}
	return false
}
