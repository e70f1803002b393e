package smtp

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
	"go.uber.org/zap"
)

// authMechanisms lists the SASL mechanisms offered now: PLAIN and LOGIN
// only over TLS unless AllowPlaintextAuth, EXTERNAL only with a verified
// client certificate, nothing once authenticated.
func (s *session) authMechanisms() []string {
	if !s.cfg.AuthEnabled || s.authed() {
		return nil
	}
	var mechs []string
	if s.tlsState() != nil || s.cfg.AllowPlaintextAuth {
		mechs = append(mechs, "PLAIN", "LOGIN")
	}
	if s.certVerified() {
		mechs = append(mechs, "EXTERNAL")
	}
	return mechs
}

// cmdAuth runs an RFC 4954 AUTH exchange.
func (s *session) cmdAuth(arg string) {
	mech, initial, hasInitial := strings.Cut(strings.TrimSpace(arg), " ")
	mech = strings.ToUpper(mech)
	switch {
	case !s.cfg.AuthEnabled:
		s.respond(reply{503, "5.5.1", "Error: authentication not enabled"})
		return
	case s.helo == "" || !s.esmtp:
		s.respond(reply{503, "5.5.1", "Error: send EHLO first"})
		return
	case s.authed():
		s.respond(reply{503, "5.5.1", "Error: already authenticated"})
		return
	case s.tx != nil:
		s.respond(reply{503, "5.5.1", "Error: MAIL transaction in progress"})
		return
	case mech == "":
		s.respond(reply{501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"})
		return
	}
	var user User
	var backendErr error // a failure of the store, not of the client
	authenticate := func(authzid, username, password string) error {
		if authzid != "" && authzid != username {
			return ErrAuthFailed // no acting on behalf of another user
		}
		u, err := s.h.backend.Authenticate(s.ctx, s.remote.Addr(), username, password)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				backendErr = err
			}
			return err
		}
		user = u
		return nil
	}
	var server sasl.Server
	switch mech {
	case "PLAIN", "LOGIN":
		if s.tlsState() == nil && !s.cfg.AllowPlaintextAuth {
			s.respond(reply{538, "5.7.11", "Encryption required for requested authentication mechanism"})
			return
		}
		if mech == "PLAIN" {
			server = sasl.NewPlainServer(authenticate)
		} else {
			server = &loginServer{authenticate: func(u, p string) error { return authenticate("", u, p) }}
		}
	case "EXTERNAL":
		if !s.certVerified() {
			s.respond(reply{535, "5.7.8", "Authentication failed: no verified client certificate"})
			return
		}
		server = sasl.NewExternalServer(func(authzid string) error {
			u, err := s.certificateUser(authzid)
			if err != nil {
				var se *Error
				if !errors.As(err, &se) {
					backendErr = err
				}
				return err
			}
			user = u
			return nil
		})
	default:
		s.respond(reply{504, "5.5.4", "Unrecognized authentication type"})
		return
	}

	var response []byte
	if hasInitial {
		if initial == "=" {
			response = []byte{}
		} else {
			b, err := base64.StdEncoding.DecodeString(initial)
			if err != nil {
				s.respond(reply{501, "5.5.2", "Invalid base64 data in initial response"})
				return
			}
			response = b
		}
	}
	for {
		challenge, done, err := server.Next(response)
		if err != nil {
			s.authFailed(mech, err, backendErr)
			return
		}
		if done {
			break
		}
		s.write(reply{code: 334, text: base64.StdEncoding.EncodeToString(challenge)})
		line, err := s.readLine(authLineLimit)
		if errors.Is(err, errLineTooLong) {
			s.respond(reply{500, "5.5.6", "Authentication exchange line is too long"})
			return
		}
		if err != nil {
			s.readFailed(err)
			s.closing = true
			return
		}
		if line == "*" {
			s.respond(reply{501, "5.0.0", "Authentication aborted"})
			return
		}
		if response, err = base64.StdEncoding.DecodeString(line); err != nil {
			s.respond(reply{501, "5.5.2", "Invalid base64 data in continued response"})
			return
		}
	}
	s.user = user
	s.log = s.log.With(zap.String("user", user.Name))
	s.log.Info("authenticated", zap.String("mechanism", mech))
	s.respond(reply{235, "2.7.0", "Authentication successful"})
}

func (s *session) authFailed(mech string, err, backendErr error) {
	var se *Error
	switch {
	case backendErr != nil:
		s.log.Error("authentication backend failed", zap.String("mechanism", mech), zap.Error(backendErr))
		s.respond(reply{454, "4.7.0", "Temporary authentication failure"})
	case errors.As(err, &se):
		s.log.Info("authentication failed", zap.String("mechanism", mech), zap.String("reason", se.Message))
		s.respond(reply{se.Code, se.Enhanced, se.Message})
	default: // malformed SASL data
		s.log.Info("authentication failed", zap.String("mechanism", mech), zap.Error(err))
		s.respond(reply{535, "5.7.8", "Authentication credentials invalid"})
	}
}

// certificateUser maps the verified client certificate to a user for AUTH
// EXTERNAL: the certificate's e-mail address (rfc822Name, else the
// emailAddress attribute, else a CN that is an address) must be a local
// address that delivers to exactly one user's INBOX. authzid, if the
// client gave one, must name the same address.
func (s *session) certificateUser(authzid string) (User, error) {
	cert := s.tlsState().PeerCertificates[0]
	addr := certificateAddress(cert)
	if addr == "" {
		return User{}, &Error{535, "5.7.8", "Authentication failed: the certificate names no e-mail address"}
	}
	if authzid != "" && !strings.EqualFold(authzid, addr) {
		return User{}, &Error{535, "5.7.8", "Authentication failed: the certificate does not name " + authzid}
	}
	res, err := s.h.backend.Resolve(s.ctx, addr)
	if err != nil {
		if errors.Is(err, ErrUnknownRecipient) {
			return User{}, &Error{535, "5.7.8", "Authentication failed: no user for " + addr}
		}
		return User{}, err
	}
	if len(res.Targets) != 1 || res.Targets[0].Mailbox != "" {
		return User{}, &Error{535, "5.7.8", "Authentication failed: " + addr + " is not one user's address"}
	}
	return User{ID: res.Targets[0].UserID, Name: addr}, nil
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

func certificateAddress(cert *x509.Certificate) string {
	if len(cert.EmailAddresses) > 0 {
		return cert.EmailAddresses[0]
	}
	for _, atv := range cert.Subject.Names {
		if atv.Type.Equal(oidEmailAddress) {
			if v, ok := atv.Value.(string); ok {
				return v
			}
		}
	}
	if strings.Contains(cert.Subject.CommonName, "@") {
		return cert.Subject.CommonName
	}
	return ""
}

// loginServer is the server side of the obsolete but ubiquitous LOGIN
// mechanism: "Username:" and "Password:" challenges (go-sasl has only the
// client side).
type loginServer struct {
	authenticate func(username, password string) error
	username     string
	step         int
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if response == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough // the initial response is the user name
	case 1:
		l.step = 2
		l.username = string(response)
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		return nil, true, l.authenticate(l.username, string(response))
	}
	return nil, false, fmt.Errorf("sasl: LOGIN: %w", sasl.ErrUnexpectedClientResponse)
}
