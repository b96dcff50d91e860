package sqlstore

import (
	"cmp"
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

// registryColumns are the columns of the model registry the catalogue reads; task, tier and owner are optional.
var registryColumns = []string{"model_id", "feature", "feature_type", "importance"}

// hasRegistry reports whether the configured registry table exists with the columns the catalogue reads.
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

// Models lists every model of the log (by id, byte order) with its versions (byte order; none without a version
// column), and task/tier/owner from the registry where known.
func (s *Store) Models(ctx context.Context) ([]store.Model, error) {
	model := s.d.Text(s.quote(s.cfg.ModelColumn))
	version := "NULL"
	if s.cfg.VersionColumn != "" {
		version = s.d.Text(s.quote(s.cfg.VersionColumn))
	}
	q := fmt.Sprintf(`SELECT DISTINCT %s AS m, %s AS v FROM %s WHERE %s IS NOT NULL`,
		model, version, s.quote(s.cfg.Table), s.quote(s.cfg.ModelColumn))
	versions := map[string][]string{}
	err := s.collect(ctx, q, nil, func(r Rows) error {
		var m string
		var v sql.NullString
		if err := r.Scan(&m, &v); err != nil {
			return err
		}
		if _, ok := versions[m]; !ok {
			versions[m] = nil
		}
		if v.Valid {
			versions[m] = append(versions[m], v.String)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []store.Model
	for _, id := range slices.Sorted(maps.Keys(versions)) {
		vs := versions[id]
		slices.Sort(vs)
		out = append(out, store.Model{ID: id, Versions: vs})
	}
	return out, s.addRegistryInfo(ctx, out)
}

func (s *Store) quote(ident string) string { return s.d.Quote(ident) }

func (s *Store) addRegistryInfo(ctx context.Context, models []store.Model) error {
	ok, err := s.hasRegistry(ctx)
	if err != nil || !ok {
		return err
	}
	cols, _ := s.columns(ctx, s.cfg.RegistryTable)
	pick := func(agg, c string) string {
		if cols[c] != "" {
			return agg + "(" + s.d.Text(s.quote(c)) + ")"
		}
		return "NULL"
	}
	q := fmt.Sprintf(`SELECT %s AS model, %s, %s, %s, %s, %s FROM %s %s`, s.d.Text("model_id"), pick("max", "task"),
		pick("max", "tier"), pick("min", "tier"), pick("max", "owner"), pick("min", "owner"), s.quote(s.cfg.RegistryTable), s.d.GroupBy(1))
	index := map[string]int{}
	for i, m := range models {
		index[m.ID] = i
	}
	return s.collect(ctx, q, nil, func(r Rows) error {
		var id string
		var task, tier, minTier, owner, minOwner sql.NullString
		if err := r.Scan(&id, &task, &tier, &minTier, &owner, &minOwner); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			models[i].Task, models[i].Tier, models[i].Owner = task.String, tier.String, owner.String
			models[i].Tiers, models[i].Owners = disagreement(minTier.String, tier.String), disagreement(minOwner.String, owner.String)
		}
		return nil
	})
}

// disagreement is nil when a registry column's least and greatest values of a model agree (case and surrounding
// space ignored), else both (store.Model's Tiers and Owners).
func disagreement(least, greatest string) []string {
	if strings.EqualFold(strings.TrimSpace(least), strings.TrimSpace(greatest)) {
		return nil
	}
	return []string{least, greatest}
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
		return nil, fmt.Errorf("table %q not found in %s", s.cfg.Table, s.origin())
	}
	candidates, perModel := s.featureColumns(cols), map[string][]string(nil)
	if s.cfg.FeatureMapColumn != "" {
		if candidates, perModel, err = s.mapKeys(ctx, cols); err != nil {
			return nil, err
		}
	}
	models, ok := store.ModelsIn(ctx)
	if !ok {
		if models, err = s.Models(ctx); err != nil {
			return nil, err
		}
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
			if t, ok := s.d.FeatureType(cols[strings.ToLower(c)]); ok {
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
		if t, ok := s.d.FeatureType(typ); ok {
			out[c] = t
		}
	}
	return out
}

// registryRow is one row of the model registry as the catalogue reads it.
type registryRow struct {
	model, feature string
	typ            sql.NullString
	importance     sql.NullFloat64
}

// registryFeatures reads the registry's features per model: by importance (descending, unknown last), then name.
func (s *Store) registryFeatures(ctx context.Context, model string, candidates map[string]store.FeatureType) (map[string][]store.Feature, error) {
	ok, err := s.hasRegistry(ctx)
	if err != nil || !ok {
		return nil, err
	}
	b := s.newBuilder()
	where := ""
	if model != "" {
		where = " WHERE " + s.d.Text("model_id") + " = " + b.bind(model)
	}
	q := fmt.Sprintf(`SELECT %s, lower(%s), lower(%s), %s FROM %s%s`, s.d.Text("model_id"), s.d.Text("feature"),
		s.d.Text("feature_type"), s.d.Double("importance"), s.quote(s.cfg.RegistryTable), where)
	var rows []registryRow
	err = s.collect(ctx, q, b.args, func(r Rows) error {
		var row registryRow
		if err := r.Scan(&row.model, &row.feature, &row.typ, &row.importance); err != nil {
			return err
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b registryRow) int {
		if c := cmp.Compare(a.model, b.model); c != 0 {
			return c
		}
		if a.importance.Valid != b.importance.Valid {
			if a.importance.Valid {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.importance.Float64, a.importance.Float64); c != 0 {
			return c
		}
		return cmp.Compare(a.feature, b.feature)
	})
	out := map[string][]store.Feature{}
	for _, row := range rows {
		feat, err := s.registryFeature(row, candidates)
		if err != nil {
			return nil, err
		}
		out[row.model] = append(out[row.model], feat)
	}
	return out, nil
}

// registryFeature checks one registry row against the log's feature columns and types it.
func (s *Store) registryFeature(row registryRow, candidates map[string]store.FeatureType) (store.Feature, error) {
	m, f := row.model, row.feature
	colType, isColumn := candidates[f]
	if !isColumn && s.cfg.FeatureMapColumn != "" && settings.ValidIdentifier(f) {
		// A map key that never occurs (an always-missing feature) is still the registry's to declare.
		colType, isColumn = store.FeatureType(row.typ.String), true
	}
	if !isColumn {
		return store.Feature{}, fmt.Errorf("model registry lists feature %q for model %q, but %q has no such feature column", f, m, s.cfg.Table)
	}
	ft := store.FeatureType(row.typ.String)
	if ft != store.Numeric && ft != store.Categorical {
		ft = colType
	}
	if ft == store.Numeric && colType != store.Numeric && s.cfg.FeatureMapColumn == "" {
		return store.Feature{}, fmt.Errorf("model registry says feature %q of %q is numeric, but its column is not a number type", f, m)
	}
	feat := store.Feature{Model: m, Name: f, Type: ft}
	if row.importance.Valid {
		v := row.importance.Float64
		feat.Importance = &v
	}
	return feat, nil
}

// mapKeys lists the keys of the feature map column per model, lower-cased (keys differing only in case are one
// feature, and the statements compare keys lower-cased), in byte order, typed by the map's value type.
func (s *Store) mapKeys(ctx context.Context, cols map[string]string) (map[string]store.FeatureType, map[string][]string, error) {
	s.mu.Lock()
	cached := s.keys
	s.mu.Unlock()
	if cached != nil && time.Since(cached.at) < mapKeysTTL {
		return cached.types, cached.perModel, nil
	}
	md, err := s.mapDialect()
	if err != nil {
		return nil, nil, err
	}
	colType := cols[strings.ToLower(s.cfg.FeatureMapColumn)]
	t, ok := md.MapValueType(colType)
	if !ok {
		return nil, nil, mapTypeError(md, s.cfg.FeatureMapColumn, colType)
	}
	from := fmt.Sprintf("(SELECT %s AS m, %s AS fm FROM %s) mm_t", s.d.Text(s.quote(s.cfg.ModelColumn)),
		s.quote(s.cfg.FeatureMapColumn), s.quote(s.cfg.Table))
	q := fmt.Sprintf(`SELECT DISTINCT m, k FROM (%s) x`, md.MapEntries(from, []string{"m"}, "fm", "k", "val"))
	seen := map[[2]string]bool{}
	types, perModel := map[string]store.FeatureType{}, map[string][]string{}
	err = s.collect(ctx, q, nil, func(r Rows) error {
		var m, k string
		if err := r.Scan(&m, &k); err != nil {
			return err
		}
		k = strings.ToLower(k)
		if !settings.ValidIdentifier(k) || seen[[2]string{m, k}] {
			return nil // not addressable by the query model's feature names, or a key seen in another case
		}
		seen[[2]string{m, k}] = true
		types[k] = t
		perModel[m] = append(perModel[m], k)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, keys := range perModel {
		slices.Sort(keys)
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
