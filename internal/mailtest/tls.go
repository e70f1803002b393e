package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"embed"
	"os"
	"path/filepath"
	"testing"

	"github.com/hedwigmail/hedwig/security"
)

// fixtures are byte-for-byte copies of the shared keystore fixtures (see
// testdata/README.md): the server chain (mail.example.com, localhost,
// 127.0.0.1, under the fixture intermediate), the root CA, alice's client
// certificate and a rogue self-signed one. Embedded, so that tests in any
// directory find them.
//
//go:embed testdata/*.crt testdata/*.key
var fixtures embed.FS

// Client certificates ClientTLS can present.
const (
	NoCert    = ""       // present none
	AliceCert = "client" // alice@example.com, issued under the fixture CA
	RogueCert = "rogue"  // self-signed, from a CA no server trusts
)

// ServerTLS is the fixture server key material as the daemon serves it:
// security.ServerConfig over a CertStore and the default policy, asking
// for an optional client certificate verified against the fixture CA.
func ServerTLS(t testing.TB) *tls.Config {
	t.Helper()
	dir := fixtureDir(t)
	s := security.Settings{
		Certificates: filepath.Join(dir, "server-chain.crt"),
		PrivateKey:   filepath.Join(dir, "server.key"),
		ClientAuth:   security.ClientAuthWant,
		Truststore:   filepath.Join(dir, "ca.crt"),
	}
	certs, problems := security.NewCertStore(s)
	if certs == nil {
		t.Fatalf("fixture key material: %v", problems.Err())
	}
	policy, problems := security.NewPolicy(s)
	if policy == nil {
		t.Fatalf("fixture TLS policy: %v", problems.Err())
	}
	cfg, err := security.ServerConfig(security.ServerOptions{Certificates: certs, Policy: policy})
	if err != nil {
		t.Fatalf("fixture server TLS: %v", err)
	}
	return cfg
}

// ClientTLS trusts the fixture CA and expects the server to be
// "localhost"; cert chooses the client certificate it presents (NoCert,
// AliceCert or RogueCert).
func ClientTLS(t testing.TB, cert string) *tls.Config {
	t.Helper()
	dir := fixtureDir(t)
	roots, err := security.LoadTruststore(filepath.Join(dir, "ca.crt"), "", "")
	if err != nil {
		t.Fatalf("fixture CA: %v", err)
	}
	pool := x509.NewCertPool()
	for _, c := range roots {
		pool.AddCert(c)
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: "localhost"}
	var chain string
	switch cert {
	case NoCert:
		return cfg
	case AliceCert:
		chain = "client-chain.crt"
	case RogueCert:
		chain = "rogue.crt"
	default:
		t.Fatalf("no fixture client certificate %q: use AliceCert or RogueCert", cert)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, chain), filepath.Join(dir, cert+".key"))
	if err != nil {
		t.Fatalf("fixture client certificate %q: %v", cert, err)
	}
	cfg.Certificates = []tls.Certificate{pair}
	return cfg
}

// fixtureDir writes the embedded fixtures to a temporary directory, keys
// readable by the owner only, as an administrator would keep them.
func fixtureDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := fixtures.ReadDir("testdata")
	if err != nil {
		t.Fatalf("embedded fixtures: %v", err)
	}
	for _, e := range entries {
		data, err := fixtures.ReadFile("testdata/" + e.Name())
		if err != nil {
			t.Fatalf("embedded fixture %s: %v", e.Name(), err)
		}
		mode := os.FileMode(0o644)
		if filepath.Ext(e.Name()) == ".key" {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, mode); err != nil {
			t.Fatalf("write fixture: %v", err)
		}
	}
	return dir
}
