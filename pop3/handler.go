// Package pop3 serves POP3 sessions on a listener: RFC 1939 (USER, PASS,
// APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL), RFC 2449 CAPA
// with response codes, RFC 2595 STLS, and RFC 5034 AUTH (PLAIN, LOGIN,
// EXTERNAL). The maildrop is the user's INBOX in the mail store; its UIDL
// values are Hedwig's message ids, so clients that move from Hedwig do not
// download everything again.
package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/listener"
)

// Config is what a POP3 listener's sessions need from the configuration.
// The idle timeout (pop3d_timeout) belongs to the listener.
type Config struct {
	// Hostname is the server's name in greetings and APOP timestamps.
	Hostname string
	// TLS serves STLS on a plain listener; nil offers no STLS. To offer
	// AUTH EXTERNAL it must verify client certificates (ClientCAs and
	// ClientAuth of at least VerifyClientCertIfGiven).
	TLS *tls.Config
	// AllowPlaintextAuth lets clients send passwords (USER/PASS, AUTH
	// PLAIN and LOGIN) before TLS is active.
	AllowPlaintextAuth bool
	// MaxErrors is how many bad commands a session may send; the next one
	// ends it (Hedwig: 3). Zero means 3.
	MaxErrors int
	// Expire, when not empty, is advertised as RFC 2449's EXPIRE: "NEVER",
	// or the days the server keeps a message after it has been retrieved
	// (the housekeeping job's expunge_after). "0" also makes every session
	// delete the messages it retrieved at QUIT, as the RFC asks of a server
	// that announces it.
	Expire string
	// LoginDelay, when positive, is advertised as LOGIN-DELAY and enforced:
	// a user who logged in less than this long ago is refused with
	// [LOGIN-DELAY]. It is rounded to whole seconds.
	LoginDelay time.Duration
}

// Maximum lengths of what a client sends. RFC 2449 limits command lines to
// 255 octets; more is tolerated, a runaway line ends the session.
const (
	maxCommandLine = 1024
	maxSASLLine    = 8192 // one base64 SASL response
)

// Handler implements listener.Handler for POP3. One Handler serves one
// listener; maildrop locks are shared by every Handler on the same store.
type Handler struct {
	cfg       Config
	store     Store
	expireDay int // -1: NEVER or not advertised; else days
}

// NewHandler returns a POP3 handler whose sessions use st. It refuses a
// Config that cannot be advertised as it says.
func NewHandler(cfg Config, st Store) (*Handler, error) {
	if st == nil {
		return nil, errors.New("pop3: no mail store")
	}
	if !reflect.TypeOf(st).Comparable() {
		return nil, fmt.Errorf("pop3: store type %T is not comparable; pass a pointer", st)
	}
	if cfg.MaxErrors <= 0 {
		cfg.MaxErrors = 3
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	if cfg.LoginDelay < 0 {
		return nil, fmt.Errorf("pop3: login delay %v is negative", cfg.LoginDelay)
	}
	h := &Handler{cfg: cfg, store: st, expireDay: -1}
	switch e := strings.ToUpper(strings.TrimSpace(cfg.Expire)); e {
	case "":
	case "NEVER":
		h.cfg.Expire = e
	default:
		days, err := strconv.Atoi(e)
		if err != nil || days < 0 {
			return nil, fmt.Errorf("pop3: expire %q is neither NEVER nor a number of days", cfg.Expire)
		}
		h.cfg.Expire, h.expireDay = strconv.Itoa(days), days
	}
	return h, nil
}

// Busy is the reply when the executor is full (RFC 3206 SYS/TEMP).
func (h *Handler) Busy(c *listener.Conn) {
	c.Writer().WriteString("-ERR [SYS/TEMP] " + h.cfg.Hostname + " has too many connections, try again later\r\n")
}

// Serve runs one session until QUIT, a fatal error, a dropped connection
// or server shutdown. Only QUIT deletes messages.
func (h *Handler) Serve(ctx context.Context, c *listener.Conn) {
	s := newSession(ctx, h, c)
	defer s.release()
	s.run()
}
