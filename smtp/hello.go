package smtp

import (
	"strconv"
	"strings"
)

// cmdHello handles EHLO, HELO and LHLO. Each starts over: any transaction
// is dropped (RFC 5321 §4.1.4).
func (s *session) cmdHello(verb, arg string) {
	switch {
	case s.cfg.LMTP && verb != "LHLO":
		s.respond(reply{500, "5.5.1", "Error: this is an LMTP server; use LHLO"})
		return
	case !s.cfg.LMTP && verb == "LHLO":
		s.respond(reply{500, "5.5.2", "Error: command not recognized"})
		return
	case arg == "" || strings.ContainsAny(arg, " \t") && verb == "HELO":
		s.respond(reply{501, "5.5.4", "Syntax: " + verb + " hostname"})
		return
	}
	if i := strings.IndexAny(arg, " \t"); i >= 0 {
		arg = arg[:i] // EHLO may carry junk after the domain; keep the domain
	}
	s.resetTransaction()
	s.helo = arg
	s.esmtp = verb != "HELO"
	greeting := s.cfg.Hostname + " Hello " + headerSafe(arg) + " [" + s.remote.Addr().String() + "]"
	if !s.esmtp {
		s.respond(reply{code: 250, text: greeting})
		return
	}
	s.respond(reply{code: 250, text: strings.Join(append([]string{greeting}, s.extensions()...), "\n")})
}

// extensions lists the ESMTP extensions offered in the current state.
func (s *session) extensions() []string {
	ext := []string{"PIPELINING"}
	if s.cfg.MaxMessageBytes > 0 {
		ext = append(ext, "SIZE "+strconv.FormatInt(s.cfg.MaxMessageBytes, 10))
	} else {
		ext = append(ext, "SIZE")
	}
	ext = append(ext, "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING")
	if s.startTLSOffered() {
		ext = append(ext, "STARTTLS")
	}
	if mechs := s.authMechanisms(); len(mechs) > 0 {
		ext = append(ext, "AUTH "+strings.Join(mechs, " "))
	}
	return ext
}

// startTLSOffered: STARTTLS is offered only before TLS (RFC 3207 §4.2).
func (s *session) startTLSOffered() bool {
	return s.cfg.TLS != nil && s.tlsState() == nil
}
