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
	busy := busyOnly{reply: "-ERR [SYS/TEMP] " + c.MyHostname + " service not available\r\n"}
	if e.store == nil {
		if !e.opts.CheckOnly {
			e.probs.Errorf(b.bean.Pos, subject(b.bean), "no mail store: define an org.apache.commons.dbcp.BasicDataSource bean")
		}
		return busy
	}
	h, err := pop3.NewHandler(cfg, e.store)
	if err != nil {
		e.probs.Errorf(b.bean.Pos, subject(b.bean), "%v", err)
		return busy
	}
	return h
}
