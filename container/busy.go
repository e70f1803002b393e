package container

import (
	"context"

	"github.com/hedwigmail/hedwig/listener"
)

// busyOnly answers every connection with one reply. It stands in for a
// protocol handler that could not be built, which only happens in check
// mode or when the configuration already has an error (so the server
// never starts with it).
type busyOnly struct{ reply string }

func (b busyOnly) Busy(c *listener.Conn)                     { c.Writer().WriteString(b.reply) }
func (b busyOnly) Serve(_ context.Context, c *listener.Conn) { c.Writer().WriteString(b.reply) }
