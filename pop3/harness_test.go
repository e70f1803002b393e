package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// The real store satisfies the interfaces this package declares.
var (
	_ Store     = (*store.Store)(nil)
	_ APOPStore = (*store.Store)(nil)
)

// inboxUIDs lists the UIDs left in the user's INBOX.
func inboxUIDs(t testing.TB, st *store.Store, u store.User) []int64 {
	t.Helper()
	ctx := context.Background()
	mb, err := st.MailboxByName(ctx, u.ID, store.InboxName)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := st.Messages(ctx, mb.ID)
	if err != nil {
		t.Fatal(err)
	}
	uids := make([]int64, len(infos))
	for i, m := range infos {
		uids[i] = m.UID
	}
	return uids
}

// sampleMessage is a message with what POP3 must carry unchanged: lines
// that begin with dots, 8-bit text, a long line and an empty last line.
func sampleMessage(subject string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <bob@example.org>\r\n")
	fmt.Fprintf(&b, "From: Bob <bob@example.org>\r\nTo: alice@example.com\r\n")
	fmt.Fprintf(&b, "Subject: %s\r\nMessage-ID: <%s@example.org>\r\n", subject, strings.ReplaceAll(subject, " ", "."))
	fmt.Fprintf(&b, "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("Grüße aus Köln.\r\n.\r\n..two dots\r\n.leading dot\r\n")
	b.WriteString(strings.Repeat("x", 990) + "\r\n")
	b.WriteString("\r\n-- \r\nBob\r\n")
	return b.Bytes()
}

// server is a Handler served by a real listener on 127.0.0.1:0.
type server struct {
	st   Store
	l    *listener.Listener
	addr string
}

// startServer serves POP3 on st with mode (StartTLS or Implicit).
func startServer(t testing.TB, st Store, mode listener.TLSMode, cfg Config) *server {
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
		Name: "pop3-test", Protocol: "pop3",
		TLSMode: mode, TLS: cfg.TLS, IdleTimeout: time.Minute,
	}, h)
	return &server{st: st, l: l, addr: l.Addr().String()}
}

// waitIdle waits until every session of the server has ended (the server
// notices a dropped connection on its next read).
func (s *server) waitIdle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.l.Stats().Open > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still open", s.l.Stats().Open)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// client is a raw POP3 connection for tests that check exact replies.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// dial connects and reads the greeting.
func dial(t testing.TB, addr string) *client {
	t.Helper()
	c := dialRaw(t, addr)
	c.expectOK()
	return c
}

// dialRaw connects without reading anything.
func dialRaw(t testing.TB, addr string) *client {
	t.Helper()
	conn := mailtest.Dial(t, addr, nil)
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// dialTLS connects with implicit TLS and reads the greeting.
func dialTLS(t testing.TB, addr string, cfg *tls.Config) *client {
	t.Helper()
	c := dialTLSRaw(t, addr, cfg)
	c.expectOK()
	return c
}

// dialTLSRaw connects with implicit TLS without reading anything.
func dialTLSRaw(t testing.TB, addr string, cfg *tls.Config) *client {
	t.Helper()
	conn := mailtest.Dial(t, addr, cfg)
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// startTLS sends STLS and upgrades the connection.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	c.cmdOK("STLS")
	c.handshake(cfg)
}

// handshake starts TLS on the connection once the server has accepted STLS.
func (c *client) handshake(cfg *tls.Config) {
	c.t.Helper()
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("handshake after STLS: %v", err)
	}
	c.conn, c.r = tc, bufio.NewReader(tc)
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

func (c *client) readLine() string {
	c.t.Helper()
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read reply: %v (got %q)", err, line)
	}
	if !strings.HasSuffix(line, "\r\n") {
		c.t.Fatalf("reply %q does not end in CRLF", line)
	}
	return strings.TrimSuffix(line, "\r\n")
}

func (c *client) expectOK() string {
	c.t.Helper()
	line := c.readLine()
	if !strings.HasPrefix(line, "+OK") {
		c.t.Fatalf("want +OK, got %q", line)
	}
	return line
}

// expectErr reads a -ERR reply and checks that it contains want.
func (c *client) expectErr(want string) string {
	c.t.Helper()
	line := c.readLine()
	if !strings.HasPrefix(line, "-ERR") || !strings.Contains(line, want) {
		c.t.Fatalf("want -ERR containing %q, got %q", want, line)
	}
	return line
}

func (c *client) cmdOK(line string) string {
	c.t.Helper()
	c.send(line)
	return c.expectOK()
}

// challenge sends line and expects exactly the SASL continuation want.
func (c *client) challenge(line, want string) {
	c.t.Helper()
	c.send(line)
	if got := c.readLine(); got != want {
		c.t.Fatalf("%s: continuation %q, want %q", line, got, want)
	}
}

func (c *client) cmdErr(line, want string) string {
	c.t.Helper()
	c.send(line)
	return c.expectErr(want)
}

// multiline reads the body of a multi-line reply, un-stuffed, as raw bytes.
func (c *client) multiline() []byte {
	c.t.Helper()
	var out []byte
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			c.t.Fatalf("read multi-line reply: %v", err)
		}
		if string(line) == ".\r\n" {
			return out
		}
		if line[0] == '.' {
			line = line[1:]
		}
		out = append(out, line...)
	}
}

// lines reads a multi-line reply as lines.
func (c *client) lines() []string {
	c.t.Helper()
	body := strings.TrimSuffix(string(c.multiline()), "\r\n")
	if body == "" {
		return nil
	}
	return strings.Split(body, "\r\n")
}

// expectClosed checks that the server closed the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if line, err := c.r.ReadString('\n'); err == nil {
		c.t.Fatalf("connection still open, got %q", line)
	}
}

// login logs in with USER/PASS.
func (c *client) login(user, pass string) string {
	c.t.Helper()
	c.cmdOK("USER " + user)
	return c.cmdOK("PASS " + pass)
}
