package container

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hedwigmail/hedwig/smtp"
)

// ErrConfig marks a configuration that cannot deliver (exit status 78).
var ErrConfig = errors.New("configuration error")

// Deliver is `hedwig deliver`: a message handed over on a pipe by a front
// MTA is delivered as the configuration's first SMTP server would after
// DATA — local recipients into the store, the others into the outbound
// queue, which the running server picks up. Nothing is started or bound.
func Deliver(ctx context.Context, path string, opts Options, from string, rcpts []string, r io.Reader) error {
	opts.CheckOnly = false
	c := Load(path, opts)
	defer c.closeStores()
	if err := c.Problems.Err(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	for _, s := range c.Servers() {
		if h, ok := s.Handler.(*smtp.Handler); ok {
			return h.DeliverPipe(ctx, from, rcpts, r)
		}
	}
	return fmt.Errorf("%w: %s has no com.hs.mail.smtp.server.SmtpServer bean to deliver as", ErrConfig, path)
}

// closeStores closes what Load opened for a container that is never
// started (deliver, the admin commands).
func (c *Container) closeStores() {
	if c.env == nil {
		return
	}
	c.env.mu.Lock()
	defer c.env.mu.Unlock()
	if c.env.store != nil {
		c.env.store.Close()
	}
}
