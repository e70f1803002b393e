package container

import (
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/smtp"
)

// smtpHandler builds the SMTP session handler of server s from
// default.properties and the bean's own properties.
func (e *env) smtpHandler(b *beanReader, s *Server, lcfg listener.Config) listener.Handler {
	st := e.globalSettings()
	c := st.Conf
	subj := subject(b.bean)
	requireTLS, _ := b.boolean("requireTLS", false)
	authRequired, _ := b.boolean("authRequired", false)
	cfg := smtp.Config{
		Hostname:        c.SMTP.HeloName,
		RequireTLS:      requireTLS,
		AuthEnabled:     c.SMTP.SASLAuthEnable || authRequired || lcfg.TLS != nil,
		AuthRequired:    authRequired,
		LMTP:            s.Protocol == "lmtp",
		MaxMessageBytes: c.SMTP.MessageSizeLimit,
		RecipientLimit:  c.SMTP.RecipientLimit,
		SoftErrorLimit:  c.SMTP.SoftErrorLimit,
		HardErrorLimit:  c.SMTP.HardErrorLimit,
		ErrorSleep:      c.SMTP.ErrorSleepTime,
		Timeout:         c.SMTP.ServerTimeout,
		MyNetworks:      c.MyNetworks,
		LocalDomains:    append(append([]string(nil), c.MyDomain...), c.MyDestination...),
		Postmaster:      c.Postmaster,
		SpoolDir:        c.TempDirectory,
	}
	cfg.Hostname = heloName(cfg.Hostname, c.MyHostname)
	if s.TLSMode == listener.StartTLS {
		cfg.TLS = lcfg.TLS
	}
	if requireTLS && s.TLSMode == listener.NoTLS {
		e.probs.Errorf(b.pos("requireTLS"), subj, "requireTLS=true but the listener offers no TLS: configure key material")
	}
	if c.Properties != nil {
		restr := func(stage smtp.Stage, key string) *smtp.Restrictions {
			v, ok := c.Properties.Get(key)
			if !ok {
				return nil
			}
			return smtp.ParseRestrictions(stage, v, c.AppHome, c.Properties.Pos(key), e.probs)
		}
		cfg.ClientRestrictions = restr(smtp.ClientStage, "smtpd_client_restrictions")
		cfg.SenderRestrictions = restr(smtp.SenderStage, "smtpd_sender_restrictions")
		cfg.RecipientRestrictions = restr(smtp.RecipientStage, "smtpd_recipient_restrictions")
		cfg.RelayRestrictions = restr(smtp.RelayStage, "smtpd_relay_restrictions")
	}
	var q smtp.Queue
	if e.queue != nil {
		q = e.queue
	}
	return e.protocolHandler(b, "421 4.3.2 "+cfg.Hostname+" Service not available\r\n", func() (listener.Handler, error) {
		return smtp.NewHandler(cfg, smtp.NewStoreBackend(e.store, q), e.log)
	})
}
