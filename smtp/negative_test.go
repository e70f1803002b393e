package smtp

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/smtp/internal/dnstest"
)

// Commands pipelined behind STARTTLS in the clear must never run after the
// upgrade (CVE-2011-0411). Here the injected RSET/MAIL would otherwise be
// answered on the TLS channel before our own EHLO.
func TestStartTLSInjection(t *testing.T) {
	s := startServer(t, Config{}, listener.StartTLS)
	c := dialEHLO(t, s)
	c.send("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\nRCPT TO:<alice@example.com>\r\n")
	c.expect("220 2.0.0")
	tc := tls.Client(c.nc, clientTLS(t))
	if err := tc.Handshake(); err != nil {
		// The injected bytes arrived after the server began the handshake
		// and broke it: also safe, nothing was executed.
		t.Logf("handshake failed after injection, as allowed: %v", err)
		return
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	// The first reply on the TLS channel must answer our EHLO, not the
	// injected commands; and no transaction may exist.
	c.ehlo()
	c.cmd("RCPT TO:<alice@example.com>", "503 5.5.1 Error: need MAIL command")
}

func TestStartTLSAfterAuthRefused(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true, AllowPlaintextAuth: true}, listener.StartTLS)
	c := dialEHLO(t, s)
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", alicePass), "235 ")
	c.cmd("STARTTLS", "503 5.5.1 Error: STARTTLS not permitted after AUTH")
	// The refusal leaves the session as it was: a new EHLO is answered and
	// the client is still authenticated, so it may relay.
	c.ehlo()
	c.envelope("alice@example.com", "carol@remote.example")
}

func TestAuthBeforeTLSRefused(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true}, listener.StartTLS)
	c := dial(t, s)
	c.expect("220 ")
	ehlo := c.ehlo()
	if strings.Contains(ehlo, "AUTH") {
		t.Fatalf("AUTH offered in the clear:\n%s", ehlo)
	}
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", alicePass), "538 5.7.11")
	c.cmd("AUTH LOGIN", "538 5.7.11")
	// The password was never checked: a right one does not help either.
	c.startTLS(clientTLS(t))
	c.ehlo()
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", "wrong"), "535 5.7.8")
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", alicePass), "235 2.7.0")
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", alicePass), "503 5.5.1")
}

func TestAuthLoginExchange(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true}, listener.StartTLS)
	c := dialEHLO(t, s)
	c.startTLS(clientTLS(t))
	c.ehlo()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	c.cmd("AUTH LOGIN", "334 "+b64("Username:"))
	c.cmd(b64("alice@example.com"), "334 "+b64("Password:"))
	c.cmd("*", "501 5.0.0 Authentication aborted")
	c.cmd("AUTH LOGIN "+b64("alice@example.com"), "334 "+b64("Password:"))
	c.cmd(b64(alicePass), "235 2.7.0")
}

func TestRequireTLS(t *testing.T) {
	s := startServer(t, Config{RequireTLS: true, MyNetworks: []netip.Prefix{loopback}}, listener.StartTLS)
	c := dialEHLO(t, s)
	c.cmd("MAIL FROM:<x@example.net>", "530 5.7.0 Must issue a STARTTLS command first")
	c.startTLS(clientTLS(t))
	c.ehlo()
	c.cmd("MAIL FROM:<x@example.net>", "250 ")
}

func TestSubmissionRequiresAuth(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true, AuthRequired: true, VerifyIdentity: true}, listener.StartTLS)
	c := dialEHLO(t, s)
	c.startTLS(clientTLS(t))
	c.ehlo()
	c.cmd("MAIL FROM:<alice@example.com>", "530 5.7.0 Authentication required")
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", alicePass), "235 ")
	c.cmd("MAIL FROM:<bob@example.com>", "553 5.7.1 <bob@example.com>: Sender address rejected: not owned by user alice@example.com")
	c.cmd("MAIL FROM:<alice@example.com>", "250 ")
	c.cmd("RCPT TO:<carol@remote.example>", "250 ") // authenticated: may relay
}

// SMTP smuggling: a message whose end is marked by anything but
// CRLF.CRLF is refused and the session closed, so the commands behind the
// fake terminator are never run.
func TestSmugglingTerminatorsRefused(t *testing.T) {
	for name, fake := range map[string]string{
		`\n.\n`:   "\n.\n",
		`\r.\r`:   "\r.\r",
		`\n.\r\n`: "\n.\r\n",
		`\r\n.\n`: "\r\n.\n",
	} {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
			c := dialEHLO(t, s)
			c.envelope("x@example.net", "alice@example.com")
			c.cmd("DATA", "354 ")
			c.send("Subject: first\r\n\r\nhello" + fake +
				"MAIL FROM:<admin@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\nQUIT\r\n")
			c.nc.(*net.TCPConn).CloseWrite() // lets the server's drain end at once
			c.expect("521 5.5.2 mx.example.com Error: bare <")
			c.closed()
			if n := len(s.backend.inbox(t, "alice@example.com")) + len(s.backend.inbox(t, "bob@example.com")); n != 0 {
				t.Fatalf("%d messages delivered, want none", n)
			}
		})
	}
}

func TestOversizeMessage(t *testing.T) {
	s := startServer(t, Config{MaxMessageBytes: 1000, MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	ehlo := c.ehlo()
	if !strings.Contains(ehlo, "250-SIZE 1000") {
		t.Fatalf("SIZE not announced:\n%s", ehlo)
	}
	c.cmd("MAIL FROM:<x@example.net> SIZE=1001", "552 5.3.4")
	// A client that lies about SIZE (or omits it) is stopped during DATA.
	big := strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n", 20)
	c.cmd("MAIL FROM:<x@example.net> SIZE=500", "250 ")
	c.cmd("RCPT TO:<alice@example.com>", "250 ")
	c.data(big, "552 5.3.4")
	// The same with BDAT; the chunk is still consumed.
	c.envelope("x@example.net", "alice@example.com")
	c.send(fmt.Sprintf("BDAT %d LAST\r\n%s", len(big), big))
	c.expect("552 5.3.4")
	c.cmd("NOOP", "250 ") // in step: the chunk was not read as commands
	// Exactly at the limit is fine.
	exact := strings.Repeat("x", 998) + "\r\n"
	c.envelope("x@example.net", "alice@example.com")
	c.data(exact, "250 ")
	if inbox := s.backend.inbox(t, "alice@example.com"); len(inbox) != 1 {
		t.Fatalf("%d messages delivered, want only the one within the limit", len(inbox))
	}
}

func TestTooManyErrors(t *testing.T) {
	s := startServer(t, Config{HardErrorLimit: 5}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	for i := 0; i < 4; i++ {
		c.cmd("BOGUS", "500 5.5.2")
	}
	c.cmd("BOGUS", "421 4.7.0 mx.example.com Error: too many errors")
	c.closed()
}

func TestDefaultErrorLimitIsHedwigs(t *testing.T) {
	s := startServer(t, Config{}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	for i := 0; i < 19; i++ {
		c.cmd("MAIL FROM:<x@example.net>", "503 ") // before HELO
	}
	c.cmd("RCPT TO:<x@example.com>", "421 4.7.0")
	c.closed()
}

func TestTooManyRecipients(t *testing.T) {
	s := startServer(t, Config{RecipientLimit: 2, HardErrorLimit: 3, MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dialEHLO(t, s)
	c.cmd("MAIL FROM:<x@example.net>", "250 ")
	c.cmd("RCPT TO:<alice@example.com>", "250 ")
	c.cmd("RCPT TO:<bob@example.com>", "250 ")
	for i := 0; i < 5; i++ { // not counted as errors: the session survives
		c.cmd("RCPT TO:<team@example.com>", "452 4.5.3 Error: too many recipients")
	}
	c.data(testMessage, "250 ")
}

func TestRelayFromOutsideMyNetworks(t *testing.T) {
	// 127.0.0.1 is not in mynetworks here.
	s := startServer(t, Config{MyNetworks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, listener.NoTLS)
	c := dialEHLO(t, s)
	c.cmd("MAIL FROM:<spammer@example.net>", "250 ")
	c.cmd("RCPT TO:<victim@remote.example>", "554 5.7.1 <victim@remote.example>: Recipient address rejected: Relay access denied")
	c.cmd("RCPT TO:<alice@example.com>", "250 ") // local mail is still welcome
	c.data(testMessage, "250 ")
	if n := len(s.backend.inbox(t, "alice@example.com")); n != 1 {
		t.Fatalf("alice has %d messages", n)
	}
}

func TestAuthExternalWithClientCertificate(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true}, listener.StartTLS)
	withCert := clientTLS(t)
	cert, err := tls.LoadX509KeyPair("testdata/client-chain.crt", "testdata/client.key")
	if err != nil {
		t.Fatal(err)
	}
	withCert.Certificates = []tls.Certificate{cert}

	c := dialEHLO(t, s)
	c.startTLS(withCert)
	ehlo := c.ehlo()
	if !strings.Contains(ehlo, "AUTH PLAIN LOGIN EXTERNAL") {
		t.Fatalf("EXTERNAL not offered with a verified certificate:\n%s", ehlo)
	}
	c.cmd("AUTH EXTERNAL "+base64.StdEncoding.EncodeToString([]byte("bob@example.com")), "535 5.7.8")
	c.cmd("AUTH EXTERNAL =", "235 2.7.0")
	c.cmd("MAIL FROM:<alice@example.com>", "250 ")
	c.cmd("RCPT TO:<carol@remote.example>", "250 ") // permit_sasl_authenticated

	// Without a certificate, EXTERNAL is neither offered nor accepted.
	c2 := dialEHLO(t, s)
	c2.startTLS(clientTLS(t))
	if ehlo := c2.ehlo(); strings.Contains(ehlo, "EXTERNAL") {
		t.Fatalf("EXTERNAL offered without a certificate:\n%s", ehlo)
	}
	c2.cmd("AUTH EXTERNAL =", "535 5.7.8")
}

func TestRogueClientCertificateIsNotVerified(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true}, listener.StartTLS)
	rogue := clientTLS(t)
	cert, err := tls.LoadX509KeyPair("testdata/rogue.crt", "testdata/rogue.key")
	if err != nil {
		t.Fatal(err)
	}
	// Force the certificate out: Go's client would not send one that the
	// server's list of acceptable CAs does not cover.
	rogue.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	c := dialEHLO(t, s)
	c.cmd("STARTTLS", "220 ")
	tc := tls.Client(c.nc, rogue)
	err = tc.Handshake()
	if err == nil {
		// TLS 1.3 reports the server's refusal at the first read.
		tc.Write([]byte("EHLO client.example\r\n"))
		_, err = bufio.NewReader(tc).ReadString('\n')
	}
	if err == nil {
		t.Fatal("a certificate from an unknown CA was accepted")
	}
}

func TestClientTLSRule(t *testing.T) {
	rules, err := ParseClientTLSRules("127.0.0.0/8 VERIFY")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{ClientTLS: rules, MyNetworks: []netip.Prefix{loopback}}, listener.StartTLS)
	c := dialEHLO(t, s)
	c.cmd("MAIL FROM:<x@example.net>", "530 5.7.0 TLS is required for your network")
	c.startTLS(clientTLS(t))
	c.ehlo()
	c.cmd("MAIL FROM:<x@example.net>", "530 5.7.0 a verified client certificate is required")
}

func TestNonSMTPClientIsDropped(t *testing.T) {
	s := startServer(t, Config{}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	c.cmd("GET / HTTP/1.1", "421 4.7.0")
	c.closed()
}

func plainAuth(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

// reject_rbl_clients asks a DNS block list (here a real DNS server on
// loopback) and refuses listed clients at connect, as Hedwig did.
func TestRBLClientRejected(t *testing.T) {
	dns := dnstest.Start(t)
	dns.AddA("1.0.0.127.listed.test", "127.0.0.2")
	var problems diag.List
	listed := ParseRestrictions(ClientStage, "permit_tls_all_clientcerts, reject_rbl_clients clean.test listed.test", "", diag.Pos{}, &problems)
	if listed == nil {
		t.Fatal(problems.Err())
	}
	s := startServer(t, Config{ClientRestrictions: listed, Resolver: dns.Resolver()}, listener.NoTLS)
	c := dial(t, s)
	c.expect("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using listed.test")
	c.closed()

	clean := ParseRestrictions(ClientStage, "reject_rbl_clients clean.test", "", diag.Pos{}, &problems)
	if clean == nil {
		t.Fatal(problems.Err())
	}
	s = startServer(t, Config{ClientRestrictions: clean, Resolver: dns.Resolver()}, listener.NoTLS)
	c = dial(t, s)
	c.expect("220 ")
}

func TestMailLoopRefused(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dialEHLO(t, s)
	hops := strings.Repeat("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n", 100)
	c.envelope("x@example.net", "alice@example.com")
	c.data(hops+"Subject: loop\r\n\r\nround and round\r\n", "554 5.4.6") // ours makes 101
	c.envelope("x@example.net", "alice@example.com")
	c.data(hops[len(hops)/100:]+"Subject: long way\r\n\r\nbut arrived\r\n", "250 ") // 100 in all
}
