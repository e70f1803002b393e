package queue

import (
	"bufio"
	"context"
	"crypto/x509"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/smtp"
	"github.com/hedwigmail/hedwig/store"
)

// site is one complete hedwig mail server for end-to-end tests: a SQLite
// store, an SMTP handler on a real listener, and optionally a queue.
type site struct {
	t       *testing.T
	domain  string
	store   *store.Store
	users   map[string]int64
	handler *smtp.Handler
	addr    string
	port    int
	queue   *Queue
}

const userPassword = "correct horse"

// newSite serves domain with the given users (local parts). With qcfg the
// site relays through a queue configured by it.
func newSite(t *testing.T, domain string, users []string, cfg smtp.Config, mode listener.TLSMode, qcfg *Config) *site {
	t.Helper()
	dir := t.TempDir()
	ds, err := store.ParseDataSource("jdbc:sqlite:hedwig.db", "", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), ds, store.Options{DataDirectory: filepath.Join(dir, "data"), Domains: []string{domain}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &site{t: t, domain: domain, store: st, users: map[string]int64{}}
	for _, u := range users {
		rec, err := st.AddUser(context.Background(), u+"@"+domain, userPassword)
		if err != nil {
			t.Fatal(err)
		}
		s.users[u+"@"+domain] = rec.ID
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)).With(zap.String("site", domain))
	local := smtp.NewStoreBackend(st, nil)
	var q smtp.Queue
	if qcfg != nil {
		c := *qcfg
		c.Dir = filepath.Join(dir, "queue")
		if c.Hostname == "" {
			c.Hostname = "mail." + domain
		}
		c.LocalDomains = []string{domain}
		c.Logger = log
		s.queue, err = Open(c, local)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.queue.Close)
		q = s.queue
	}
	cfg.LocalDomains = []string{domain}
	if cfg.Hostname == "" {
		cfg.Hostname = "mail." + domain
	}
	if mode == listener.StartTLS || mode == listener.Implicit {
		if cfg.TLS == nil {
			cfg.TLS = mailtest.ServerTLS(t)
		}
	}
	s.handler, err = smtp.NewHandler(cfg, smtp.NewStoreBackend(st, q), log)
	if err != nil {
		t.Fatal(err)
	}
	l := mailtest.Serve(t, listener.Config{Name: "smtp." + domain, Protocol: "smtp", TLSMode: mode, TLS: cfg.TLS, Logger: log}, s.handler)
	s.addr = l.Addr().String()
	_, p, _ := net.SplitHostPort(s.addr)
	s.port, _ = strconv.Atoi(p)
	return s
}

// inbox reads back the messages in address's INBOX.
func (s *site) inbox(address string) [][]byte {
	s.t.Helper()
	ctx := context.Background()
	mb, err := s.store.MailboxByName(ctx, s.users[address], "INBOX")
	if err != nil {
		return nil
	}
	msgs, err := s.store.Messages(ctx, mb.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var out [][]byte
	for _, m := range msgs {
		body, err := s.store.OpenBody(ctx, m.UID)
		if err != nil {
			s.t.Fatal(err)
		}
		data, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// waitFor polls cond until it holds; it fails the test after a generous
// deadline (this is a wait for background work, not a speed check).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send submits one message through s by SMTP, as a client in mynetworks.
func (s *site) send(from, to, message string) {
	s.t.Helper()
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(nc)
	expect := func(prefix string) {
		s.t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				s.t.Fatalf("waiting for %q: %v", prefix, err)
			}
			if len(line) >= 4 && line[3] == '-' {
				continue
			}
			if !strings.HasPrefix(line, prefix) {
				s.t.Fatalf("got %q, want %q", line, prefix)
			}
			return
		}
	}
	cmd := func(line, prefix string) {
		s.t.Helper()
		io.WriteString(nc, line+"\r\n")
		expect(prefix)
	}
	expect("220 ")
	cmd("EHLO client.example", "250 ")
	cmd("MAIL FROM:<"+from+">", "250 ")
	cmd("RCPT TO:<"+to+">", "250 ")
	cmd("DATA", "354 ")
	cmd(message+".", "250 ")
	cmd("QUIT", "221 ")
}

// caPool trusts the fixture CA that signed the sites' certificates.
func caPool(t testing.TB) *x509.CertPool {
	return mailtest.ClientTLS(t, mailtest.NoCert).RootCAs
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
