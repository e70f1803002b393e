// Package imap serves IMAP4rev1 (RFC 3501) sessions on a listener, backed
// by the mail store: authentication (LOGIN, AUTHENTICATE PLAIN and
// EXTERNAL), mailbox management, APPEND, FETCH, SEARCH, STORE, COPY/MOVE,
// EXPUNGE and IDLE, with the UIDPLUS, MOVE, IDLE, ID, NAMESPACE, ENABLE,
// UNSELECT, CHILDREN, LITERAL+, SASL-IR, ESEARCH, CONDSTORE,
// QRESYNC, QUOTA, ACL, SPECIAL-USE and STARTTLS
// extensions.
package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/hedwigmail/hedwig/listener"
)

// Config is what an IMAP session needs from the configuration.
type Config struct {
	Hostname string
	// TLS serves STARTTLS on a plain listener; nil offers no STARTTLS. To
	// offer AUTHENTICATE EXTERNAL it must verify client certificates
	// (ClientCAs and ClientAuth of at least VerifyClientCertIfGiven).
	TLS *tls.Config
	// AllowPlaintextAuth lets clients log in before TLS.
	AllowPlaintextAuth bool
	// MaxLineLength bounds a command line (imap_line_limit, 8192 in Hedwig).
	MaxLineLength int
	// MaxMessageSize bounds an APPENDed message; zero means 50 MiB.
	MaxMessageSize int64
	// SpoolDir holds APPENDed messages above 1 MiB while they are read;
	// empty means the system's temporary directory.
	SpoolDir string
	// MaxBadCommands is how many malformed or refused commands a session
	// may send before it is disconnected; zero means 10.
	MaxBadCommands int
}

// Handler implements listener.Handler for IMAP.
type Handler struct {
	cfg   Config
	store Store
}

// NewHandler returns an IMAP handler for cfg serving the mailboxes of st.
func NewHandler(cfg Config, st Store) (*Handler, error) {
	if st == nil || (reflect.ValueOf(st).Kind() == reflect.Pointer && reflect.ValueOf(st).IsNil()) {
		return nil, errors.New("imap: no mail store")
	}
	if cfg.MaxLineLength <= 0 {
		cfg.MaxLineLength = 8192
	}
	if cfg.MaxLineLength < 1024 {
		return nil, fmt.Errorf("imap: line limit %d is below the 1024 octets clients need", cfg.MaxLineLength)
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 50 << 20
	}
	if cfg.MaxBadCommands <= 0 {
		cfg.MaxBadCommands = 10
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	return &Handler{cfg: cfg, store: st}, nil
}

// Busy tells a client the executor is full (RFC 3501 §7.1.5 BYE greeting).
func (h *Handler) Busy(c *listener.Conn) {
	c.Writer().WriteString("* BYE [UNAVAILABLE] " + h.cfg.Hostname + " too many connections, try again later\r\n")
}

// Serve runs one session.
func (h *Handler) Serve(ctx context.Context, c *listener.Conn) {
	s := &session{h: h, c: c, ctx: ctx, w: c.Writer(), log: c.Logger()}
	s.serve()
}

// capabilities lists what the session offers in its current state.
func (s *session) capabilities() string {
	caps := []string{"IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "CHILDREN", "UIDPLUS", "MOVE", "ESEARCH", "CONDSTORE", "QRESYNC", "QUOTA", "ACL", "RIGHTS=kxte", "SPECIAL-USE"}
	tlsOn := s.c.TLS() != nil
	if s.user == nil {
		if !tlsOn && s.h.cfg.TLS != nil && s.c.TLSMode() == listener.StartTLS {
			caps = append(caps, "STARTTLS")
		}
		if tlsOn || s.h.cfg.AllowPlaintextAuth {
			caps = append(caps, "AUTH=PLAIN")
		} else {
			caps = append(caps, "LOGINDISABLED")
		}
		if s.externalUser() != "" {
			caps = append(caps, "AUTH=EXTERNAL")
		}
	}
	return strings.Join(caps, " ")
}
