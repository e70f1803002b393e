package security

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// clientCertificate reads a client's certificate and key the way a mail
// client would have them: client.p12 (PKCS#12) or a PEM pair.
func clientCertificate(t testing.TB, s Settings) tls.Certificate {
	t.Helper()
	m, l := LoadKeyMaterial(s)
	if m == nil {
		t.Fatalf("client material: %v", l.Err())
		return tls.Certificate{}
	}
	return m.Certificate
}

// sendAlways makes a Go client send cert even when the server's list of
// acceptable CAs does not name its issuer (Go's client would send nothing).
func sendAlways(cert *tls.Certificate) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
}

func clientAuthServer(t *testing.T, mode ClientAuthMode, truststore, secret string) *testServer {
	t.Helper()
	s := serverPEM
	s.ClientAuth = mode
	s.Truststore, s.TruststoreSecret = truststore, secret
	p, l := NewPolicy(s)
	if p == nil {
		t.Fatalf("policy: %v", l.Err())
	}
	cfg, _ := mustServerConfig(t, s, p, false)
	return startServer(t, cfg)
}

func TestClientCertificates(t *testing.T) {
	alice := clientCertificate(t, ks(Settings{Keystore: "client.p12", Secret: "secret"}))
	alicePEM := clientCertificate(t, ks(Settings{Certificates: "client-chain.crt", PrivateKey: "client.key"}))
	mallory := clientCertificate(t, ks(Settings{Certificates: "rogue.crt", PrivateKey: "rogue.key"}))

	for _, store := range []struct{ file, secret string }{
		{"truststore.jks", "changeit"},
		{"truststore.jks", ""}, // Java opens a truststore without its password
		{"truststore.p12", "changeit"},
		{"truststore.pem", ""},
	} {
		t.Run(store.file+"/"+store.secret, func(t *testing.T) {
			srv := clientAuthServer(t, ClientAuthNeed, store.file, store.secret)
			for _, c := range []struct {
				name     string
				cert     *tls.Certificate
				accepted bool
			}{
				{"client.p12", &alice, true},
				{"client PEM", &alicePEM, true},
				{"rogue", &mallory, false},
				{"no certificate", nil, false},
			} {
				cfg := clientTrusting(t, "localhost", caFile)
				if c.cert != nil {
					cfg.GetClientCertificate = sendAlways(c.cert)
				}
				_, clientErr := dial(srv.addr, cfg)
				state, err := srv.serverState(t)
				if c.accepted != (err == nil && clientErr == nil) {
					t.Fatalf("%s: accepted=%v, want %v (server: %v, client: %v)", c.name, err == nil, c.accepted, err, clientErr)
				}
				if c.accepted {
					if user, ok := VerifiedUser(state); !ok || user != "alice@example.com" {
						t.Errorf("%s: user %q %v, want alice@example.com", c.name, user, ok)
					}
				}
			}
		})
	}
}

func TestClientCertificateWanted(t *testing.T) {
	srv := clientAuthServer(t, ClientAuthWant, "truststore.pem", "")
	if _, err := dial(srv.addr, clientTrusting(t, "localhost", caFile)); err != nil {
		t.Fatalf("a client without certificate was refused: %v", err)
	}
	state, err := srv.serverState(t)
	if err != nil {
		t.Fatal(err)
	}
	if user, ok := VerifiedUser(state); ok {
		t.Fatalf("no certificate, yet user %q", user)
	}
	cfg := clientTrusting(t, "localhost", caFile)
	rogue := clientCertificate(t, ks(Settings{Certificates: "rogue.crt", PrivateKey: "rogue.key"}))
	cfg.GetClientCertificate = sendAlways(&rogue)
	dial(srv.addr, cfg)
	if err := srv.serverResult(t); err == nil {
		t.Fatal("an untrusted certificate was accepted in want mode")
	}
}

func TestClientCertificatesWithOpenSSL(t *testing.T) {
	srv := clientAuthServer(t, ClientAuthNeed, "truststore.jks", "changeit")
	out, err := opensslHandshake(t, srv.addr, "localhost", "-cert", ksDir+"/client.crt", "-key", ksDir+"/client.key", "-cert_chain", ksDir+"/int.crt")
	if serr := srv.serverResult(t); err != nil || serr != nil {
		t.Fatalf("client.crt refused: %v / %v\n%s", err, serr, out)
	}
	out, _ = opensslHandshake(t, srv.addr, "localhost", "-cert", ksDir+"/rogue.crt", "-key", ksDir+"/rogue.key")
	if srv.serverResult(t) == nil {
		t.Fatalf("rogue.crt accepted\n%s", out)
	}
}

func TestTruststoreProblems(t *testing.T) {
	cases := []struct {
		name string
		s    Settings
		want []string
		sev  diag.Severity
	}{
		{"wrong password", ks(Settings{ClientAuth: ClientAuthNeed, Truststore: "truststore.p12", TruststoreSecret: "nope"}),
			[]string{"truststoreSecret: wrong password for truststore testdata/keystores/truststore.p12"}, diag.Error},
		{"missing password", ks(Settings{ClientAuth: ClientAuthNeed, Truststore: "truststore.p12"}),
			[]string{"truststore testdata/keystores/truststore.p12 is password-protected"}, diag.Error},
		{"missing file", ks(Settings{ClientAuth: ClientAuthNeed, Truststore: "nothere.jks"}),
			[]string{"truststore testdata/keystores/nothere.jks does not exist"}, diag.Error},
		{"no truststore", ks(Settings{ClientAuth: ClientAuthNeed}),
			[]string{"verified against the system's CA certificates"}, diag.Warning},
		{"truststore without client auth", ks(Settings{Truststore: "truststore.pem", OCSP: true}),
			[]string{"client certificates are not requested; it is not used"}, diag.Info},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, l := NewPolicy(tc.s)
			if findProblem(l, tc.sev, tc.want...) == nil {
				t.Fatalf("no %s with %q in:%s", tc.sev, tc.want, renderAll(l))
			}
		})
	}
}

func TestUserFromCertificate(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	make := func(tmpl *x509.Certificate) *x509.Certificate {
		tmpl.SerialNumber = big.NewInt(7)
		tmpl.NotBefore, tmpl.NotAfter = time.Now(), time.Now().Add(time.Hour)
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	cases := []struct {
		name string
		cert *x509.Certificate
		want string
	}{
		{"rfc822Name SAN first", make(&x509.Certificate{Subject: pkix.Name{CommonName: "Bob"}, EmailAddresses: []string{"bob@example.com"}}), "bob@example.com"},
		{"emailAddress in the subject (client.crt)", readCert(t, ksDir+"/client.crt"), "alice@example.com"},
		{"CN (rogue.crt)", readCert(t, ksDir+"/rogue.crt"), "mallory@example.com"},
		{"CN (server.crt)", readCert(t, ksDir+"/server.crt"), "mail.example.com"},
		{"nobody", make(&x509.Certificate{Subject: pkix.Name{Organization: []string{"Example"}}}), ""},
	}
	for _, tc := range cases {
		got, ok := UserFromCertificate(tc.cert)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.name, got, ok, tc.want)
		}
	}
	if _, ok := UserFromCertificate(nil); ok {
		t.Error("nil certificate mapped to a user")
	}
	if _, ok := VerifiedUser(tls.ConnectionState{PeerCertificates: []*x509.Certificate{readCert(t, ksDir+"/rogue.crt")}}); ok {
		t.Error("an unverified certificate mapped to a user")
	}
}

func TestParseClientAuthMode(t *testing.T) {
	for in, want := range map[string]ClientAuthMode{"": ClientAuthNone, "false": ClientAuthNone, "want": ClientAuthWant,
		"optional": ClientAuthWant, "need": ClientAuthNeed, "required": ClientAuthNeed, "TRUE": ClientAuthNeed} {
		if got, err := ParseClientAuthMode(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseClientAuthMode("sometimes"); err == nil || !strings.Contains(err.Error(), "use none, want or need") {
		t.Errorf("bad mode: %v", err)
	}
}
