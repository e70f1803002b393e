package container

import (
	"context"

	"github.com/hedwigmail/hedwig/listener"
)

// smtpHandler builds the SMTP session handler of server s.
// TODO(smtp): replaced by the smtp package's handler when it lands.
func (e *env) smtpHandler(s *Server, cfg listener.Config) listener.Handler {
	return pendingSMTP{host: e.globalSettings().Conf.MyHostname}
}

type pendingSMTP struct{ host string }

func (p pendingSMTP) Busy(c *listener.Conn) {
	c.Writer().WriteString("421 4.3.2 " + p.host + " Service busy, try again later\r\n")
}

func (p pendingSMTP) Serve(ctx context.Context, c *listener.Conn) {
	c.Writer().WriteString("421 4.3.2 " + p.host + " SMTP service not yet available\r\n")
}
