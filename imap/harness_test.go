package imap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// The real store satisfies the interface this package declares.
var _ Store = (*store.Store)(nil)

// testStore opens a real SQLite store in a temporary directory.
func testStore(t testing.TB) *store.Store {
	t.Helper()
	st, _ := testStoreWithData(t)
	return st
}

// testStoreWithData also returns the store's data directory.
func testStoreWithData(t testing.TB) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	ds, err := store.ParseDataSource("jdbc:sqlite:hedwig.db", "", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), ds, store.Options{
		DataDirectory: filepath.Join(dir, "data"),
		Domains:       []string{"example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, filepath.Join(dir, "data")
}

func addUser(t testing.TB, st *store.Store, address, password string) store.User {
	t.Helper()
	u, err := st.AddUser(context.Background(), address, password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func deliver(t testing.TB, st *store.Store, u store.User, msg []byte) int64 {
	t.Helper()
	uid, err := st.Deliver(context.Background(), u.ID, "", bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

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

func readPEM(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func certPool(t testing.TB, file string) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(readPEM(t, file)) {
		t.Fatalf("%s holds no certificate", file)
	}
	return pool
}

// serverTLS serves the fixture chain and verifies client certificates
// against the fixture truststore when a client offers one.
func serverTLS(t testing.TB) *tls.Config {
	t.Helper()
	cert, err := tls.X509KeyPair(readPEM(t, "server-chain.crt"), readPEM(t, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    certPool(t, "truststore.pem"),
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS12,
	}
}

// clientTLS trusts the fixture CA; with "client" or "rogue" it presents
// that certificate.
func clientTLS(t testing.TB, certName string) *tls.Config {
	t.Helper()
	cfg := &tls.Config{RootCAs: certPool(t, "ca.crt"), ServerName: "localhost"}
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
		cfg.TLS = serverTLS(t)
	}
	h, err := NewHandler(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	l := listener.New(listener.Config{
		Name: "imap-test", Protocol: "imap", Addr: "127.0.0.1:0",
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

// client is a line-level IMAP client for protocol tests.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	n    int
}

func dial(t testing.TB, addr string, tlsCfg *tls.Config) *client {
	t.Helper()
	var conn net.Conn
	var err error
	if tlsCfg != nil {
		conn, err = tls.Dial("tcp", addr, tlsCfg)
	} else {
		conn, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	c := &client{t: t, conn: conn, r: newReader(conn)}
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

// ok runs a command that must succeed.
func (c *client) ok(format string, args ...any) []string {
	c.t.Helper()
	lines, status := c.cmd(format, args...)
	if !strings.HasPrefix(status, "OK") {
		c.t.Fatalf("%s: %s", fmt.Sprintf(format, args...), status)
	}
	return lines
}

func (c *client) login(user, pass string) {
	c.t.Helper()
	c.ok("LOGIN %s %s", user, pass)
}

func newReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

func tlsDial(addr string, cfg *tls.Config) (*tls.Conn, error) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err == nil {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	return conn, err
}

func itoa(n int) string { return strconv.Itoa(n) }
