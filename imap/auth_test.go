package imap

import (
	"crypto/tls"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestAuthenticatePlain(t *testing.T) {
	st := mailtest.NewStore(t)
	mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	srv := startServer(t, st, listener.Implicit, Config{})

	// SASL-IR: the response on the command line.
	c := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	mustHave(t, c.ok("CAPABILITY"), "AUTH=PLAIN")
	c.expectStatus("NO [AUTHENTICATIONFAILED]", "AUTHENTICATE PLAIN %s", b64("\x00alice@example.com\x00wrong"))                // wrong password
	c.expectStatus("NO [AUTHORIZATIONFAILED]", "AUTHENTICATE PLAIN %s", b64("bob@example.com\x00alice@example.com\x00s3cret")) // authorizing as someone else
	_, status := c.cmd("AUTHENTICATE PLAIN %s", b64("\x00alice@example.com\x00s3cret"))
	if !strings.HasPrefix(status, "OK [CAPABILITY ") {
		t.Fatalf("AUTHENTICATE PLAIN: %s", status)
	}
	c.ok("SELECT INBOX")

	// Without an initial response the server asks with an empty "+".
	c2 := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c2.send("a AUTHENTICATE PLAIN\r\n")
	c2.expectPrefix("+ ")
	c2.send(b64("\x00alice@example.com\x00s3cret") + "\r\n")
	c2.expectPrefix("a OK")

	// "*" cancels.
	c3 := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c3.send("a AUTHENTICATE PLAIN\r\n")
	c3.expectPrefix("+ ")
	c3.send("*\r\n")
	c3.expectPrefix("a BAD")
	c3.expectStatus("NO", "AUTHENTICATE CRAM-MD5") // unsupported mechanism
}

func TestAuthenticateExternal(t *testing.T) {
	st := mailtest.NewStore(t)
	mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	srv := startServer(t, st, listener.Implicit, Config{})

	// The fixture client certificate names alice@example.com.
	c := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.AliceCert))
	mustHave(t, c.ok("CAPABILITY"), "AUTH=EXTERNAL")
	c.expectStatus("NO [AUTHORIZATIONFAILED]", "AUTHENTICATE EXTERNAL %s", b64("bob@example.com")) // authorizing as another user
	c.expectStatus("OK", "AUTHENTICATE EXTERNAL =")
	c.ok("SELECT INBOX")

	// Without a certificate there is no EXTERNAL.
	plain := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	if has(plain.ok("CAPABILITY"), "AUTH=EXTERNAL") {
		t.Fatal("AUTH=EXTERNAL offered without a client certificate")
	}
	plain.expectStatus("NO", "AUTHENTICATE EXTERNAL =")
}

// The rogue certificate is self-signed, not issued under the truststore:
// the handshake fails and no session starts.
func TestRogueCertificateRefused(t *testing.T) {
	st := mailtest.NewStore(t)
	srv := startServer(t, st, listener.Implicit, Config{})
	cfg := mailtest.ClientTLS(t, mailtest.RogueCert)
	// crypto/tls would withhold a certificate the server's CA list does
	// not cover; present it anyway, as a hostile client would.
	rogue := cfg.Certificates[0]
	cfg.Certificates = nil
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &rogue, nil }
	conn, err := tlsDial(srv.addr, cfg)
	if err == nil {
		defer conn.Close()
		buf := make([]byte, 64)
		n, rerr := conn.Read(buf)
		if rerr == nil {
			t.Fatalf("rogue certificate got a session: %q", buf[:n])
		}
	}
}
