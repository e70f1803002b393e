package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// The real store satisfies the interfaces this package declares.
var (
	_ Store     = (*store.Store)(nil)
	_ APOPStore = (*store.Store)(nil)
)

// testStore opens a real SQLite store in a temporary directory; tune, if
// given, adjusts the options.
func testStore(t testing.TB, tune ...func(*store.Options)) *store.Store {
	t.Helper()
	return openStoreAt(t, t.TempDir(), tune...)
}

// openStoreAt opens the SQLite store in dir, creating it if needed. Two
// stores opened on one dir stand for two hedwig processes on one database.
func openStoreAt(t testing.TB, dir string, tune ...func(*store.Options)) *store.Store {
	t.Helper()
	ds, err := store.ParseDataSource("jdbc:sqlite:hedwig.db", "", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := store.Options{
		DataDirectory: filepath.Join(dir, "data"),
		Domains:       []string{"example.com"},
	}
	for _, f := range tune {
		f(&opts)
	}
	st, err := store.Open(ctx, ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// addUser creates a user with a password.
func addUser(t testing.TB, st *store.Store, address, password string) store.User {
	t.Helper()
	u, err := st.AddUser(context.Background(), address, password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// deliver puts a message into the user's INBOX and returns its UID.
func deliver(t testing.TB, st *store.Store, u store.User, msg []byte) int64 {
	t.Helper()
	uid, err := st.Deliver(context.Background(), u.ID, "", bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

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

// tlsFiles reads the fixture key material copied into testdata.
func readPEM(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func caPool(t testing.TB) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(readPEM(t, "ca.crt")) {
		t.Fatal("ca.crt holds no certificate")
	}
	return pool
}

// serverTLS serves the fixture chain and verifies client certificates
// issued under the fixture CA when a client offers one.
func serverTLS(t testing.TB) *tls.Config {
	t.Helper()
	cert, err := tls.X509KeyPair(readPEM(t, "server-chain.crt"), readPEM(t, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    caPool(t),
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS12,
	}
}

// clientTLS trusts the fixture CA; with a certificate name ("client" or
// "rogue") it also presents that client certificate.
func clientTLS(t testing.TB, certName string) *tls.Config {
	t.Helper()
	cfg := &tls.Config{RootCAs: caPool(t), ServerName: "localhost"}
	if certName != "" {
		crt := certName + ".crt"
		if certName == "client" {
			crt = "client-chain.crt"
		}
		cert, err := tls.X509KeyPair(readPEM(t, crt), readPEM(t, certName+".key"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg
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
		cfg.TLS = serverTLS(t)
	}
	h, err := NewHandler(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	l := listener.New(listener.Config{
		Name: "pop3-test", Protocol: "pop3", Addr: "127.0.0.1:0",
		TLSMode: mode, TLS: cfg.TLS, IdleTimeout: time.Minute,
	}, h)
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l.Shutdown(ctx)
	})
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
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
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
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// startTLS sends STLS and upgrades the connection.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	c.cmdOK("STLS")
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
