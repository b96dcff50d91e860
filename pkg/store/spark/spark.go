// Package spark is the Spark store adapter, through Spark Connect (Spark 4; also how Databricks clusters are
// reached): the statements are sqlstore's; this package holds Spark SQL's dialect, a runner that executes each
// statement as a Spark Connect operation with bound arguments and reads its Arrow batches back, and Open.
package spark

import (
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Open returns the store of a Spark data source. It does not connect: the first query (or Health) does, so a
// server that is down is reported per query and by CheckHealth rather than failing the data source.
func Open(cfg settings.Settings) (*sqlstore.Store, error) {
	r, err := NewRunner(cfg)
	if err != nil {
		return nil, err
	}
	return sqlstore.New(cfg, Dialect{ExactQuantileMaxValues: cfg.ExactQuantileMaxValues, QuantileAccuracy: cfg.QuantileAccuracy}, r), nil
}
