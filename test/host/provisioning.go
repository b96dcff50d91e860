package host

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// ProvisionedDataSource reads a data source provisioning file holding exactly one data source and returns it as
// Grafana holds it after provisioning: environment variables (${NAME}) expanded from env as Grafana expands them
// in provisioning files, jsonData as JSON, no secure fields. Every variable the file uses must be in env (an error
// names the missing one: Grafana would silently expand it to "", which hides a mistake in a test). updated is the
// settings' version (DataSource.Updated).
func ProvisionedDataSource(file string, env map[string]string, updated time.Time) (DataSource, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return DataSource{}, err
	}
	var missing []string
	expanded := os.Expand(string(raw), func(k string) string {
		v, ok := env[k]
		if !ok {
			missing = append(missing, k)
		}
		return v
	})
	if len(missing) > 0 {
		return DataSource{}, fmt.Errorf("%s uses environment variables that are not set: %v", file, missing)
	}
	var doc struct {
		Datasources []struct {
			UID      string         `yaml:"uid"`
			Name     string         `yaml:"name"`
			JSONData map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal([]byte(expanded), &doc); err != nil {
		return DataSource{}, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Datasources) != 1 {
		return DataSource{}, fmt.Errorf("%s: %d data sources, want 1", file, len(doc.Datasources))
	}
	ds := doc.Datasources[0]
	jd, err := json.Marshal(ds.JSONData)
	if err != nil {
		return DataSource{}, fmt.Errorf("%s: jsonData: %w", file, err)
	}
	return DataSource{ID: 1, UID: ds.UID, Name: ds.Name, JSONData: jd, SecureJSONData: map[string]string{}, Updated: updated}, nil
}

// WithJSONData returns ds with one jsonData key set (e.g. queryTimeoutSeconds raised for a loaded machine).
func (ds DataSource) WithJSONData(key string, value any) (DataSource, error) {
	var jd map[string]any
	if err := json.Unmarshal(ds.JSONData, &jd); err != nil {
		return ds, fmt.Errorf("jsonData of %s: %w", ds.UID, err)
	}
	jd[key] = value
	raw, err := json.Marshal(jd)
	if err != nil {
		return ds, err
	}
	ds.JSONData = raw
	return ds, nil
}
