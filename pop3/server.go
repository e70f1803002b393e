// Package pop3 serves POP3 sessions (RFC 1939, RFC 2449 CAPA, RFC 2595
// STLS) on a listener.
//
// This first version carries the connection-level part of the protocol
// (greeting, CAPA, NOOP, QUIT, STLS, the busy reply with the SYS/TEMP
// response code); the maildrop commands answer -ERR until the store-backed
// session lands.
package pop3

import (
	"context"
	"crypto/tls"
	"strings"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
)

// Config is what a POP3 session needs from the configuration.
type Config struct {
	Hostname string
	TLS      *tls.Config // nil: no STLS offered
	// AllowPlaintextAuth lets clients send USER/PASS before TLS.
	AllowPlaintextAuth bool
	// MaxErrors ends a session after this many bad commands (Hedwig: 3).
	MaxErrors int
}

// maxLine is RFC 2449's limit on a command line (255 octets) with room for
// SASL responses, which RFC 5034 allows up to 255 octets of base64 each.
const maxLine = 1024

// Handler implements listener.Handler for POP3.
type Handler struct{ cfg Config }

// NewHandler returns a POP3 handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.MaxErrors <= 0 {
		cfg.MaxErrors = 3
	}
	return &Handler{cfg: cfg}
}

// Busy is the reply when the executor is full (RFC 3206 SYS/TEMP).
func (h *Handler) Busy(c *listener.Conn) {
	c.Writer().WriteString("-ERR [SYS/TEMP] " + h.cfg.Hostname + " too many connections, try again later\r\n")
}

func (h *Handler) canSTLS(c *listener.Conn) bool {
	return c.TLS() == nil && h.cfg.TLS != nil && c.TLSMode() == listener.StartTLS
}

// Serve runs one session.
func (h *Handler) Serve(ctx context.Context, c *listener.Conn) {
	w := c.Writer()
	w.WriteString("+OK " + h.cfg.Hostname + " hedwig POP3 server ready\r\n")
	c.Flush()
	errors := 0
	for {
		if ctx.Err() != nil {
			w.WriteString("-ERR [SYS/TEMP] server shutting down\r\n")
			return
		}
		line, err := c.ReadLine(maxLine)
		if err == listener.ErrLineTooLong {
			w.WriteString("-ERR command line too long\r\n")
			return
		}
		if err != nil {
			return
		}
		cmd, _, _ := strings.Cut(line, " ")
		ok := true
		switch strings.ToUpper(cmd) {
		case "CAPA":
			w.WriteString("+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n")
			if h.canSTLS(c) {
				w.WriteString("STLS\r\n")
			}
			if c.TLS() != nil || h.cfg.AllowPlaintextAuth {
				w.WriteString("USER\r\n")
			}
			w.WriteString("IMPLEMENTATION hedwig\r\n.\r\n")
		case "NOOP":
			w.WriteString("+OK\r\n")
		case "QUIT":
			w.WriteString("+OK " + h.cfg.Hostname + " signing off\r\n")
			return
		case "STLS":
			if !h.canSTLS(c) {
				w.WriteString("-ERR STLS not available\r\n")
				ok = false
				break
			}
			w.WriteString("+OK begin TLS negotiation\r\n")
			if _, err := c.StartTLS(h.cfg.TLS); err != nil {
				c.Logger().Info("STLS failed", zap.Error(err))
				return
			}
		case "USER", "PASS", "APOP", "AUTH":
			if c.TLS() == nil && !h.cfg.AllowPlaintextAuth {
				w.WriteString("-ERR [AUTH] plaintext authentication is disabled: use STLS or port 995 first\r\n")
			} else {
				w.WriteString("-ERR [SYS/TEMP] maildrop access is not available on this server yet\r\n")
			}
			ok = false
		default:
			w.WriteString("-ERR unknown command\r\n")
			ok = false
		}
		if !ok {
			if errors++; errors >= h.cfg.MaxErrors {
				w.WriteString("-ERR too many errors, closing connection\r\n")
				return
			}
		}
		c.Flush()
	}
}
