package container

import (
	"context"
	"fmt"
	"os"

	"go.uber.org/fx"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/store"
)

// DataSource is a BasicDataSource bean: the JDBC URL decides the store
// backend; driverClassName is informational. Store is nil in check mode.
type DataSource struct {
	store.DataSource
	Store *store.Store
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
	d := &DataSource{DataSource: ds.WithPool(maxActive, maxIdle, maxWait)}
	if w := ds.DriverWarning(b.str("driverClassName", "")); w != "" {
		e.probs.Infof(b.pos("driverClassName"), subject(b.bean), "%s", w)
	}
	if e.opts.CheckOnly {
		return d
	}
	// The store is opened here rather than in OnStart because the protocol
	// handlers built after this bean hold it; a failure is reported against
	// this bean's line like any other configuration problem.
	c := e.globalSettings().Conf
	// temp_directory holds large messages while SMTP and IMAP receive them.
	if err := os.MkdirAll(c.TempDirectory, 0o700); err != nil {
		e.probs.Errorf(c.Properties.Pos("temp_directory"), "temp_directory", "%v", err)
	}
	opts := store.Options{
		DataDirectory:    c.DataDirectory,
		BodiesInDatabase: c.BodiesInDatabase,
		CacheFields:      c.IMAP.DefaultCacheFields,
		MimeFileEncoding: c.MIMEFileEncoding,
		DefaultQuotaMB:   c.IMAP.DefaultQuota >> 20,
		Domains:          c.MyDomain,
		Destinations:     c.MyDestination,
	}
	ctx, cancel := context.WithTimeout(context.Background(), ds.MaxWait+30e9)
	defer cancel()
	st, err := store.Open(ctx, d.DataSource, opts)
	if err != nil {
		e.probs.Errorf(b.pos("url"), subject(b.bean), "open the store at %s: %v", url, err)
		return d
	}
	d.Store = st
	lc.Append(fx.Hook{OnStop: func(context.Context) error {
		if err := st.Close(); err != nil {
			return fmt.Errorf("close store: %w", err)
		}
		return nil
	}})
	e.mu.Lock()
	if e.store == nil {
		e.store = st
	}
	e.mu.Unlock()
	return d
}

// OpenStore loads the configuration at path without starting anything and
// returns the store its data source names, for the administration
// commands (hedwig user, hedwig alias). Problems of the configuration are
// returned too; the store is nil only when it could not be opened.
func OpenStore(path string, opts Options) (*store.Store, *diag.List) {
	opts.CheckOnly = false
	c := Load(path, opts)
	if c.env == nil {
		return nil, c.Problems
	}
	c.env.mu.Lock()
	st := c.env.store
	c.env.mu.Unlock()
	if st == nil && !c.Problems.HasErrors() {
		c.Problems.Errorf(diag.Pos{File: path}, "", "no org.apache.commons.dbcp.BasicDataSource bean: there is no store to administer")
	}
	return st, c.Problems
}
