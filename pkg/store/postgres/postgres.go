// Package postgres is the PostgreSQL store adapter: the statements are sqlstore's; this package holds
// PostgreSQL's dialect, a pgx runner (bounded pool, one READ ONLY transaction with a statement timeout per
// statement, errors named by SQLSTATE) and Open.
package postgres

import (
	"github.com/aiops/modelmonitor/pkg/settings"
	"github.com/aiops/modelmonitor/pkg/store/sqlstore"
)

// Open returns the store of a PostgreSQL data source. It does not connect: the first query (or Health) does, so
// a server that is down is reported per query and by CheckHealth rather than failing the data source.
func Open(cfg settings.Settings) (*sqlstore.Store, error) {
	r, err := NewRunner(cfg)
	if err != nil {
		return nil, err
	}
	return sqlstore.New(cfg, Dialect{}, r), nil
}
