package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hedwigmail/hedwig/executor"
	"github.com/hedwigmail/hedwig/listener"
)

// The test domain and users. Passwords are what clients send.
const (
	testDomain   = "example.com"
	alicePass    = "alice-secret"
	testHostname = "mx.example.com"
)

// testServer is a Handler served by a real listener on 127.0.0.1:0.
type testServer struct {
	t       *testing.T
	l       *listener.Listener
	h       *Handler
	backend *testBackend
	addr    string
}

type serverOption func(*listener.Config)

func withExecutor(ex *executor.Executor) serverOption {
	return func(c *listener.Config) { c.Executor = ex }
}

// startServer serves cfg; mode chooses the listener's TLS mode (StartTLS
// gives cfg the fixture key for STARTTLS).
func startServer(t *testing.T, cfg Config, mode listener.TLSMode, opts ...serverOption) *testServer {
	t.Helper()
	if cfg.Hostname == "" {
		cfg.Hostname = testHostname
	}
	if cfg.LocalDomains == nil {
		cfg.LocalDomains = []string{testDomain}
	}
	serverCfg := serverTLS(t)
	if mode == listener.StartTLS && cfg.TLS == nil {
		cfg.TLS = serverCfg
	}
	b := newTestBackend(t)
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	h, err := NewHandler(cfg, b, log)
	if err != nil {
		t.Fatal(err)
	}
	lc := listener.Config{Name: "smtp.test", Protocol: "smtp", Addr: "127.0.0.1:0", TLSMode: mode, Logger: log}
	if mode != listener.NoTLS {
		lc.TLS = serverCfg
		if cfg.TLS != nil {
			lc.TLS = cfg.TLS
		}
	}
	for _, o := range opts {
		o(&lc)
	}
	l := listener.New(lc, h)
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l.Shutdown(ctx)
	})
	return &testServer{t: t, l: l, h: h, backend: b, addr: l.Addr().String()}
}

func (s *testServer) port() string {
	_, p, _ := net.SplitHostPort(s.addr)
	return p
}

// serverTLS is the fixture server key (mail.example.com, localhost,
// 127.0.0.1, signed by the fixture intermediate), asking for an optional
// client certificate verified against the fixture CA.
func serverTLS(t testing.TB) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair("testdata/server-chain.crt", "testdata/server.key")
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    caPool(t),
	}
}

func caPool(t testing.TB) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile("testdata/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("testdata/ca.crt holds no certificate")
	}
	return pool
}

func clientTLS(t testing.TB) *tls.Config {
	return &tls.Config{RootCAs: caPool(t), ServerName: "mail.example.com"}
}

// client is a raw SMTP client for exact protocol checks.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dial(t testing.TB, s *testServer) *client {
	t.Helper()
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func dialTLS(t testing.TB, s *testServer, cfg *tls.Config) *client {
	t.Helper()
	nc, err := tls.Dial("tcp", s.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(s)); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// reply reads one complete (possibly multi-line) reply and returns its
// lines without CRLF.
func (c *client) reply() []string {
	c.t.Helper()
	var lines []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading reply after %q: %v", lines, err)
		}
		line = strings.TrimRight(line, "\r\n")
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			return lines
		}
	}
}

// expect reads a reply and checks that its last line starts with prefix.
func (c *client) expect(prefix string) []string {
	c.t.Helper()
	lines := c.reply()
	if !strings.HasPrefix(lines[len(lines)-1], prefix) {
		c.t.Fatalf("got %q, want %q…", lines, prefix)
	}
	return lines
}

// cmd sends a command line and expects a reply starting with prefix.
func (c *client) cmd(line, prefix string) []string {
	c.t.Helper()
	c.send(line + "\r\n")
	return c.expect(prefix)
}

// closed checks that the server closed the connection.
func (c *client) closed() {
	c.t.Helper()
	if line, err := c.r.ReadString('\n'); err == nil {
		c.t.Fatalf("connection still open, got %q", line)
	}
}

func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	c.cmd("STARTTLS", "220 2.0.0")
	tc := tls.Client(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
}

// loopback is the client address of every test connection.
var loopback = netip.MustParsePrefix("127.0.0.0/8")
