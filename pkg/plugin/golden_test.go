package plugin

import (
	"flag"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/*.jsonc from the current output")

// Every output shape has a golden file (testdata/<name>.jsonc, written by -update-golden and reviewed): the
// frames Grafana receives, schema and values, byte for byte.
func TestGoldenFrames(t *testing.T) {
	ds := New(fixtureStore(t), nil)
	defer ds.Dispose()
	cases := map[string]string{
		"drift_psi":         `{"queryType":"drift","model":"m1","features":["x","c"],"metric":"psi","window":"1d",` + refDay1 + `}`,
		"drift_heatmap":     `{"queryType":"driftHeatmap","model":"m1","metric":"psi","window":"1d",` + refDay1 + `}`,
		"distribution_num":  `{"queryType":"distribution","model":"m1","features":["x"],"metric":"psi",` + refDay1 + `}`,
		"distribution_cat":  `{"queryType":"distribution","model":"m1","features":["c"],"metric":"js",` + refDay1 + `}`,
		"drift_empty_range": `{"queryType":"drift","model":"m2","features":["x"],"metric":"psi","window":"1d",` + refDay1 + `}`,
	}
	ranges := map[string][2]int{"distribution_num": {1, 2}, "distribution_cat": {1, 2}, "drift_empty_range": {5, 7}}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			from, to := day1, day4
			if r, ok := ranges[name]; ok {
				from, to = day1.AddDate(0, 0, r[0]), day1.AddDate(0, 0, r[1])
			}
			r := run(t, ds, q, from, to)
			experimental.CheckGoldenJSONResponse(t, "testdata", name, &r, *updateGolden)
		})
	}
}
