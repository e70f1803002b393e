package container

import (
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/pop3"
)

// pop3Handler builds the POP3 session handler of server s.
func (e *env) pop3Handler(b *beanReader, s *Server, lcfg listener.Config) listener.Handler {
	c := e.globalSettings().Conf
	cfg := pop3.Config{Hostname: c.MyHostname}
	if s.TLSMode == listener.StartTLS {
		cfg.TLS = lcfg.TLS
	}
	return e.protocolHandler(b, "-ERR [SYS/TEMP] "+c.MyHostname+" service not available\r\n",
		func() (listener.Handler, error) { return pop3.NewHandler(cfg, e.store) })
}
