package smtp

import "go.uber.org/zap"

// cmdStartTLS upgrades the connection (RFC 3207). The listener's StartTLS
// discards whatever the client pipelined after the command, so nothing
// sent in the clear is executed as if it came over TLS (CVE-2011-0411).
func (s *session) cmdStartTLS(arg string) {
	switch {
	case arg != "":
		s.respond(reply{501, "5.5.4", "Syntax: STARTTLS"})
		return
	case s.tlsState() != nil:
		s.respond(reply{503, "5.5.1", "Error: TLS already active"})
		return
	case s.cfg.TLS == nil:
		s.respond(reply{502, "5.5.1", "Error: command not implemented"})
		return
	case s.authed():
		s.respond(reply{503, "5.5.1", "Error: STARTTLS not permitted after AUTH"})
		return
	case s.tx != nil:
		s.respond(reply{503, "5.5.1", "Error: STARTTLS not permitted during a mail transaction"})
		return
	}
	s.write(reply{220, "2.0.0", "Ready to start TLS"})
	discarded, err := s.c.StartTLS(s.cfg.TLS)
	if discarded > 0 {
		s.log.Warn("client pipelined commands after STARTTLS; discarded", zap.Int("bytes", discarded))
	}
	if err != nil {
		s.log.Info("STARTTLS failed", zap.Error(err))
		s.closing = true
		return
	}
	s.log = s.c.Logger()
	// RFC 3207 §4.2: forget everything learnt from the client before TLS.
	s.helo, s.esmtp, s.tx = "", false, nil
}
