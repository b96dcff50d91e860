package host_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aiops/modelmonitor/test/host"
)

const provisionedFile = "../../provisioning/datasources/modelmonitor.yaml"

// The provisioned demo data source with its three variables set: uid and name from the file, the store's path
// and the reference range expanded into jsonData, the other keys as written; WithJSONData adds a key.
func TestProvisionedDataSource(t *testing.T) {
	updated := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	ds, err := host.ProvisionedDataSource(provisionedFile, map[string]string{
		"MODELMON_DEMO_STORE":     "/data/demo.duckdb",
		"MODELMON_REFERENCE_FROM": "2026-10-01T00:00:00Z",
		"MODELMON_REFERENCE_TO":   "2026-10-08T00:00:00Z",
	}, updated)
	if err != nil {
		t.Fatal(err)
	}
	if ds.UID != "modelmonitor-demo" || ds.Name != "Model Monitor (demo)" || !ds.Updated.Equal(updated) || len(ds.SecureJSONData) != 0 {
		t.Errorf("data source %+v", ds)
	}
	ds, err = ds.WithJSONData("queryTimeoutSeconds", 600)
	if err != nil {
		t.Fatal(err)
	}
	var jd map[string]any
	if err := json.Unmarshal(ds.JSONData, &jd); err != nil {
		t.Fatal(err)
	}
	ref, _ := jd["defaultReference"].(map[string]any)
	if jd["path"] != "/data/demo.duckdb" || jd["engine"] != "duckdb" || jd["minSamples"] != 100.0 || jd["queryTimeoutSeconds"] != 600.0 ||
		ref["from"] != "2026-10-01T00:00:00Z" || ref["to"] != "2026-10-08T00:00:00Z" {
		t.Errorf("jsonData %s", ds.JSONData)
	}
}

// A variable the file uses but the caller did not set is an error naming it (Grafana would expand it to "").
func TestProvisionedDataSourceMissingVariable(t *testing.T) {
	_, err := host.ProvisionedDataSource(provisionedFile, map[string]string{"MODELMON_DEMO_STORE": "/x.duckdb"}, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "MODELMON_REFERENCE_FROM") || !strings.Contains(err.Error(), "MODELMON_REFERENCE_TO") {
		t.Errorf("err = %v, want both reference variables named", err)
	}
}
