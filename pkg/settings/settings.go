// Package settings holds the data source configuration (Grafana jsonData + secureJsonData): which store engine
// to use, where the inference logs are, and how their columns map onto the data model: one row per prediction
// (time, model, version, prediction id, features as wide columns or one MAP column, prediction, score, label,
// segment columns), labels optionally in a labels table joined by prediction id, a model registry.
package settings

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Engine names the store adapter.
type Engine string

const (
	EngineDuckDB   Engine = "duckdb"
	EnginePostgres Engine = "postgres"
	EngineSpark    Engine = "spark"
)

// Settings is the parsed data source configuration. Zero values are replaced by Defaults() so the demo needs no
// configuration at all.
type Settings struct {
	Engine             Engine   `json:"engine"`
	Path               string   `json:"path"`
	Table              string   `json:"table"`
	TimeColumn         string   `json:"timeColumn"`
	ModelColumn        string   `json:"modelColumn"`
	VersionColumn      string   `json:"versionColumn"`
	PredictionIDColumn string   `json:"predictionIdColumn"`
	FeatureColumns     []string `json:"featureColumns"`
	FeatureMapColumn   string   `json:"featureMapColumn"`
	PredictionColumn   string   `json:"predictionColumn"`
	ScoreColumn        string   `json:"scoreColumn"`
	LabelColumn        string   `json:"labelColumn"`
	SegmentColumns     []string `json:"segmentColumns"`
	LabelsTable        string   `json:"labelsTable"`
	RegistryTable      string   `json:"registryTable"`
	// MinSamples is the fewest rows a window or reference needs to be scored (at least 1).
	MinSamples int `json:"minSamples"`
	// QueryTimeoutSecs is each query's time-out in seconds (at least 1).
	QueryTimeoutSecs int `json:"queryTimeoutSeconds"`
	// MemoryLimitMB bounds the embedded engine's working memory (DuckDB memory_limit, at least MinMemoryLimitMB);
	// beyond it DuckDB spills to its temp directory, so concurrent dashboard queries queue on memory instead of
	// exhausting the host.
	MemoryLimitMB int `json:"memoryLimitMB"`
	// PositiveLabel names the label value of the positive class of binary models ("" = the rule of
	// LabelClasses: 1, true, yes positive; 0, false, no negative; case-insensitive).
	PositiveLabel string `json:"positiveLabel"`
	// DefaultReference is the reference of every query that names none (a query's "reference" object, e.g. the
	// validation week {"type":"range","from":…,"to":…}); empty = the N windows before each window. Parsed and
	// checked by the query package when the data source is built.
	DefaultReference json.RawMessage `json:"defaultReference,omitempty"`

	// Ignored lists the jsonData keys no setting reads (sorted), which CheckHealth names.
	Ignored []string `json:"-"`

	// Password comes from secureJsonData (server engines); never serialised back.
	Password string `json:"-"`

	// Postgres is the connection of engine "postgres".
	Postgres
	// Spark is the connection of engine "spark".
	Spark
	// Cache is the reuse of settled windows across queries.
	Cache
}

// Defaults returns the settings used where jsonData is silent: the layout the demo generator writes.
func Defaults() Settings {
	return Settings{
		Engine:             EngineDuckDB,
		Path:               "demo/modelmon.duckdb",
		Table:              "inference_log",
		TimeColumn:         "ts",
		ModelColumn:        "model_id",
		VersionColumn:      "model_version",
		PredictionIDColumn: "prediction_id",
		PredictionColumn:   "prediction",
		ScoreColumn:        "score",
		SegmentColumns:     []string{"region", "channel"},
		LabelsTable:        "inference_label",
		RegistryTable:      "model_registry",
		MinSamples:         100,
		QueryTimeoutSecs:   60,
		MemoryLimitMB:      4096,
		Postgres:           Postgres{Port: DefaultPostgresPort, SSLMode: SSLRequire, MaxConnections: DefaultMaxConnections},
		Spark: Spark{MaxConcurrentQueries: DefaultMaxConcurrentQueries, ExactQuantileMaxValues: DefaultExactQuantileMaxValues,
			QuantileAccuracy: DefaultQuantileAccuracy},
		Cache: Cache{CacheMB: DefaultCacheMB, CacheSettleMinutes: DefaultCacheSettleMinutes},
	}
}

// MinMemoryLimitMB is the smallest memoryLimitMB accepted (the config editor's bound too).
const MinMemoryLimitMB = 64

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidIdentifier reports whether s is a plain SQL identifier. Everything we splice into SQL as a name passes
// this check and is then quoted; values are always bound parameters.
func ValidIdentifier(s string) bool { return identRe.MatchString(s) }

// Parse reads jsonData (and the decrypted secureJsonData) and fills defaults.
func Parse(jsonData []byte, secure map[string]string) (Settings, error) {
	s := Defaults()
	if len(strings.TrimSpace(string(jsonData))) > 0 {
		var raw Settings
		if err := json.Unmarshal(jsonData, &raw); err != nil {
			return s, jsonError(err)
		}
		s.Ignored = unknownKeys(jsonData)
		s.switchOff(jsonData)
		merge(&s, raw)
		s.setNumbers(jsonData)
		mergePostgres(&s.Postgres, raw.Postgres)
		mergeSpark(&s.Spark, raw.Spark)
		if err := s.mergeCache(jsonData); err != nil {
			return s, jsonError(err)
		}
		if s.Engine != EngineDuckDB && strings.TrimSpace(raw.Path) == "" {
			s.Path = "" // the default path is the DuckDB demo's
		}
	}
	s.Password = secure["password"]
	s.TLSCACert = secure["tlsCACert"]
	s.Token = secure["token"]
	return s, s.Validate()
}

func merge(dst *Settings, src Settings) {
	setStr := func(d *string, v string) {
		if strings.TrimSpace(v) != "" {
			*d = strings.TrimSpace(v)
		}
	}
	if src.Engine != "" {
		dst.Engine = src.Engine
	}
	setStr(&dst.Path, src.Path)
	setStr(&dst.Table, src.Table)
	setStr(&dst.TimeColumn, src.TimeColumn)
	setStr(&dst.ModelColumn, src.ModelColumn)
	setStr(&dst.VersionColumn, src.VersionColumn)
	setStr(&dst.PredictionIDColumn, src.PredictionIDColumn)
	setStr(&dst.FeatureMapColumn, src.FeatureMapColumn)
	setStr(&dst.PredictionColumn, src.PredictionColumn)
	setStr(&dst.ScoreColumn, src.ScoreColumn)
	setStr(&dst.LabelColumn, src.LabelColumn)
	setStr(&dst.LabelsTable, src.LabelsTable)
	setStr(&dst.RegistryTable, src.RegistryTable)
	setStr(&dst.PositiveLabel, src.PositiveLabel)
	if src.FeatureColumns != nil {
		dst.FeatureColumns = src.FeatureColumns
	}
	if src.SegmentColumns != nil {
		dst.SegmentColumns = src.SegmentColumns
	}
	if len(src.DefaultReference) > 0 {
		dst.DefaultReference = src.DefaultReference
	}
}

// setNumbers copies the numbers jsonData gives (even 0 or negative, which Validate then rejects by name); an
// absent key or null keeps the default. jsonData has already decoded into Settings.
func (s *Settings) setNumbers(jsonData []byte) {
	var n struct {
		MinSamples       *int `json:"minSamples"`
		QueryTimeoutSecs *int `json:"queryTimeoutSeconds"`
		MemoryLimitMB    *int `json:"memoryLimitMB"`
	}
	_ = json.Unmarshal(jsonData, &n)
	for _, f := range []struct {
		src *int
		dst *int
	}{{n.MinSamples, &s.MinSamples}, {n.QueryTimeoutSecs, &s.QueryTimeoutSecs}, {n.MemoryLimitMB, &s.MemoryLimitMB}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

// Validate checks the engine, the numbers (minSamples ≥ 1, queryTimeoutSeconds ≥ 1, memoryLimitMB ≥
// MinMemoryLimitMB), that every mapped name is a plain identifier and that no segment column is a mapped
// column of another role. Whether the columns exist is checked against the discovered schema by the store
// (CheckHealth names what is missing); the defaultReference is checked by the query package.
func (s Settings) Validate() error {
	switch s.Engine {
	case EngineDuckDB:
		if s.Path == "" {
			return fmt.Errorf("path to the DuckDB file or Parquet/CSV files is required")
		}
	case EnginePostgres:
		if err := s.validatePostgres(); err != nil {
			return err
		}
	case EngineSpark:
		if err := s.validateSpark(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown engine %q (expected duckdb, postgres or spark)", s.Engine)
	}
	switch {
	case s.MinSamples < 1:
		return fmt.Errorf("minSamples must be at least 1, got %d (leave it out for the default 100)", s.MinSamples)
	case s.QueryTimeoutSecs < 1:
		return fmt.Errorf("queryTimeoutSeconds must be at least 1, got %d (leave it out for the default 60)", s.QueryTimeoutSecs)
	case s.MemoryLimitMB < MinMemoryLimitMB:
		return fmt.Errorf("memoryLimitMB must be at least %d, got %d (leave it out for the default 4096)", MinMemoryLimitMB, s.MemoryLimitMB)
	}
	if err := s.validateCache(); err != nil {
		return err
	}
	for _, n := range s.namedIdentifiers() {
		if n.value != "" && !ValidIdentifier(n.value) {
			return fmt.Errorf("%s %q is not a valid identifier (letters, digits and _ only, not starting with a digit)", n.name, n.value)
		}
	}
	return s.validateSegments()
}

// validateSegments rejects a segment column that is also the time, prediction id, feature map, prediction,
// score or label column: segments are categories of their own (region, channel) that split and filter the
// rows. (The model and version columns may be segments: a split by version is a comparison of versions.)
func (s Settings) validateSegments() error {
	roles := []named{{"time column", s.TimeColumn}, {"prediction id column", s.PredictionIDColumn},
		{"feature map column", s.FeatureMapColumn}, {"prediction column", s.PredictionColumn},
		{"score column", s.ScoreColumn}, {"label column", s.LabelColumn}}
	for _, c := range s.SegmentColumns {
		for _, r := range roles {
			if r.value != "" && strings.EqualFold(c, r.value) {
				return fmt.Errorf("segment column %q is the %s: a segment column must be a category column of its own (such as region)", c, r.name)
			}
		}
	}
	return nil
}

type named struct{ name, value string }

func (s Settings) namedIdentifiers() []named {
	out := []named{
		{"table", s.Table}, {"time column", s.TimeColumn}, {"model column", s.ModelColumn},
		{"version column", s.VersionColumn}, {"prediction id column", s.PredictionIDColumn},
		{"feature map column", s.FeatureMapColumn}, {"prediction column", s.PredictionColumn},
		{"score column", s.ScoreColumn}, {"label column", s.LabelColumn}, {"labels table", s.LabelsTable},
		{"registry table", s.RegistryTable},
	}
	for _, c := range s.FeatureColumns {
		out = append(out, named{"feature column", c})
	}
	for _, c := range s.SegmentColumns {
		out = append(out, named{"segment column", c})
	}
	return out
}

// ReservedColumns are the mapped non-feature columns: with featureColumns empty, every other column of the log
// table is a feature.
func (s Settings) ReservedColumns() map[string]bool {
	r := map[string]bool{}
	for _, c := range []string{s.TimeColumn, s.ModelColumn, s.VersionColumn, s.PredictionIDColumn, s.FeatureMapColumn,
		s.PredictionColumn, s.ScoreColumn, s.LabelColumn} {
		if c != "" {
			r[strings.ToLower(c)] = true
		}
	}
	for _, c := range s.SegmentColumns {
		r[strings.ToLower(c)] = true
	}
	return r
}

// Key identifies the store these settings read, for caches shared across data source instances.
func (s Settings) Key() string {
	b, _ := json.Marshal(s)
	return string(b)
}
