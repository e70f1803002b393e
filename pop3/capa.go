package pop3

import (
	"strconv"
	"strings"
)

// cmdCapa lists the capabilities (RFC 2449 §5). Those of the AUTHORIZATION
// state are listed after login too, as §6 asks; STLS only while it can
// still be used.
func (s *session) cmdCapa(command) {
	s.ok("capability list follows")
	s.line("TOP")
	s.line("UIDL")
	s.line("RESP-CODES")
	s.line("AUTH-RESP-CODE")
	s.line("PIPELINING")
	if s.state == stateAuthorization && s.h.canSTLS(s.c) {
		s.line("STLS")
	}
	if s.passwordsAllowed() {
		s.line("USER")
	}
	if m := s.mechanisms(); len(m) > 0 {
		s.line("SASL " + strings.Join(m, " "))
	}
	if d := s.h.cfg.LoginDelay; d > 0 {
		s.line("LOGIN-DELAY " + strconv.FormatInt(int64(loginDelaySeconds(d)), 10))
	}
	if e := s.h.cfg.Expire; e != "" {
		s.line("EXPIRE " + e)
	}
	s.line("IMPLEMENTATION hedwig")
	s.line(".")
}
