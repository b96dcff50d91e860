package settings

import (
	"encoding/json"
	"strings"
)

// optionalKeys are the jsonData keys of mapped names a log may not have. Set to "" (or only spaces) they switch
// the column or table off — a log without model versions, labels, a registry, scores or predictions — instead
// of falling back to the default name. Absent keys keep their defaults. The required names (table,
// timeColumn, modelColumn) fall back to their defaults when empty.
func (s *Settings) optionalKeys() map[string]*string {
	return map[string]*string{
		"versionColumn":      &s.VersionColumn,
		"predictionIdColumn": &s.PredictionIDColumn,
		"predictionColumn":   &s.PredictionColumn,
		"scoreColumn":        &s.ScoreColumn,
		"labelColumn":        &s.LabelColumn,
		"labelsTable":        &s.LabelsTable,
		"registryTable":      &s.RegistryTable,
		"featureMapColumn":   &s.FeatureMapColumn,
	}
}

// switchOff clears every optional name that jsonData sets to an empty string. (segmentColumns and
// featureColumns switch off with [] already: an empty list is not an absent one.) Parse calls it only after
// jsonData has decoded into Settings, so it is an object whose optional keys hold strings or null.
func (s *Settings) switchOff(jsonData []byte) {
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(jsonData, &raw)
	for key, dst := range s.optionalKeys() {
		var v *string // an absent key fails to decode and keeps its default
		if json.Unmarshal(raw[key], &v) == nil && v != nil && strings.TrimSpace(*v) == "" {
			*dst = ""
		}
	}
}

// Label texts read as the positive and the negative class of a binary model when PositiveLabel is not set.
// They are compared with the label's text trimmed and lower-cased; numeric labels compare as numbers, so 1.0
// is "1". Any other label is unreadable: it counts as not labelled and the query says so.
var (
	DefaultPositiveLabels = []string{"1", "true", "yes"}
	DefaultNegativeLabels = []string{"0", "false", "no"}
)

// LabelClasses returns the lower-cased label texts read as the positive class and as the negative class. With
// PositiveLabel set (e.g. "pos"), that value alone is positive and negative is nil, meaning every other
// non-null label; otherwise the defaults above.
func (s Settings) LabelClasses() (positive, negative []string) {
	if p := strings.ToLower(strings.TrimSpace(s.PositiveLabel)); p != "" {
		return []string{p}, nil
	}
	return DefaultPositiveLabels, DefaultNegativeLabels
}
