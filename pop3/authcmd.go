package pop3

import (
	"errors"
	"strings"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// mechanisms lists the SASL mechanisms usable on this connection now.
func (s *session) mechanisms() []string {
	var m []string
	if s.passwordsAllowed() {
		m = append(m, mechPlain, mechLogin)
	}
	if _, ok := s.externalIdentity(); ok {
		m = append(m, mechExternal)
	}
	return m
}

// cmdAuth runs AUTH (RFC 5034). Without arguments it lists the mechanisms,
// as clients of the older RFC 1734 expect.
func (s *session) cmdAuth(cmd command) {
	if len(cmd.args) == 0 {
		s.ok("SASL mechanisms follow")
		for _, m := range s.mechanisms() {
			s.line(m)
		}
		s.line(".")
		return
	}
	if len(cmd.args) > 2 {
		s.fail(codeNone, "AUTH takes a mechanism and an optional initial response")
		return
	}
	mech := strings.ToUpper(cmd.args[0])
	var initial []byte
	if len(cmd.args) == 2 {
		var err error
		if initial, err = decodeSASLResponse(cmd.args[1]); err != nil {
			s.fail(codeNone, err.Error())
			return
		}
	}
	switch mech {
	case mechPlain, mechLogin:
		if !s.passwordsAllowed() {
			s.refusePlaintext()
			return
		}
	case mechExternal:
		if _, ok := s.externalIdentity(); !ok {
			s.fail(codeAuth, "EXTERNAL needs a TLS client certificate that the server verified")
			return
		}
	default:
		s.fail(codeNone, "unsupported SASL mechanism; AUTH alone lists them")
		return
	}
	x := &saslExchange{s: s, initial: initial, hasInitial: len(cmd.args) == 2}
	var (
		u    store.User
		name string
		err  error
	)
	switch mech {
	case mechPlain:
		name, u, err = x.plain()
	case mechLogin:
		name, u, err = x.login()
	case mechExternal:
		name, u, err = x.external()
	}
	var se saslError
	switch {
	case errors.As(err, &se):
		if !s.closing {
			s.fail(codeNone, se.Error())
		}
		return
	case errors.Is(err, errConnection):
		s.closing = true
		return
	}
	s.finishLogin("AUTH "+mech, name, u, err)
}

// saslExchange carries one AUTH command's challenges and responses.
type saslExchange struct {
	s          *session
	initial    []byte
	hasInitial bool
}

// saslError is a protocol error in the exchange, reported as -ERR.
type saslError struct{ error }

// errConnection means the connection failed during the exchange.
var errConnection = errors.New("connection failed")

// response returns the initial response if the client sent one, or sends
// the challenge and reads the client's answer.
func (x *saslExchange) response(challenge string) ([]byte, error) {
	if x.hasInitial {
		x.hasInitial = false
		return x.initial, nil
	}
	s := x.s
	s.c.Writer().WriteString("+ " + challenge + "\r\n")
	if err := s.flush(); err != nil {
		return nil, errConnection
	}
	line, err := s.c.ReadLine(maxSASLLine)
	if errors.Is(err, listener.ErrLineTooLong) {
		s.fatal(codeNone, "SASL response too long")
		return nil, saslError{err}
	}
	if err != nil {
		s.log.Info("read failed during AUTH", zap.Error(err))
		return nil, errConnection
	}
	b, err := decodeSASLResponse(line)
	if err != nil {
		return nil, saslError{err}
	}
	return b, nil
}

func (x *saslExchange) plain() (string, store.User, error) {
	b, err := x.response("")
	if err != nil {
		return "", store.User{}, err
	}
	authz, authc, pass, err := parsePlain(b)
	if err != nil {
		return "", store.User{}, saslError{err}
	}
	s := x.s
	u, err := s.h.store.Authenticate(s.ctx, authc, pass, s.remoteAddr())
	if err == nil && authz != "" && !x.sameUser(authz, u) {
		return authc, store.User{}, saslError{errors.New("authorization identity differs from the authentication identity; proxy login is not supported")}
	}
	return authc, u, err
}

func (x *saslExchange) login() (string, store.User, error) {
	b, err := x.response(loginUserPrompt)
	if err != nil {
		return "", store.User{}, err
	}
	name, err := saslText(b)
	if err != nil || name == "" {
		return "", store.User{}, saslError{errors.New("LOGIN needs a user name")}
	}
	b, err = x.response(loginPassPrompt)
	if err != nil {
		return name, store.User{}, err
	}
	pass, err := saslText(b)
	if err != nil {
		return name, store.User{}, saslError{err}
	}
	s := x.s
	u, err := s.h.store.Authenticate(s.ctx, name, pass, s.remoteAddr())
	return name, u, err
}

// external logs in the user the verified client certificate names; an
// authorization identity, if sent, must name the same user.
func (x *saslExchange) external() (string, store.User, error) {
	b, err := x.response("")
	if err != nil {
		return "", store.User{}, err
	}
	authz, err := saslText(b)
	if err != nil {
		return "", store.User{}, saslError{err}
	}
	s := x.s
	ident, _ := s.externalIdentity()
	u, err := s.h.store.LookupUser(s.ctx, ident)
	if err == nil && authz != "" && !x.sameUser(authz, u) {
		return ident, store.User{}, saslError{errors.New("the certificate does not name the requested user")}
	}
	return ident, u, err
}

// sameUser reports whether name is u's login, as the store resolves names.
func (x *saslExchange) sameUser(name string, u store.User) bool {
	other, err := x.s.h.store.LookupUser(x.s.ctx, name)
	return err == nil && other.ID == u.ID
}
