package container

import (
	"context"
	"time"

	"go.uber.org/fx"

	"github.com/hedwigmail/hedwig/smtp"
	"github.com/hedwigmail/hedwig/smtp/queue"
)

// buildSpool turns Hedwig's SpoolRepository bean (smtp.spool) into the
// outbound queue under queue_directory: mail for remote recipients and
// forwards is kept there, durably, and delivered by MX lookup or through
// smtp_gateway, with Hedwig's retries and RFC 3464 bounces.
func (e *env) buildSpool(b *beanReader, lc fx.Lifecycle) *queue.Queue {
	if e.opts.CheckOnly || e.store == nil {
		return nil
	}
	c := e.globalSettings().Conf
	now := time.Now()
	cfg := queue.Config{
		Dir:             c.QueueDirectory,
		Hostname:        heloName(c.SMTP.HeloName, c.MyHostname),
		Postmaster:      c.Postmaster,
		LocalDomains:    append(append([]string(nil), c.MyDomain...), c.MyDestination...),
		MaxRetries:      c.SMTP.MaxRetryCount,
		MaxLifetime:     now.Sub(c.SMTP.MaximalQueueLifetime.Before(now)),
		Gateway:         c.SMTP.Gateway,
		GatewayUser:     c.SMTP.GatewayUsername,
		GatewayPassword: c.SMTP.GatewayPassword,
		ConnectTimeout:  c.SMTP.ConnectTimeout,
		CommandTimeout:  c.SMTP.Timeout,
		Logger:          e.log.Named("queue"),
	}
	switch c.SMTP.TLSSecurityLevel {
	case "encrypt":
		cfg.TLSPolicy = []queue.ServerTLSRule{{Domain: "*"}}
	case "verify":
		cfg.TLSPolicy = []queue.ServerTLSRule{{Domain: "*", Verify: true}}
	}
	q, err := queue.Open(cfg, smtp.NewStoreBackend(e.store, nil))
	if err != nil {
		e.probs.Errorf(b.bean.Pos, subject(b.bean), "open the outbound queue in %s: %v", c.QueueDirectory, err)
		return nil
	}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { q.Start(); return nil },
		// Appended before the SMTP listeners that use it, so it stops after
		// them: no session can enqueue into a closed queue.
		OnStop: func(context.Context) error { q.Close(); return nil },
	})
	e.mu.Lock()
	if e.queue == nil {
		e.queue = q
	}
	e.mu.Unlock()
	return q
}

// heloName is smtp_helo_name, whose Hedwig default "$myhostname" means
// myhostname.
func heloName(helo, myhostname string) string {
	if helo == "" || helo == "$myhostname" {
		return myhostname
	}
	return helo
}
