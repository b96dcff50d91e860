package settings

import (
	"reflect"
	"testing"
)

// Issue 9 item 9: an optional column set to "" is switched off, not replaced by its default; an absent key
// keeps the default; a required name set to "" keeps its default.
func TestEmptyStringSwitchesOptionalColumnsOff(t *testing.T) {
	s, err := Parse([]byte(`{"versionColumn": "", "labelsTable": " ", "registryTable": "", "scoreColumn": "",
		"predictionColumn": "", "predictionIdColumn": "", "segmentColumns": [], "table": "", "labelColumn": "y"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := Defaults()
	want := d
	want.VersionColumn, want.LabelsTable, want.RegistryTable, want.ScoreColumn = "", "", "", ""
	want.PredictionColumn, want.PredictionIDColumn, want.SegmentColumns, want.LabelColumn = "", "", []string{}, "y"
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got  %+v\nwant %+v", s, want)
	}
	if s, _ := Parse([]byte(`{"path": "x.duckdb"}`), nil); s.VersionColumn != d.VersionColumn || s.LabelsTable != d.LabelsTable {
		t.Fatalf("absent keys must keep their defaults: %+v", s)
	}
	if s, _ := Parse([]byte(`{"versionColumn": null}`), nil); s.VersionColumn != d.VersionColumn {
		t.Fatalf("null keeps the default, got %q", s.VersionColumn)
	}
	for _, n := range s.namedIdentifiers() {
		if n.name == "version column" && n.value != "" {
			t.Fatalf("switched-off version column still named %q", n.value)
		}
	}
	if s.ReservedColumns()["model_version"] {
		t.Fatalf("a switched-off version column must not be reserved: model_version could be a feature")
	}
}

// Issue 9 item 7: the positive label is explicit: the default texts, or the one named by positiveLabel.
func TestLabelClasses(t *testing.T) {
	pos, neg := Defaults().LabelClasses()
	if !reflect.DeepEqual(pos, []string{"1", "true", "yes"}) || !reflect.DeepEqual(neg, []string{"0", "false", "no"}) {
		t.Fatalf("default classes %v / %v", pos, neg)
	}
	s, err := Parse([]byte(`{"positiveLabel": " Pos "}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if pos, neg := s.LabelClasses(); !reflect.DeepEqual(pos, []string{"pos"}) || neg != nil {
		t.Fatalf("positiveLabel pos: %v / %v, want [pos] / every other label", pos, neg)
	}
}
