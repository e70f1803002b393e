package container

import (
	"go.uber.org/fx"

	"github.com/hedwigmail/hedwig/store"
)

// DataSource is a BasicDataSource bean: the JDBC URL decides the store
// backend; driverClassName is informational.
type DataSource struct {
	store.DataSource
}

func (e *env) buildDataSource(b *beanReader, lc fx.Lifecycle) *DataSource {
	url := b.str("url", "")
	ds, err := store.ParseDataSource(url, b.str("username", ""), b.str("password", ""), e.appHome())
	if err != nil {
		e.probs.Errorf(b.pos("url"), subject(b.bean), "%v", err)
		return nil
	}
	maxActive := b.integer("maxActive", b.integer("maxTotal", ds.MaxOpen))
	maxIdle := b.integer("maxIdle", ds.MaxIdle)
	maxWait := int64(b.integer("maxWait", b.integer("maxWaitMillis", -1)))
	ds = ds.WithPool(maxActive, maxIdle, maxWait)
	return &DataSource{DataSource: ds}
}
