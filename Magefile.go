//go:build mage

// Magefile builds the backend with grafana-plugin-sdk-go's build tooling (`mage -v build:linux`; scripts/build.sh runs it), as
// create-plugin's backend template does. Embedded DuckDB is a cgo library, so cgo is switched on before every
// build; the binary is placed next to the nested data source (dist/datasource/gpx_modelmonitor_<os>_<arch>).
package main

import (
	"github.com/grafana/grafana-plugin-sdk-go/build"
	// mage:import
	_ "github.com/grafana/grafana-plugin-sdk-go/build"
)

func init() {
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.EnableCGo = true
		return cfg, nil
	})
}
