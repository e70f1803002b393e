package smtp

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hedwigmail/hedwig/executor"
	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// The test domain and users. Passwords are what clients send.
const (
	testDomain   = mailtest.Domain
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
	serverCfg := mailtest.ServerTLS(t)
	if mode == listener.StartTLS && cfg.TLS == nil {
		cfg.TLS = serverCfg
	}
	b := newTestBackend(t)
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	h, err := NewHandler(cfg, b, log)
	if err != nil {
		t.Fatal(err)
	}
	lc := listener.Config{Name: "smtp.test", Protocol: "smtp", TLSMode: mode, Logger: log}
	if mode != listener.NoTLS {
		lc.TLS = serverCfg
		if cfg.TLS != nil {
			lc.TLS = cfg.TLS
		}
	}
	for _, o := range opts {
		o(&lc)
	}
	l := mailtest.Serve(t, lc, h)
	return &testServer{t: t, l: l, h: h, backend: b, addr: l.Addr().String()}
}

func (s *testServer) port() string {
	_, p, _ := net.SplitHostPort(s.addr)
	return p
}

// clientTLS trusts the fixture CA and checks the server's certificate
// for mail.example.com, the name a sending MTA looks up.
func clientTLS(t testing.TB) *tls.Config {
	t.Helper()
	cfg := mailtest.ClientTLS(t, mailtest.NoCert)
	cfg.ServerName = "mail.example.com"
	return cfg
}

// client is a raw SMTP client for exact protocol checks.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dial(t testing.TB, s *testServer) *client {
	t.Helper()
	nc := mailtest.Dial(t, s.addr, nil)
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func dialTLS(t testing.TB, s *testServer, cfg *tls.Config) *client {
	t.Helper()
	nc := mailtest.Dial(t, s.addr, cfg)
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

// ehlo says EHLO as client.example and returns the reply's lines joined
// by newlines, for checks on the extensions offered.
func (c *client) ehlo() string {
	c.t.Helper()
	return strings.Join(c.cmd("EHLO client.example", "250 "), "\n")
}

// dialEHLO dials s, reads the greeting and says EHLO: how most sessions
// begin.
func dialEHLO(t testing.TB, s *testServer) *client {
	t.Helper()
	c := dial(t, s)
	c.expect("220 ")
	c.ehlo()
	return c
}

// envelope opens a transaction from sender to one recipient, both of
// which the server must accept.
func (c *client) envelope(sender, rcpt string) {
	c.t.Helper()
	c.cmd("MAIL FROM:<"+sender+">", "250 2.1.0")
	c.cmd("RCPT TO:<"+rcpt+">", "250 2.1.5")
}

// data sends DATA, then body (already dot-stuffed) and the end-of-data
// line, and expects the final reply to start with prefix.
func (c *client) data(body, prefix string) []string {
	c.t.Helper()
	c.cmd("DATA", "354 ")
	return c.cmd(body+".", prefix)
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
