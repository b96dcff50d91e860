package plugin

import (
	"strings"
	"testing"
	"time"
)

// currentCounts reads a drift heatmap's currentCount per (feature, window start).
func currentCounts(t *testing.T, f *dataFrame) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for i := 0; i < f.Rows(); i++ {
		row := map[string]any{}
		for _, fld := range f.Fields {
			row[fld.Name] = fld.At(i)
		}
		out[row["feature"].(string)+"@"+row["time"].(time.Time).Format("01-02")] += row["currentCount"].(int64)
	}
	return out
}

// A split runs the query per segment value, most rows first, and the segments' counts sum to the whole model's:
// m1 has 500 EU + 500 NA rows on 01-01, 1050 EU on 01-02 (x NULL in 50 of them: counted, in the null bin) and 35
// EU on 01-03 (fixtureStore).
func TestSegmentSplitSumsToTotal(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	base := `{"queryType":"driftHeatmap","model":"m1","window":"1d",` + refDay1
	total := currentCounts(t, mustOK(t, run(t, ds, base+`}`, day1, day4))[0])
	frames := mustOK(t, run(t, ds, base+`,"segment":{"column":"region","split":true}}`, day1, day4))
	if len(frames) != 2 || frames[0].Name == frames[1].Name {
		t.Fatalf("%d frames", len(frames))
	}
	eu, na := currentCounts(t, frames[0]), currentCounts(t, frames[1])
	for _, c := range []struct {
		key           string
		eu, na, total int64
	}{{"x@01-01", 500, 500, 1000}, {"x@01-02", 1050, 0, 1050}, {"x@01-03", 35, 0, 35}, {"c@01-02", 1050, 0, 1050}} {
		if eu[c.key] != c.eu || na[c.key] != c.na || total[c.key] != c.total {
			t.Errorf("%s: EU %d NA %d total %d, want %d %d %d", c.key, eu[c.key], na[c.key], total[c.key], c.eu, c.na, c.total)
		}
	}
	for k, n := range total {
		if eu[k]+na[k] != n {
			t.Errorf("%s: EU %d + NA %d != total %d", k, eu[k], na[k], n)
		}
	}
	if frames[0].Fields[len(frames[0].Fields)-1].At(0) != "EU" || custom(frames[0])["segmentColumn"] != "region" {
		t.Errorf("EU (more rows) should come first, with its segment column")
	}
	if !strings.HasPrefix(frames[0].Meta.Notices[0].Text, "split by region: 2 values") {
		t.Errorf("first notice %q", frames[0].Meta.Notices[0].Text)
	}
}

// top 1 keeps EU (1585 of 2085 rows = 76.0 %) and says what was left out; each segment's drift uses that
// segment's own reference rows; a table frame gets a segment column.
func TestSegmentSplitTopAndTables(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	q := `{"queryType":"drift","model":"m1","features":["x"],"window":"1d",` + refDay1 + `,"segment":{"column":"region","split":true,"top":1}}`
	frames := mustOK(t, run(t, ds, q, day1, day4))
	if len(frames) != 1 || frames[0].Name != "m1 · x · EU" {
		t.Fatalf("frames %d, first %q", len(frames), frames[0].Name)
	}
	if n := frames[0].Meta.Notices[0].Text; !strings.Contains(n, "the top 1 values by rows, 76.0 % of the rows with a value; 1 values left out") {
		t.Errorf("notice %q", n)
	}
	if rr := custom(frames[0])["referenceRows"]; rr != int64(500) {
		t.Errorf("EU reference rows %v, want 500 (the EU half of 01-01)", rr)
	}
	if frames[0].Fields[1].Labels["segment"] != "EU" || frames[0].Fields[1].Config.DisplayNameFromDS != "m1 · x · EU" {
		t.Errorf("labels %v", frames[0].Fields[1].Labels)
	}
	// a split over a range without rows answers with a notice, not an error
	empty := mustOK(t, run(t, ds, q, day4, day4.Add(24*time.Hour)))
	if !hasNotice(empty, "nothing to split") {
		t.Error("no notice for an empty split")
	}
	// split and value together are refused
	r := run(t, ds, `{"queryType":"drift","segment":{"column":"region","value":"EU","split":true}}`, day2, day4)
	if r.Error == nil || !strings.Contains(r.Error.Error(), "either a value") {
		t.Errorf("err %v", r.Error)
	}
}
