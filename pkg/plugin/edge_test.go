package plugin

import "testing"

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
