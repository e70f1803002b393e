package container

import (
	"github.com/hedwigmail/hedwig/imap"
	"github.com/hedwigmail/hedwig/listener"
)

// imapHandler builds the IMAP session handler of server s.
func (e *env) imapHandler(b *beanReader, s *Server, lcfg listener.Config) listener.Handler {
	c := e.globalSettings().Conf
	cfg := imap.Config{Hostname: c.MyHostname, MaxLineLength: c.IMAP.LineLimit, MaxMessageSize: c.SMTP.MessageSizeLimit, SpoolDir: c.TempDirectory}
	if s.TLSMode == listener.StartTLS {
		cfg.TLS = lcfg.TLS
	}
	return e.protocolHandler(b, "* BYE [UNAVAILABLE] "+c.MyHostname+" service not available\r\n",
		func() (listener.Handler, error) { return imap.NewHandler(cfg, e.store) })
}
