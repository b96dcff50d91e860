// Package open opens the store adapter the settings name (settings.Engine): the one constructor the plugin and
// the commands call, so that a new engine is one more case here.
package open

import (
	"fmt"

	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store"
	"github.com/aiops/modelmonitor/pkg/store/duckdb"
	"github.com/aiops/modelmonitor/pkg/store/postgres"
	"github.com/aiops/modelmonitor/pkg/store/spark"
)

// Store opens the store of cfg.Engine. An engine without an adapter in this build is an error naming it.
func Store(cfg settings.Settings) (store.Store, error) {
	switch cfg.Engine {
	case settings.EngineDuckDB, "":
		return duckdb.Open(cfg)
	case settings.EnginePostgres:
		return postgres.Open(cfg)
	case settings.EngineSpark:
		return spark.Open(cfg)
	}
	return nil, fmt.Errorf("engine %q has no store adapter in this version (available: %s, %s, %s)", cfg.Engine,
		settings.EngineDuckDB, settings.EnginePostgres, settings.EngineSpark)
}
