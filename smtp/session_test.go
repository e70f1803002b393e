package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/executor"
	"github.com/hedwigmail/hedwig/listener"
)

const testMessage = "From: <sender@example.net>\r\nTo: <alice@example.com>\r\nSubject: hello\r\n\r\nHello Alice.\r\n..A line that starts with a dot.\r\n"

// The plain message with dot-stuffing undone, as the mailbox must hold it.
const testMessageStored = "From: <sender@example.net>\r\nTo: <alice@example.com>\r\nSubject: hello\r\n\r\nHello Alice.\r\n.A line that starts with a dot.\r\n"

var receivedRE = regexp.MustCompile(`^Received: from (\S+) \(\[([0-9a-f.:]+)\]\)\r\n` +
	`(?:\t\(using (TLSv1\.[0-9]) with cipher (\S+) \(([0-9]+) bits\)\)\r\n)?` +
	`(?:\t\(authenticated as (\S+)\)\r\n)?` +
	`\tby mx\.example\.com \(hedwig\) with (\S+) id ([0-9a-v]{16})` +
	`(?:\r\n\tfor <(\S+)>)?; [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [-+]\d{4}\r\n`)

// splitReceived checks that msg is our Received header followed by body,
// and returns the header's fields.
func splitReceived(t *testing.T, msg []byte, body string) []string {
	t.Helper()
	m := receivedRE.FindSubmatchIndex(msg)
	if m == nil {
		t.Fatalf("message does not start with a well-formed Received header:\n%s", msg)
	}
	if rest := string(msg[m[1]:]); rest != body {
		t.Fatalf("stored body differs:\n got %q\nwant %q", rest, body)
	}
	var fields []string
	for i := 2; i < len(m); i += 2 {
		if m[i] < 0 {
			fields = append(fields, "")
		} else {
			fields = append(fields, string(msg[m[i]:m[i+1]]))
		}
	}
	return fields // helo, ip, tls, cipher, bits, user, protocol, id, for
}

func TestPlainDeliveryFromMyNetworks(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 mx.example.com ESMTP hedwig")
	ehlo := c.cmd("EHLO client.example", "250 ")
	want := []string{"250-mx.example.com Hello client.example [127.0.0.1]", "250-PIPELINING", "250-SIZE",
		"250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250 CHUNKING"}
	if strings.Join(ehlo, "|") != strings.Join(want, "|") {
		t.Fatalf("EHLO reply\n got %q\nwant %q", ehlo, want)
	}
	c.envelope("sender@example.net", "alice@example.com")
	lines := c.data(testMessage, "250 2.0.0 Ok: queued as ")
	c.cmd("QUIT", "221 2.0.0")
	c.closed()

	inbox := s.backend.inbox(t, "alice@example.com")
	if len(inbox) != 1 {
		t.Fatalf("alice has %d messages, want 1", len(inbox))
	}
	f := splitReceived(t, inbox[0], testMessageStored)
	if f[0] != "client.example" || f[1] != "127.0.0.1" || f[2] != "" || f[6] != "ESMTP" || f[8] != "alice@example.com" {
		t.Fatalf("Received fields %q", f)
	}
	if !strings.HasSuffix(lines[0], f[7]) {
		t.Fatalf("queue id in reply %q differs from the header's %q", lines[0], f[7])
	}
}

func TestStartTLSDeliveryRecordsCipher(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true}, listener.StartTLS)
	c := dial(t, s)
	c.expect("220 ")
	ehlo := c.ehlo()
	if !strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
		t.Fatalf("before TLS want STARTTLS and no AUTH:\n%s", ehlo)
	}
	c.startTLS(clientTLS(t))
	c.cmd("MAIL FROM:<a@example.net>", "503 5.5.1") // EHLO again first (RFC 3207)
	ehlo = c.ehlo()
	if strings.Contains(ehlo, "STARTTLS") || !strings.Contains(ehlo, "AUTH PLAIN LOGIN") {
		t.Fatalf("after TLS want AUTH and no STARTTLS:\n%s", ehlo)
	}
	c.cmd("STARTTLS", "503 5.5.1")
	auth := base64.StdEncoding.EncodeToString([]byte("\x00alice@example.com\x00" + alicePass))
	c.cmd("AUTH PLAIN "+auth, "235 2.7.0")
	c.envelope("alice@example.com", "bob@example.com")
	c.data(testMessage, "250 ")
	inbox := s.backend.inbox(t, "bob@example.com")
	if len(inbox) != 1 {
		t.Fatalf("bob has %d messages", len(inbox))
	}
	st := c.nc.(*tls.Conn).ConnectionState()
	f := splitReceived(t, inbox[0], testMessageStored)
	if f[2] != tlsVersion(st.Version) || f[3] != tls.CipherSuiteName(st.CipherSuite) || f[5] != "alice@example.com" || f[6] != "ESMTPSA" {
		t.Fatalf("Received fields %q for %s %s", f, tlsVersion(st.Version), tls.CipherSuiteName(st.CipherSuite))
	}
}

func TestPipelinedTransaction(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	// RFC 2920: everything up to DATA in one write, replies in order.
	c.send("EHLO client.example\r\nMAIL FROM:<x@example.net>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<nobody@example.com>\r\nRCPT TO:<team@example.com>\r\nDATA\r\n")
	c.expect("250 CHUNKING")
	c.expect("250 2.1.0")
	c.expect("250 2.1.5")
	c.expect("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown")
	c.expect("250 2.1.5")
	c.expect("354 ")
	c.send(testMessage + ".\r\nQUIT\r\n")
	c.expect("250 2.0.0")
	c.expect("221 ")
	// alice is a recipient and a member of team: one copy.
	if n := len(s.backend.inbox(t, "alice@example.com")); n != 1 {
		t.Fatalf("alice has %d copies, want 1", n)
	}
	if n := len(s.backend.inbox(t, "bob@example.com")); n != 1 {
		t.Fatalf("bob has %d copies, want 1", n)
	}
}

func TestChunking(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dialEHLO(t, s)
	c.cmd("MAIL FROM:<x@example.net> BODY=8BITMIME", "250 ")
	c.cmd("RCPT TO:<alice@example.com>", "250 ")
	part1, part2 := "Subject: chunks\r\n\r\ncaf\xc3\xa9\r\n", ".not stuffed\r\n"
	c.send(fmt.Sprintf("BDAT %d\r\n%s", len(part1), part1))
	c.expect(fmt.Sprintf("250 2.0.0 %d bytes received", len(part1)))
	c.send(fmt.Sprintf("BDAT %d LAST\r\n%s", len(part2), part2))
	c.expect("250 2.0.0 Ok: queued as")
	c.cmd("DATA", "503 ") // no transaction any more
	inbox := s.backend.inbox(t, "alice@example.com")
	if len(inbox) != 1 {
		t.Fatalf("%d messages", len(inbox))
	}
	splitReceived(t, inbox[0], part1+part2)
}

func TestSMTPUTF8(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dialEHLO(t, s)
	c.cmd("MAIL FROM:<józsef@példa.hu>", "553 5.6.7")
	c.cmd("MAIL FROM:<józsef@példa.hu> SMTPUTF8", "250 ")
	c.cmd("RCPT TO:<alice@example.com>", "250 ")
	c.data("Subject: =?utf-8?q?=C3=BCdv?=\r\n\r\nSzia\r\n", "250 ")
	if len(s.backend.inbox(t, "alice@example.com")) != 1 {
		t.Fatal("not delivered")
	}
}

func TestUnknownLocalUserAtRcpt(t *testing.T) {
	s := startServer(t, Config{}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	c.cmd("HELO client.example", "250 mx.example.com")
	c.cmd("MAIL FROM:<x@example.net>", "250 ")
	c.cmd("RCPT TO:<nobody@example.com>", "550 5.1.1 <nobody@example.com>")
	c.cmd("RCPT TO:<Postmaster>", "550 5.1.1 <postmaster@example.com>")
	c.cmd("DATA", "554 5.5.1")
}

// Without an outbound queue (package queue tests the queue end to end)
// relayed mail is accepted at RCPT but deferred at the end of data.
func TestRemoteRecipientWithoutQueue(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dialEHLO(t, s)
	c.envelope("alice@example.com", "carol@remote.example")
	c.data(testMessage, "451 4.3.0 No outbound queue configured")
}

func TestLMTPPerRecipientReplies(t *testing.T) {
	s := startServer(t, Config{LMTP: true}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 mx.example.com LMTP hedwig")
	c.cmd("EHLO client.example", "500 5.5.1")
	c.cmd("LHLO client.example", "250 ")
	c.cmd("MAIL FROM:<x@example.net>", "250 ")
	c.cmd("RCPT TO:<alice@example.com>", "250 ")
	c.cmd("RCPT TO:<carol@remote.example>", "550 5.1.2")
	c.cmd("RCPT TO:<bob@example.com>", "250 ")
	c.cmd("DATA", "354 ")
	c.send(testMessage + ".\r\n")
	c.expect("250 2.0.0 <alice@example.com>")
	c.expect("250 2.0.0 <bob@example.com>")
	for _, u := range []string{"alice@example.com", "bob@example.com"} {
		inbox := s.backend.inbox(t, u)
		if len(inbox) != 1 {
			t.Fatalf("%s has %d messages", u, len(inbox))
		}
		if f := splitReceived(t, inbox[0], testMessageStored); f[6] != "LMTP" {
			t.Fatalf("protocol %q, want LMTP", f[6])
		}
	}
}

func TestBusyReply(t *testing.T) {
	ex := executor.New(executor.Config{Name: "smtp.taskExecutor", CorePoolSize: 1, MaxPoolSize: 1})
	s := startServer(t, Config{}, listener.NoTLS, withExecutor(ex))
	first := dial(t, s)
	first.expect("220 ")
	second := dial(t, s)
	second.expect("421 4.3.2 mx.example.com Service busy, try again later")
	second.closed()
	first.cmd("NOOP", "250 ")
}

func TestConnectionLimitPerIP(t *testing.T) {
	s := startServer(t, Config{ConnectionLimitPerIP: 1}, listener.NoTLS)
	first := dial(t, s)
	first.expect("220 ")
	second := dial(t, s)
	second.expect("421 4.7.0")
	second.closed()
	first.cmd("QUIT", "221 ")
	first.closed()
	third := dial(t, s)
	third.expect("220 ")
}

func TestShutdownEndsSessionWith421(t *testing.T) {
	s := startServer(t, Config{}, listener.NoTLS)
	c := dialEHLO(t, s)
	s.l.Close() // cancels the sessions' context
	c.expect("421 4.3.2 mx.example.com Service shutting down")
	c.closed()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLongCommandLine(t *testing.T) {
	s := startServer(t, Config{}, listener.NoTLS)
	c := dial(t, s)
	c.expect("220 ")
	c.cmd("NOOP "+strings.Repeat("x", 5000), "500 5.5.2 Error: line too long")
	c.cmd("NOOP", "250 ")
}

func TestMessageBytesAreExact(t *testing.T) {
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.NoTLS)
	c := dialEHLO(t, s)
	var body bytes.Buffer
	for i := 0; body.Len() < 3<<20; i++ { // beyond the in-memory part of the spool
		fmt.Fprintf(&body, "line %d %s\r\n", i, strings.Repeat("=", i%120))
	}
	c.cmd("MAIL FROM:<x@example.net> SIZE="+fmt.Sprint(body.Len()), "250 ")
	c.cmd("RCPT TO:<alice@example.com>", "250 ")
	c.data(body.String(), "250 ")
	splitReceived(t, s.backend.inbox(t, "alice@example.com")[0], body.String())
}

func TestImplicitTLSSession(t *testing.T) {
	s := startServer(t, Config{AuthEnabled: true}, listener.Implicit)
	c := dialTLS(t, s, clientTLS(t))
	c.expect("220 mx.example.com ESMTP hedwig")
	ehlo := c.ehlo()
	if strings.Contains(ehlo, "STARTTLS") || !strings.Contains(ehlo, "AUTH PLAIN LOGIN") {
		t.Fatalf("on implicit TLS want AUTH and no STARTTLS:\n%s", ehlo)
	}
	c.cmd("STARTTLS", "503 5.5.1 Error: TLS already active")
	c.cmd("AUTH PLAIN "+plainAuth("alice@example.com", alicePass), "235 ")
	c.envelope("alice@example.com", "bob@example.com")
	c.data(testMessage, "250 ")
	f := splitReceived(t, s.backend.inbox(t, "bob@example.com")[0], testMessageStored)
	if f[2] != "TLSv1.3" || f[6] != "ESMTPSA" {
		t.Fatalf("Received fields %q", f)
	}
}
