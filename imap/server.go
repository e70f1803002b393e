// Package imap serves IMAP4rev1 sessions on a listener.
//
// This first version carries the connection-level part of the protocol
// (greeting, CAPABILITY, NOOP, LOGOUT, STARTTLS with LOGINDISABLED before
// TLS, the BYE replies for a busy executor and shutdown); mailbox commands
// are answered with a tagged NO until the store-backed session lands.
package imap

import (
	"context"
	"crypto/tls"
	"strings"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
)

// Config is what an IMAP session needs from the configuration.
type Config struct {
	Hostname string
	TLS      *tls.Config // nil: no STARTTLS offered
	// AllowPlaintextAuth lets clients log in before TLS.
	AllowPlaintextAuth bool
	// MaxLineLength bounds a command line (imap_line_limit, 8192 in Hedwig).
	MaxLineLength int
}

// Handler implements listener.Handler for IMAP.
type Handler struct{ cfg Config }

// NewHandler returns an IMAP handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.MaxLineLength <= 0 {
		cfg.MaxLineLength = 8192
	}
	return &Handler{cfg: cfg}
}

// Busy tells a client the executor is full (RFC 3501 §7.1.5 BYE greeting).
func (h *Handler) Busy(c *listener.Conn) {
	c.Writer().WriteString("* BYE [UNAVAILABLE] " + h.cfg.Hostname + " too many connections, try again later\r\n")
}

func (h *Handler) capabilities(c *listener.Conn) string {
	caps := []string{"IMAP4rev1"}
	if c.TLS() == nil && h.cfg.TLS != nil && c.TLSMode() == listener.StartTLS {
		caps = append(caps, "STARTTLS")
	}
	if c.TLS() == nil && !h.cfg.AllowPlaintextAuth {
		caps = append(caps, "LOGINDISABLED")
	}
	return strings.Join(caps, " ")
}

// Serve runs one session.
func (h *Handler) Serve(ctx context.Context, c *listener.Conn) {
	w := c.Writer()
	w.WriteString("* OK [CAPABILITY " + h.capabilities(c) + "] " + h.cfg.Hostname + " hedwig IMAP4rev1 ready\r\n")
	c.Flush()
	for {
		if ctx.Err() != nil {
			w.WriteString("* BYE server shutting down\r\n")
			return
		}
		line, err := c.ReadLine(h.cfg.MaxLineLength)
		if err == listener.ErrLineTooLong {
			w.WriteString("* BYE command line too long\r\n")
			return
		}
		if err != nil {
			return
		}
		tag, cmd, _ := splitCommand(line)
		if tag == "" || cmd == "" {
			w.WriteString("* BAD malformed command\r\n")
			c.Flush()
			continue
		}
		switch cmd {
		case "CAPABILITY":
			w.WriteString("* CAPABILITY " + h.capabilities(c) + "\r\n" + tag + " OK CAPABILITY completed\r\n")
		case "NOOP":
			w.WriteString(tag + " OK NOOP completed\r\n")
		case "LOGOUT":
			w.WriteString("* BYE logging out\r\n" + tag + " OK LOGOUT completed\r\n")
			return
		case "STARTTLS":
			if c.TLS() != nil || h.cfg.TLS == nil || c.TLSMode() != listener.StartTLS {
				w.WriteString(tag + " BAD STARTTLS not available\r\n")
				break
			}
			w.WriteString(tag + " OK begin TLS negotiation now\r\n")
			if _, err := c.StartTLS(h.cfg.TLS); err != nil {
				c.Logger().Info("STARTTLS failed", zap.Error(err))
				return
			}
		case "LOGIN", "AUTHENTICATE":
			if c.TLS() == nil && !h.cfg.AllowPlaintextAuth {
				w.WriteString(tag + " NO [PRIVACYREQUIRED] use STARTTLS or port 993 first\r\n")
				break
			}
			w.WriteString(tag + " NO [UNAVAILABLE] mailbox access is not available on this server yet\r\n")
		default:
			w.WriteString(tag + " BAD unknown command in this state\r\n")
		}
		c.Flush()
	}
}

// splitCommand splits "tag COMMAND args".
func splitCommand(line string) (tag, cmd, args string) {
	tag, rest, _ := strings.Cut(line, " ")
	cmd, args, _ = strings.Cut(rest, " ")
	return tag, strings.ToUpper(cmd), args
}
