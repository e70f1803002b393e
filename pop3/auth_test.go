package pop3

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestCapabilitiesFollowTLS(t *testing.T) {
	f := newFixture(t, listener.StartTLS, Config{})
	c := dial(t, f.srv.addr)
	c.cmdOK("CAPA")
	before := c.lines()
	for _, want := range []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS", "IMPLEMENTATION hedwig"} {
		if !slices.Contains(before, want) {
			t.Errorf("CAPA before TLS %q lacks %q", before, want)
		}
	}
	for _, unwanted := range []string{"USER", "SASL PLAIN LOGIN"} {
		if slices.Contains(before, unwanted) {
			t.Errorf("CAPA before TLS offers %q", unwanted)
		}
	}
	c.startTLS(mailtest.ClientTLS(t, mailtest.NoCert))
	c.cmdOK("CAPA")
	after := c.lines()
	if !slices.Contains(after, "USER") || !slices.Contains(after, "SASL PLAIN LOGIN") || slices.Contains(after, "STLS") {
		t.Errorf("CAPA after STLS = %q", after)
	}
	// With a verified client certificate EXTERNAL is offered.
	c2 := dial(t, f.srv.addr)
	c2.startTLS(mailtest.ClientTLS(t, mailtest.AliceCert))
	c2.cmdOK("CAPA")
	if got := c2.lines(); !slices.Contains(got, "SASL PLAIN LOGIN EXTERNAL") {
		t.Errorf("CAPA with a client certificate = %q", got)
	}
	c2.cmdOK("AUTH")
	if got := c2.lines(); !slices.Equal(got, []string{"PLAIN", "LOGIN", "EXTERNAL"}) {
		t.Errorf("AUTH mechanism list = %q", got)
	}
}

func TestPasswordsRefusedBeforeTLS(t *testing.T) {
	f := newFixture(t, listener.StartTLS, Config{MaxErrors: 10})
	c := dial(t, f.srv.addr)
	c.cmdErr("USER alice@example.com", "-ERR [AUTH] plaintext authentication is disabled without TLS: use STLS first")
	c.cmdErr("PASS secret", "[AUTH]")
	c.cmdErr("AUTH PLAIN "+b64("\x00alice@example.com\x00secret"), "[AUTH]")
	c.cmdErr("AUTH LOGIN", "[AUTH]")
	c.cmdErr("AUTH EXTERNAL", "[AUTH]")
	c.cmdErr("STAT", "log in first")

	// Without any TLS on the listener the advice is the POP3S port.
	plain := startServer(t, f.st, listener.NoTLS, Config{})
	p := dial(t, plain.addr)
	p.cmdErr("USER alice@example.com", "connect to the POP3S port")
	p.cmdErr("STLS", "not available")

	// An administrator may allow it.
	open := startServer(t, f.st, listener.NoTLS, Config{AllowPlaintextAuth: true})
	o := dial(t, open.addr)
	o.login("alice@example.com", "secret")
	o.cmdOK("QUIT")
}

// Commands pipelined after STLS travel in the clear and must be dropped,
// not run inside the TLS session (CVE-2011-0411).
func TestSTLSInjection(t *testing.T) {
	f := newFixture(t, listener.StartTLS, Config{})
	c := dial(t, f.srv.addr)
	c.send("STLS\r\nUSER alice@example.com")
	c.expectOK()
	c.handshake(mailtest.ClientTLS(t, mailtest.NoCert))
	// Had the injected USER been kept, this PASS would log in.
	c.cmdErr("PASS secret", "send USER first")
	c.login("alice@example.com", "secret")
	c.cmdErr("STLS", "only allowed before login")
}

func TestAuthPlain(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.dialPOP3S(t)
	c.cmdErr("AUTH PLAIN "+b64("\x00alice@example.com\x00wrong"), "-ERR [AUTH] authentication failed")
	c.cmdErr("AUTH PLAIN "+b64("bob@example.com\x00alice@example.com\x00secret"), "proxy login is not supported")
	// Without an initial response the server sends an empty challenge.
	c.challenge("AUTH PLAIN", "+ ")
	c.send(b64("alice@example.com\x00alice@example.com\x00secret"))
	if got := c.expectOK(); !strings.Contains(got, "maildrop has 2 messages") {
		t.Errorf("AUTH PLAIN reply %q", got)
	}
	c.cmdErr("AUTH PLAIN", "already logged in")
}

func TestAuthLogin(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.dialPOP3S(t)
	c.challenge("AUTH LOGIN", "+ "+b64("Username:"))
	c.send("*")
	c.expectErr("authentication cancelled")
	c.challenge("AUTH LOGIN "+b64("alice@example.com"), "+ "+b64("Password:"))
	c.send(b64("secret"))
	c.expectOK()
	c.cmdOK("STAT")
}

func TestAuthExternal(t *testing.T) {
	f := newFixture(t, listener.StartTLS, Config{})
	mailtest.AddUser(t, f.st, "bob@example.com", "bobpw")

	// client.crt names alice@example.com in its emailAddress attribute.
	c := dial(t, f.srv.addr)
	c.startTLS(mailtest.ClientTLS(t, mailtest.AliceCert))
	c.cmdErr("AUTH EXTERNAL "+b64("bob@example.com"), "does not name the requested user")
	c.challenge("AUTH EXTERNAL", "+ ")
	c.send("=")
	if got := c.expectOK(); !strings.Contains(got, "alice's maildrop") {
		t.Errorf("AUTH EXTERNAL reply %q", got)
	}

	// An explicit authorization identity that matches is fine.
	c.cmdOK("QUIT")
	c2 := dial(t, f.srv.addr)
	c2.startTLS(mailtest.ClientTLS(t, mailtest.AliceCert))
	c2.cmdOK("AUTH EXTERNAL " + b64("alice@example.com"))

	// Without a client certificate there is nothing to go by.
	c3 := dial(t, f.srv.addr)
	c3.startTLS(mailtest.ClientTLS(t, mailtest.NoCert))
	c3.cmdErr("AUTH EXTERNAL =", "-ERR [AUTH] EXTERNAL needs a TLS client certificate")
}

// A certificate from an unknown CA never authenticates: offered anyway,
// it fails the handshake.
func TestRogueClientCertificate(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	cfg := mailtest.ClientTLS(t, mailtest.RogueCert)
	rogue := cfg.Certificates[0]
	// Go's client would not offer a certificate the server's CA list does
	// not cover; force it, as a hostile client would.
	cfg.Certificates = nil
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &rogue, nil }
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", f.srv.addr, cfg)
	if err != nil {
		return // refused during the handshake (TLS 1.2)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	// TLS 1.3 reports the refusal on the first read.
	if line, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
		t.Fatalf("rogue certificate accepted: %q", line)
	}
}

func TestRateLimitedLogins(t *testing.T) {
	const allowed = 3
	st := mailtest.NewStore(t, func(o *store.Options) { o.LoginFailuresPerUser = allowed })
	mailtest.AddUser(t, st, "alice@example.com", "secret")
	srv := startServer(t, st, listener.Implicit, Config{})
	for i := 0; i < allowed; i++ {
		c := dialTLS(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
		c.cmdOK("USER alice@example.com")
		c.cmdErr("PASS wrong", "-ERR [AUTH] authentication failed")
		c.conn.Close()
	}
	// Now even the right password is refused for a while.
	c := dialTLS(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c.cmdOK("USER alice@example.com")
	c.cmdErr("PASS secret", "-ERR [AUTH] too many failed logins")
}

// addHedwigUser creates a user the way Hedwig 0.7 stores one with its
// default plaintext encoder: the password in hw_user.passwd, no hedwig
// hash. Only such users can log in with APOP.
func addHedwigUser(t testing.TB, st *store.Store, address, password string) store.User {
	t.Helper()
	u := mailtest.AddUser(t, st, address, "unused")
	for _, stmt := range []struct {
		query string
		args  []any
	}{
		{"DELETE FROM hx_password WHERE userid = ?", []any{u.ID}},
		{"UPDATE hw_user SET passwd = ? WHERE userid = ?", []any{password, u.ID}},
	} {
		if _, err := st.DB().Exec(stmt.query, stmt.args...); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// apopStamp extracts the timestamp from a greeting.
func apopStamp(t testing.TB, greeting string) string {
	t.Helper()
	i, j := strings.IndexByte(greeting, '<'), strings.LastIndexByte(greeting, '>')
	if i < 0 || j < i {
		t.Fatalf("greeting %q carries no APOP timestamp", greeting)
	}
	return greeting[i : j+1]
}

func apopDigest(stamp, secret string) string {
	sum := md5.Sum([]byte(stamp + secret))
	return hex.EncodeToString(sum[:])
}

// APOP works for a plaintext password and fails for a hashed one, a wrong
// digest and a digest for another session's timestamp.
func TestAPOP(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{Hostname: "pop.example.com", MaxErrors: 10})
	addHedwigUser(t, f.st, "mrose@example.com", "tanstaaf")
	mailtest.Deliver(t, f.st, mustLookup(t, f.st, "mrose@example.com"), sampleMessage("for mrose"))

	c := dialTLSRaw(t, f.srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	stamp := apopStamp(t, c.expectOK())
	if !strings.HasSuffix(stamp, "@pop.example.com>") {
		t.Errorf("timestamp %q does not name the host", stamp)
	}
	c.cmdErr("APOP mrose@example.com "+apopDigest(stamp, "wrong"), "-ERR [AUTH] authentication failed")
	c.cmdErr("APOP alice@example.com "+apopDigest(stamp, "secret"), "-ERR [AUTH] authentication failed")
	c.cmdErr("APOP mrose@example.com not-a-digest", "MD5 digest in hex")
	other := dialTLSRaw(t, f.srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	otherStamp := apopStamp(t, other.expectOK())
	if otherStamp == stamp {
		t.Fatalf("two sessions got the same timestamp %q", stamp)
	}
	c.cmdErr("APOP mrose@example.com "+apopDigest(otherStamp, "tanstaaf"), "-ERR [AUTH] authentication failed")
	c.cmdOK("APOP mrose@example.com " + strings.ToUpper(apopDigest(stamp, "tanstaaf")))
	if got := c.cmdOK("STAT"); !strings.HasPrefix(got, "+OK 1 ") {
		t.Errorf("STAT after APOP = %q", got)
	}
}

// passwordOnlyStore is the real store seen through the Store interface
// alone, as a store that cannot check APOP digests would be.
type passwordOnlyStore struct{ Store }

// Without APOPStore the greeting carries no timestamp and APOP is refused.
func TestAPOPNotOffered(t *testing.T) {
	st := mailtest.NewStore(t)
	addHedwigUser(t, st, "mrose@example.com", "tanstaaf")
	srv := startServer(t, &passwordOnlyStore{st}, listener.Implicit, Config{})
	c := dialTLSRaw(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	greeting := c.expectOK()
	if strings.ContainsAny(greeting, "<>") {
		t.Errorf("greeting %q offers APOP", greeting)
	}
	c.cmdErr("APOP mrose@example.com "+apopDigest("<1.2@x>", "tanstaaf"), "APOP is not available")
	c.cmdOK("USER mrose@example.com")
	c.cmdOK("PASS tanstaaf")
}

func mustLookup(t testing.TB, st *store.Store, address string) store.User {
	t.Helper()
	u, err := st.LookupUser(context.Background(), address)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
