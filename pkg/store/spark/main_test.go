package spark_test

import (
	"context"
	"testing"

	"github.com/aiops/modelmonitor/pkg/store/spark"
	"github.com/aiops/modelmonitor/pkg/store/spark/sparktest"
)

var ctx = context.Background()

// testRunner is a Runner on the test server in schema db ("" = default), closed at the end of the test.
func testRunner(t *testing.T, db string) *spark.Runner {
	t.Helper()
	r, err := spark.NewRunner(sparktest.Settings(sparktest.Need(t), db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}
