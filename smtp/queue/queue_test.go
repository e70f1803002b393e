package queue

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/smtp"
	"github.com/hedwigmail/hedwig/smtp/internal/dnstest"
)

const relayMessage = "From: Alice <alice@example.com>\r\nTo: Carol <carol@remote.example>\r\nSubject: across\r\n\r\nHello Carol.\r\n"

var receivedLine = regexp.MustCompile(`(?s)^Received: from (\S+) \(\[[0-9.]+\]\)\r\n(\t[^\r]*\r\n)*?\tby (\S+) \(hedwig\) with (\S+) id [0-9a-v]+[^\r]*\r\n(\t[^\r]*\r\n)*`)

// stripReceived removes one leading Received header and returns it.
func stripReceived(t *testing.T, msg []byte) (header string, rest []byte) {
	t.Helper()
	loc := receivedLine.FindIndex(msg)
	if loc == nil {
		t.Fatalf("no Received header at the top of:\n%s", msg)
	}
	return string(msg[:loc[1]]), msg[loc[1]:]
}

// relayPair is a sending site (example.com, with a queue) and a receiving
// site (remote.example) whose MX, mail.example.com, the loopback DNS server
// points at 127.0.0.1.
func relayPair(t *testing.T, receiverCfg smtp.Config, receiverTLS listener.TLSMode, policy string) (sender, receiver *site) {
	t.Helper()
	dns := dnstest.Start(t)
	receiver = newSite(t, "remote.example", []string{"carol"}, receiverCfg, receiverTLS, nil)
	dns.AddMX("remote.example", "mail.example.com", 10)
	dns.AddA("mail.example.com", "127.0.0.1")
	rules, err := ParseServerTLSRules(policy)
	if err != nil {
		t.Fatal(err)
	}
	sender = newSite(t, "example.com", []string{"alice"}, smtp.Config{MyNetworks: loopback}, listener.NoTLS, &Config{
		Resolver: dns.Resolver(), Port: receiver.port, RootCAs: caPool(t), TLSPolicy: rules,
		RetryDelay: time.Hour, MaxRetries: 2, ConnectTimeout: 5 * time.Second, CommandTimeout: 10 * time.Second,
	})
	sender.queue.Start()
	return sender, receiver
}

func TestRelayWithVerifiedSTARTTLS(t *testing.T) {
	sender, receiver := relayPair(t, smtp.Config{}, listener.StartTLS, "remote.example VERIFY:128")
	sender.send("alice@example.com", "carol@remote.example", relayMessage)
	waitFor(t, "delivery to carol", func() bool { return len(receiver.inbox("carol@remote.example")) == 1 })
	msg := receiver.inbox("carol@remote.example")[0]
	outer, rest := stripReceived(t, msg)
	inner, body := stripReceived(t, rest)
	if !strings.Contains(outer, "by mail.remote.example (hedwig) with ESMTPS") || !strings.Contains(outer, "(using TLSv1.") {
		t.Fatalf("receiver's Received header does not show TLS:\n%s", outer)
	}
	if !strings.Contains(inner, "by mail.example.com (hedwig) with ESMTP ") {
		t.Fatalf("sender's Received header:\n%s", inner)
	}
	if string(body) != relayMessage {
		t.Fatalf("body changed on the way:\n got %q\nwant %q", body, relayMessage)
	}
	waitFor(t, "the queue to empty", func() bool { return len(sender.queue.Entries()) == 0 })
}

func TestRequiredTLSWithoutSTARTTLSIsDeferred(t *testing.T) {
	sender, receiver := relayPair(t, smtp.Config{}, listener.NoTLS, "remote.example ENCR:128")
	sender.send("alice@example.com", "carol@remote.example", relayMessage)
	var e Entry
	waitFor(t, "a failed attempt", func() bool {
		entries := sender.queue.Entries()
		if len(entries) == 1 && entries[0].Attempts == 1 {
			e = entries[0]
			return true
		}
		return false
	})
	r := e.Recipients[0]
	if r.State != Pending || !strings.Contains(r.LastError, "does not offer STARTTLS") || r.Status != "4.7.4" {
		t.Fatalf("recipient %+v, want pending after a STARTTLS refusal", r)
	}
	if !e.NextTry.After(time.Now().Add(30 * time.Minute)) {
		t.Fatalf("next try %v is not one retry delay away", e.NextTry)
	}
	if n := len(receiver.inbox("carol@remote.example")); n != 0 {
		t.Fatalf("sent in clear despite the policy: %d messages", n)
	}
}

func TestOpportunisticTLSFallsBackToPlain(t *testing.T) {
	sender, receiver := relayPair(t, smtp.Config{}, listener.NoTLS, "")
	sender.send("alice@example.com", "carol@remote.example", relayMessage)
	waitFor(t, "delivery to carol", func() bool { return len(receiver.inbox("carol@remote.example")) == 1 })
	outer, _ := stripReceived(t, receiver.inbox("carol@remote.example")[0])
	if strings.Contains(outer, "using TLS") {
		t.Fatalf("TLS without STARTTLS? %s", outer)
	}
}

func TestPermanentFailureBounces(t *testing.T) {
	sender, _ := relayPair(t, smtp.Config{}, listener.StartTLS, "")
	original := strings.Replace(relayMessage, "carol@", "nobody@", 1)
	sender.send("alice@example.com", "nobody@remote.example", original)
	waitFor(t, "the bounce", func() bool { return len(sender.inbox("alice@example.com")) == 1 })
	bounce := sender.inbox("alice@example.com")[0]
	report := checkDSN(t, bounce, "nobody@remote.example", "5.1.1")
	if report.Get("Remote-MTA") != "dns; mail.example.com" || !strings.HasPrefix(report.Get("Diagnostic-Code"), "smtp; 550 5.1.1 <nobody@remote.example>") {
		t.Fatalf("report fields %v", report)
	}
	waitFor(t, "the queue to empty", func() bool { return len(sender.queue.Entries()) == 0 })
}

func TestTemporaryFailureRetriesThenBounces(t *testing.T) {
	dns := dnstest.Start(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := closed.Addr().(*net.TCPAddr).Port
	closed.Close() // nothing listens there now
	dns.AddMX("down.example", "mx.down.example", 10)
	dns.AddA("mx.down.example", "127.0.0.1")
	sender := newSite(t, "example.com", []string{"alice"}, smtp.Config{MyNetworks: loopback}, listener.NoTLS, &Config{
		Resolver: dns.Resolver(), Port: port, RetryDelay: time.Hour, MaxRetries: 2, ConnectTimeout: 5 * time.Second,
	})
	sender.queue.Start()
	sender.send("alice@example.com", "dave@down.example", relayMessage)
	waitFor(t, "the first attempt", func() bool {
		e := sender.queue.Entries()
		return len(e) == 1 && e[0].Attempts == 1
	})
	if r := sender.queue.Entries()[0].Recipients[0]; r.State != Pending || r.Status != "4.4.1" {
		t.Fatalf("after one failure: %+v", r)
	}
	sender.queue.Flush() // the second attempt is the last (MaxRetries 2)
	waitFor(t, "the bounce", func() bool { return len(sender.inbox("alice@example.com")) == 1 })
	report := checkDSN(t, sender.inbox("alice@example.com")[0], "dave@down.example", "4.4.1")
	if !strings.Contains(report.Get("Diagnostic-Code"), "gave up after 2 attempts") {
		t.Fatalf("report %v", report)
	}
}

func TestNoSuchDomainAndNullMX(t *testing.T) {
	dns := dnstest.Start(t)
	dns.AddMX("nomail.example", ".", 0)
	sender := newSite(t, "example.com", []string{"alice"}, smtp.Config{MyNetworks: loopback}, listener.NoTLS, &Config{Resolver: dns.Resolver()})
	for domain, status := range map[string]string{"nowhere.example": "5.1.2", "nomail.example": "5.1.10"} {
		hops, o := sender.queue.nextHops(context.Background(), domain)
		if o == nil || !o.permanent || o.status != status {
			t.Errorf("%s: hops %v outcome %+v, want permanent %s", domain, hops, o, status)
		}
	}
}

func TestGatewayWithAuth(t *testing.T) {
	receiver := newSite(t, "remote.example", []string{"carol"}, smtp.Config{AuthEnabled: true, AuthRequired: true}, listener.StartTLS, nil)
	sender := newSite(t, "example.com", []string{"alice"}, smtp.Config{MyNetworks: loopback}, listener.NoTLS, &Config{
		Gateway: receiver.addr, GatewayUser: "carol@remote.example", GatewayPassword: userPassword,
	})
	sender.queue.Start()
	sender.send("alice@example.com", "carol@remote.example", relayMessage)
	waitFor(t, "delivery through the gateway", func() bool { return len(receiver.inbox("carol@remote.example")) == 1 })
	outer, _ := stripReceived(t, receiver.inbox("carol@remote.example")[0])
	if !strings.Contains(outer, "(authenticated as carol@remote.example)") || !strings.Contains(outer, "with ESMTPSA") {
		t.Fatalf("gateway did not see an authenticated TLS session:\n%s", outer)
	}
}

// checkDSN parses a bounce as RFC 3464 and returns the per-recipient
// fields of its delivery-status part.
func checkDSN(t *testing.T, raw []byte, rcpt, status string) textproto.MIMEHeader {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("From") != "Mail Delivery System <postmaster@mail.example.com>" || m.Header.Get("Auto-Submitted") != "auto-replied" {
		t.Fatalf("bounce headers %v", m.Header)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || params["report-type"] != "delivery-status" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	var fields textproto.MIMEHeader
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct := p.Header.Get("Content-Type")
		types = append(types, strings.Split(ct, ";")[0])
		body, _ := io.ReadAll(p)
		switch {
		case strings.HasPrefix(ct, "message/delivery-status"):
			// Per-message fields, a blank line, then per-recipient fields.
			blocks := strings.SplitN(string(body), "\r\n\r\n", 2)
			if len(blocks) != 2 || !strings.Contains(blocks[0], "Reporting-MTA: dns; mail.example.com") {
				t.Fatalf("delivery-status:\n%s", body)
			}
			fields, err = textproto.NewReader(bufioReader(blocks[1] + "\r\n")).ReadMIMEHeader()
			if err != nil && err != io.EOF {
				t.Fatalf("recipient fields: %v\n%s", err, blocks[1])
			}
		case strings.HasPrefix(ct, "text/rfc822-headers"):
			if !strings.Contains(string(body), "Subject: across") {
				t.Fatalf("original header not returned:\n%s", body)
			}
		}
	}
	if strings.Join(types, ",") != "text/plain,message/delivery-status,text/rfc822-headers" {
		t.Fatalf("parts %v", types)
	}
	if fields.Get("Final-Recipient") != "rfc822; "+rcpt || fields.Get("Action") != "failed" || fields.Get("Status") != status {
		t.Fatalf("recipient fields %v, want %s %s", fields, rcpt, status)
	}
	return fields
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
