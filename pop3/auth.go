package pop3

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/store"
)

// canSTLS reports whether STLS may be offered on c now.
func (h *Handler) canSTLS(c *listener.Conn) bool {
	return c.TLS() == nil && h.cfg.TLS != nil && c.TLSMode() == listener.StartTLS
}

// passwordsAllowed reports whether a password may cross this connection.
func (s *session) passwordsAllowed() bool {
	return s.c.TLS() != nil || s.h.cfg.AllowPlaintextAuth
}

// refusePlaintext answers a password command sent before TLS.
func (s *session) refusePlaintext() {
	how := "connect to the POP3S port"
	if s.h.canSTLS(s.c) {
		how = "use STLS first"
	}
	s.fail(codeAuth, "plaintext authentication is disabled without TLS: "+how)
}

// externalIdentity is the user a verified client certificate names.
func (s *session) externalIdentity() (string, bool) {
	st := s.c.TLS()
	if st == nil {
		return "", false
	}
	return security.VerifiedUser(*st)
}

func (s *session) remoteAddr() netip.Addr {
	if a, ok := s.c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr()
	}
	return netip.Addr{}
}

func (s *session) cmdSTLS(command) {
	if !s.h.canSTLS(s.c) {
		if s.c.TLS() != nil {
			s.fail(codeNone, "TLS is already active")
		} else {
			s.fail(codeNone, "STLS is not available on this server")
		}
		return
	}
	s.ok("begin TLS negotiation")
	discarded, err := s.c.StartTLS(s.h.cfg.TLS)
	if err != nil {
		s.log.Info("STLS failed", zap.Error(err))
		s.closing = true
		return
	}
	if discarded > 0 {
		s.log.Warn("client sent commands after STLS before the handshake; ignored", zap.Int("bytes", discarded))
	}
	s.log = s.c.Logger()
	// RFC 2595 §4: forget what the client said before TLS.
	s.userArg = ""
}

func (s *session) cmdUser(cmd command) {
	if !s.passwordsAllowed() {
		s.refusePlaintext()
		return
	}
	if len(cmd.args) != 1 {
		s.fail(codeNone, "USER takes one argument, the user name")
		return
	}
	s.userArg = cmd.args[0]
	s.ok("send PASS")
}

func (s *session) cmdPass(cmd command) {
	if !s.passwordsAllowed() {
		s.refusePlaintext()
		return
	}
	name := s.userArg
	s.userArg = ""
	if name == "" {
		s.fail(codeNone, "send USER first")
		return
	}
	// The password is the rest of the line: it may contain spaces.
	if cmd.rest == "" {
		s.fail(codeNone, "PASS takes the password as its argument")
		return
	}
	u, err := s.h.store.Authenticate(s.ctx, name, cmd.rest, s.remoteAddr())
	s.finishLogin("USER", name, u, err)
}

func (s *session) cmdAPOP(cmd command) {
	ap, ok := s.h.store.(APOPStore)
	if !ok || s.apopStamp == "" {
		s.fail(codeNone, "APOP is not available on this server")
		return
	}
	if len(cmd.args) != 2 || !isMD5Hex(cmd.args[1]) {
		s.fail(codeNone, "APOP takes a user name and an MD5 digest in hex")
		return
	}
	u, err := ap.AuthenticateAPOP(s.ctx, cmd.args[0], s.apopStamp, strings.ToLower(cmd.args[1]), s.remoteAddr())
	s.finishLogin("APOP", cmd.args[0], u, err)
}

func isMD5Hex(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// newAPOPStamp makes the greeting's timestamp (RFC 1939 §7): unique per
// session and unguessable, so a recorded digest cannot be replayed.
func newAPOPStamp(host string) string {
	var b [12]byte
	rand.Read(b[:])
	return "<" + hex.EncodeToString(b[:]) + "." + strconv.FormatInt(time.Now().Unix(), 10) + "@" + host + ">"
}

// finishLogin reports an authentication result and, on success, opens the
// maildrop.
func (s *session) finishLogin(method, name string, u store.User, err error) {
	switch {
	case err == nil:
	case errors.Is(err, store.ErrRateLimited):
		s.log.Warn("login refused: rate limited", zap.String("user", name), zap.String("method", method))
		s.fail(codeAuth, "too many failed logins, try again later")
		return
	case errors.Is(err, store.ErrAuthFailed), errors.Is(err, store.ErrNotFound):
		s.log.Info("login failed", zap.String("user", name), zap.String("method", method))
		s.fail(codeAuth, "authentication failed")
		return
	default:
		s.log.Error("login error", zap.String("user", name), zap.String("method", method), zap.Error(err))
		s.fail(codeSysTemp, "authentication is unavailable, try again later")
		return
	}
	s.openMaildrop(u, method)
}
