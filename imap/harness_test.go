package imap

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// The real store satisfies the interface this package declares.
var _ Store = (*store.Store)(nil)

// sampleMessage has what IMAP must carry unchanged: 8-bit text, a long
// line, lines starting with dots and a blank last line.
func sampleMessage(subject string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <bob@example.org>\r\n")
	fmt.Fprintf(&b, "From: Bob Example <bob@example.org>\r\nTo: alice@example.com, Carol <carol@example.net>\r\n")
	fmt.Fprintf(&b, "Subject: %s\r\nMessage-ID: <%s@example.org>\r\n", subject, strings.ReplaceAll(subject, " ", "."))
	fmt.Fprintf(&b, "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("Grüße aus Köln.\r\n.\r\n..two dots\r\n")
	b.WriteString(strings.Repeat("x", 990) + "\r\n")
	b.WriteString("\r\n-- \r\nBob\r\n")
	return b.Bytes()
}

type server struct {
	st   *store.Store
	l    *listener.Listener
	addr string
}

// startServer serves IMAP on st with mode (StartTLS or Implicit).
func startServer(t testing.TB, st *store.Store, mode listener.TLSMode, cfg Config) *server {
	t.Helper()
	if cfg.Hostname == "" {
		cfg.Hostname = "mail.example.com"
	}
	if cfg.TLS == nil && mode != listener.NoTLS {
		cfg.TLS = mailtest.ServerTLS(t)
	}
	h, err := NewHandler(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	l := mailtest.Serve(t, listener.Config{
		Name: "imap-test", Protocol: "imap",
		TLSMode: mode, TLS: cfg.TLS, IdleTimeout: time.Minute,
	}, h)
	return &server{st: st, l: l, addr: l.Addr().String()}
}

// client is a line-level IMAP client for protocol tests.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	n    int
}

func dial(t testing.TB, addr string, tlsCfg *tls.Config) *client {
	t.Helper()
	conn := mailtest.Dial(t, addr, tlsCfg)
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	c.expectPrefix("* OK ")
	return c
}

// line reads one response line.
func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (after %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

func (c *client) expectPrefix(prefix string) string {
	c.t.Helper()
	l := c.line()
	if !strings.HasPrefix(l, prefix) {
		c.t.Fatalf("got %q, want prefix %q", l, prefix)
	}
	return l
}

func (c *client) send(raw string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(raw)); err != nil {
		c.t.Fatal(err)
	}
}

// cmd sends a command and returns the untagged lines (literals inline)
// and the tagged completion.
func (c *client) cmd(format string, args ...any) ([]string, string) {
	c.t.Helper()
	c.n++
	tag := fmt.Sprintf("t%d", c.n)
	c.send(tag + " " + fmt.Sprintf(format, args...) + "\r\n")
	return c.readUntil(tag)
}

func (c *client) readUntil(tag string) ([]string, string) {
	c.t.Helper()
	var lines []string
	for {
		l := c.readWithLiterals()
		if strings.HasPrefix(l, tag+" ") {
			return lines, strings.TrimPrefix(l, tag+" ")
		}
		lines = append(lines, l)
	}
}

// readWithLiterals reads a response line and the literals it announces.
func (c *client) readWithLiterals() string {
	c.t.Helper()
	l := c.line()
	for {
		n, _, ok := trailingLiteral(l)
		if !ok {
			return l
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			c.t.Fatal(err)
		}
		l += "\r\n" + string(buf) + c.line()
	}
}

// expectStatus runs a command and fails unless its tagged completion
// starts with prefix, e.g. "NO [NOPERM]"; it returns the untagged lines.
func (c *client) expectStatus(prefix, format string, args ...any) []string {
	c.t.Helper()
	lines, status := c.cmd(format, args...)
	if !strings.HasPrefix(status, prefix) {
		c.t.Fatalf("%s: got %q, want %q…", fmt.Sprintf(format, args...), status, prefix)
	}
	return lines
}

// ok runs a command that must succeed.
func (c *client) ok(format string, args ...any) []string {
	c.t.Helper()
	return c.expectStatus("OK", format, args...)
}

// handshake starts TLS on the connection once the server has accepted
// STARTTLS.
func (c *client) handshake(cfg *tls.Config) {
	c.t.Helper()
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake after STARTTLS: %v", err)
	}
	c.conn, c.r = tc, bufio.NewReader(tc)
}

func (c *client) login(user, pass string) {
	c.t.Helper()
	c.ok("LOGIN %s %s", user, pass)
}

func tlsDial(addr string, cfg *tls.Config) (*tls.Conn, error) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err == nil {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	return conn, err
}

func itoa(n int) string { return strconv.Itoa(n) }
