package imap

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net"
	"net/netip"
	"strings"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/store"
)

func (s *session) cmdStartTLS(*command) reply {
	if s.c.TLS() != nil || s.h.cfg.TLS == nil || s.c.TLSMode() != listener.StartTLS {
		return bad("STARTTLS not available")
	}
	return reply{status: "OK", text: "begin TLS negotiation now", startTLS: true}
}

// startTLS runs after the tagged OK of STARTTLS has been flushed.
func (s *session) startTLS() bool {
	if n, err := s.c.StartTLS(s.h.cfg.TLS); err != nil {
		s.log.Info("STARTTLS failed", zap.Error(err))
		return false
	} else if n > 0 {
		// Commands sent before the handshake are a STARTTLS injection
		// attempt (CVE-2011-0411 style); they were discarded.
		s.log.Warn("discarded commands pipelined after STARTTLS", zap.Int("bytes", n))
	}
	s.log = s.c.Logger()
	return true
}

// plaintextRefused is the reply to a password sent in the clear.
func (s *session) plaintextRefused() (reply, bool) {
	if s.c.TLS() == nil && !s.h.cfg.AllowPlaintextAuth {
		return no("PRIVACYREQUIRED", "use STARTTLS or port 993 before sending a password"), true
	}
	return reply{}, false
}

func (s *session) remoteAddr() netip.Addr {
	if a, ok := s.c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

func (s *session) cmdLogin(cmd *command) reply {
	if r, refused := s.plaintextRefused(); refused {
		return r
	}
	a := cmd.args.(loginArgs)
	return s.passwordLogin(a.user, a.password)
}

func (s *session) passwordLogin(user, password string) reply {
	u, err := s.h.store.Authenticate(s.ctx, user, password, s.remoteAddr())
	switch {
	case errors.Is(err, store.ErrRateLimited):
		s.log.Warn("login rate limited", zap.String("user", user))
		return no("UNAVAILABLE", "too many failed logins; try again later")
	case errors.Is(err, store.ErrAuthFailed):
		s.log.Info("login failed", zap.String("user", user))
		return no("AUTHENTICATIONFAILED", "invalid credentials")
	case err != nil:
		return s.storeError("LOGIN", err)
	}
	return s.loggedIn(u, "password")
}

func (s *session) loggedIn(u store.User, how string) reply {
	s.user = &u
	s.log = s.log.With(zap.String("user", u.Login))
	s.log.Info("logged in", zap.String("method", how))
	return okCode("CAPABILITY "+s.capabilities(), "logged in")
}

// externalUser is the user named by a verified client certificate, or "".
func (s *session) externalUser() string {
	cs := s.c.TLS()
	if cs == nil {
		return ""
	}
	u, ok := security.VerifiedUser(*cs)
	if !ok {
		return ""
	}
	return u
}

func (s *session) cmdAuthenticate(cmd *command) reply {
	a := cmd.args.(authenticateArgs)
	switch a.mechanism {
	case "PLAIN":
		if r, refused := s.plaintextRefused(); refused {
			return r
		}
	case "EXTERNAL":
		if s.externalUser() == "" {
			return no("AUTHENTICATIONFAILED", "no verified client certificate")
		}
	default:
		return no("CANNOT", "mechanism "+a.mechanism+" is not supported")
	}
	resp, r, ok := s.saslResponse(a.initial)
	if !ok {
		return r
	}
	if a.mechanism == "EXTERNAL" {
		return s.external(string(resp))
	}
	authz, rest, ok1 := bytes.Cut(resp, []byte{0})
	authc, password, ok2 := bytes.Cut(rest, []byte{0})
	if !ok1 || !ok2 || len(authc) == 0 {
		return bad("malformed PLAIN response")
	}
	if len(authz) > 0 && !strings.EqualFold(string(authz), string(authc)) {
		return no("AUTHORIZATIONFAILED", "acting as another user is not allowed")
	}
	return s.passwordLogin(string(authc), string(password))
}

// saslResponse returns the client's single SASL response: the initial
// response, or one read after an empty challenge.
func (s *session) saslResponse(initial *string) ([]byte, reply, bool) {
	var enc string
	if initial != nil {
		enc = *initial
	} else {
		s.w.WriteString("+ \r\n")
		if err := s.c.Flush(); err != nil {
			return nil, reply{status: "BAD", text: "connection lost", logout: true}, false
		}
		line, err := s.c.ReadLine(s.h.cfg.MaxLineLength)
		if err != nil {
			return nil, reply{status: "BAD", text: "no SASL response", logout: true}, false
		}
		if line == "*" {
			return nil, bad("authentication cancelled"), false
		}
		enc = line
	}
	resp, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, bad("SASL response is not base64"), false
	}
	return resp, reply{}, true
}

func (s *session) external(authz string) reply {
	certUser := s.externalUser()
	if authz != "" && !strings.EqualFold(authz, certUser) {
		return no("AUTHORIZATIONFAILED", "the certificate does not name "+authz)
	}
	u, err := s.h.store.LookupUser(s.ctx, certUser)
	if errors.Is(err, store.ErrNotFound) {
		s.log.Info("EXTERNAL for unknown user", zap.String("user", certUser))
		return no("AUTHENTICATIONFAILED", "invalid credentials")
	}
	if err != nil {
		return s.storeError("AUTHENTICATE", err)
	}
	return s.loggedIn(u, "EXTERNAL")
}
