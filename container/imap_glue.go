package container

import (
	"github.com/hedwigmail/hedwig/imap"
	"github.com/hedwigmail/hedwig/listener"
)

// imapHandler builds the IMAP session handler of server s.
func (e *env) imapHandler(b *beanReader, s *Server, lcfg listener.Config) listener.Handler {
	c := e.globalSettings().Conf
	cfg := imap.Config{Hostname: c.MyHostname, MaxLineLength: c.IMAP.LineLimit, MaxMessageSize: c.SMTP.MessageSizeLimit}
	if s.TLSMode == listener.StartTLS {
		cfg.TLS = lcfg.TLS
	}
	busy := busyOnly{reply: "* BYE [UNAVAILABLE] " + c.MyHostname + " service not available\r\n"}
	if e.store == nil {
		if !e.opts.CheckOnly {
			e.probs.Errorf(b.bean.Pos, subject(b.bean), "no mail store: define an org.apache.commons.dbcp.BasicDataSource bean")
		}
		return busy
	}
	h, err := imap.NewHandler(cfg, e.store)
	if err != nil {
		e.probs.Errorf(b.bean.Pos, subject(b.bean), "%v", err)
		return busy
	}
	return h
}
