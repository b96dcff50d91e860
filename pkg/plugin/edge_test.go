package plugin

import (
	"testing"
	"time"
)

// Issue 9 item 11: a query field the data source does not know is not silently ignored: the query runs and
// its first frame says which fields were ignored.
func TestUnknownQueryFieldsAreNamedInANotice(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"minSample":5,"binz":3,`+refDay1+`}`, day1, day4)
	if r.Error != nil || len(r.Frames) == 0 {
		t.Fatalf("err %v, %d frames", r.Error, len(r.Frames))
	}
	if got := r.Frames[0].Meta.Notices[0].Text; got != "query fields this data source does not know were ignored: binz, minSample" {
		t.Fatalf("first notice %q", got)
	}
}

// Issue 9 item 12: a query without a reference is told which reference it got.
func TestDefaultReferenceIsNamed(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	r := run(t, ds, `{"queryType":"drift","model":"m1","features":["x"],"window":"1d"}`, day1.Add(24*time.Hour), day4)
	if r.Error != nil || len(r.Frames) == 0 {
		t.Fatalf("err %v, %d frames", r.Error, len(r.Frames))
	}
	if got := r.Frames[0].Meta.Notices[0].Text; got != "the query names no reference: each window is compared with the 7 windows before it (a trailing reference)" {
		t.Fatalf("first notice %q", got)
	}
}

// Issue 9 item 13: a segment value the log does not have is named, with the values it has; one the reference
// period lacks is named too.
func TestMissingSegmentValueIsNamed(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	nowhere := `{"queryType":"drift","model":"m1","segment":{"column":"region","value":"EUR"},` + refDay1 + `}`
	notInReference := `{"queryType":"drift","model":"m1","segment":{"column":"region","value":"NA"},` +
		`"reference":{"type":"range","from":"2026-01-02T00:00:00Z","to":"2026-01-03T00:00:00Z"}}`
	for q, want := range map[string]string{
		nowhere:        `segment region = "EUR" has no rows in the log (most frequent values: "EU", "NA")`,
		notInReference: `the reference has no rows with segment region = "NA" for the selected models and features`,
	} {
		r := run(t, ds, q, day1, day4)
		if r.Error == nil || r.Error.Error() != want {
			t.Errorf("%s: error %v, want %q", q, r.Error, want)
		}
	}
}
