package security

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

const (
	ksDir    = "testdata/keystores" // copy of /work/shared/fixtures/keystores/out
	extraDir = "testdata/extra"     // made by testdata/extra/make.sh
	caFile   = ksDir + "/ca.crt"
)

// fixtureCase is one way of configuring a fixture. A case without wantErr
// must load and serve a real handshake.
type fixtureCase struct {
	name string
	s    Settings
	// verifyName, when set, makes the Go client verify the chain against
	// ca.crt for that name; otherwise it checks the exact leaf served.
	verifyName string
	wantErr    []string // parts of the expected error
	wantNote   []string // parts of an expected warning or info
}

func ks(s Settings) Settings {
	s.Dirs = Dirs{Work: ksDir}
	return s
}

func extra(s Settings) Settings {
	s.Dirs = Dirs{Work: extraDir}
	return s
}

var fixtureCases = []fixtureCase{
	// --- keystores, good
	{name: "hedwig.jks documented recipe", s: ks(Settings{Keystore: "hedwig.jks", StorePass: "secret", KeyPass: "secret"}),
		wantNote: []string{"self-signed"}},
	{name: "james-keypass.jks distinct key password", s: ks(Settings{Keystore: "james-keypass.jks", StorePass: "storepass1", KeyPass: "keypass1"})},
	{name: "james-keypass.jks Hedwig's swapped passwords", s: ks(Settings{Keystore: "james-keypass.jks", StorePass: "keypass1", KeyPass: "storepass1"}),
		wantNote: []string{"swapped"}},
	{name: "ec.jks", s: ks(Settings{Keystore: "ec.jks", Secret: "secret"})},
	{name: "mail.jceks", s: ks(Settings{Keystore: "mail.jceks", StorePass: "secret", KeyPass: "secret"})},
	{name: "jdk-modern.p12", s: ks(Settings{Keystore: "jdk-modern.p12", KeystoreType: "PKCS12", Secret: "secret"})},
	{name: "openssl-modern.p12 with chain", s: ks(Settings{Keystore: "openssl-modern.p12", Secret: "secret"}), verifyName: "mail.example.com"},
	{name: "openssl-legacy.p12", s: ks(Settings{Keystore: "openssl-legacy.p12", Secret: "secret"}), verifyName: "mail.example.com"},
	{name: "ca-signed.jks", s: ks(Settings{Keystore: "ca-signed.jks", Secret: "secret", Hostname: "mail.example.com"}), verifyName: "localhost"},
	{name: "client.p12 as a server keystore", s: ks(Settings{Keystore: "client.p12", Secret: "secret"})},
	// --- PEM, good
	{name: "server.crt + server.key (PKCS#8)", s: ks(Settings{Certificates: "server.crt", PrivateKey: "server.key"})},
	{name: "server-chain.crt + server.key", s: ks(Settings{Certificates: "server-chain.crt", PrivateKey: "server.key"}), verifyName: "127.0.0.1"},
	{name: "encrypted PKCS#8 PBES2 AES-256", s: ks(Settings{Certificates: "server-chain.crt", PrivateKey: "server.pkcs8-encrypted.key", Secret: "secret"}),
		verifyName: "mail.example.com"},
	{name: "James recipe: des3 PKCS#1", s: ks(Settings{Certificates: "../extra/private.self-signed.crt", PrivateKey: "private.key", Secret: "secret"})},
	{name: "James recipe: decrypted PKCS#1", s: ks(Settings{Certificates: "../extra/private.self-signed.crt", PrivateKey: "private.nopass.key"})},
	{name: "ec.crt + SEC 1 ec.key", s: ks(Settings{Certificates: "ec.crt", PrivateKey: "ec.key"})},
	{name: "OpenBSD recipe RSA 4096", s: ks(Settings{Certificates: "mail.example.com.crt", PrivateKey: "mail.example.com.key", Hostname: "mail.example.com"})},
	{name: "expired.crt is served with a warning", s: ks(Settings{Certificates: "expired.crt", PrivateKey: "server.key"}),
		wantNote: []string{"expired on"}},
	{name: "root CA pair", s: ks(Settings{Certificates: "ca.crt", PrivateKey: "ca.key"})},
	{name: "intermediate CA pair", s: ks(Settings{Certificates: "int.crt", PrivateKey: "int.key"})},
	{name: "client pair", s: ks(Settings{Certificates: "client.crt", PrivateKey: "client.key"})},
	{name: "client chain", s: ks(Settings{Certificates: "client-chain.crt", PrivateKey: "client.key"})},
	{name: "rogue pair", s: ks(Settings{Certificates: "rogue.crt", PrivateKey: "rogue.key"})},
	// --- extra encodings, good
	{name: "PBES2 SHA-1 DES-EDE3", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.pkcs8-sha1-des3.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "PBES2 SHA-512 AES-128", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.pkcs8-sha512-aes128.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "PBES2 SHA-256 AES-192", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.pkcs8-sha256-aes192.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "PKCS#12 PBE SHA-1 3DES", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.pkcs8-pbe-sha1-3des.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "PBES1 MD5 DES", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.pkcs8-pbe-md5-des.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "legacy PEM AES-128", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.aes128.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "legacy PEM AES-256", s: extra(Settings{Certificates: "../keystores/server-chain.crt", PrivateKey: "server.aes256.key", Secret: "secret"}), verifyName: "localhost"},
	{name: "legacy PEM SEC 1 des3", s: extra(Settings{Certificates: "../keystores/ec.crt", PrivateKey: "ec.des3.key", Secret: "secret"})},
	{name: "EC in PKCS#8", s: extra(Settings{Certificates: "../keystores/ec.crt", PrivateKey: "ec.pkcs8.key"})},
	{name: "combined PEM as keystore", s: extra(Settings{Keystore: "combined.pem"}), verifyName: "localhost"},
	{name: "combined PEM as certificates only", s: extra(Settings{Certificates: "combined.pem"}), verifyName: "localhost"},
	{name: "full chain verifies from the file", s: extra(Settings{Certificates: "server-fullchain.crt", PrivateKey: "../keystores/server.key"}), verifyName: "localhost"},
	{name: "JCEKS distinct key password", s: extra(Settings{Keystore: "keypass.jceks", StorePass: "storepass1", KeyPass: "keypass1"})},
	{name: "JCEKS swapped passwords", s: extra(Settings{Keystore: "keypass.jceks", StorePass: "keypass1", KeyPass: "storepass1"}), wantNote: []string{"swapped"}},
	{name: "JKS with a non-ASCII password", s: extra(Settings{Keystore: "unicode.jks", Secret: "pässwörd"})},

	// --- bad cases, each with its own message
	{name: "two keys in JKS", s: ks(Settings{Keystore: "two-keys.jks", Secret: "secret"}),
		wantErr: []string{"only one certificate/private key is allowed", "hedwig", "second", "two-keys.jks"}},
	{name: "two keys in PKCS#12", s: extra(Settings{Keystore: "two-keys.p12", Secret: "secret"}),
		wantErr: []string{"only one certificate/private key is allowed", "first, second"}},
	{name: "truststore.jks is no keystore", s: ks(Settings{Keystore: "truststore.jks", Secret: "changeit"}),
		wantErr: []string{"truststore.jks holds no private key", "root", "looks like a truststore"}},
	{name: "truststore.p12 is no keystore", s: ks(Settings{Keystore: "truststore.p12", Secret: "changeit"}),
		wantErr: []string{"truststore.p12 holds no private key"}},
	{name: "truststore.pem is no keystore", s: ks(Settings{Keystore: "truststore.pem"}),
		wantErr: []string{"no private key found in", "truststore.pem", "Example Root CA"}},
	{name: "wrong JKS store password", s: ks(Settings{Keystore: "hedwig.jks", StorePass: "nope", KeyPass: "nope"}),
		wantErr: []string{"storepass: wrong password for keystore", "hedwig.jks", "integrity check failed"}},
	{name: "wrong JKS key password", s: ks(Settings{Keystore: "james-keypass.jks", StorePass: "storepass1", KeyPass: "nope"}),
		wantErr: []string{"keypass: keystore", "key password for alias \"james\" is wrong"}},
	{name: "wrong PKCS#12 password", s: ks(Settings{Keystore: "jdk-modern.p12", Secret: "nope"}),
		wantErr: []string{"wrong password for keystore", "MAC check failed"}},
	{name: "PKCS#12 without password", s: ks(Settings{Keystore: "openssl-legacy.p12"}),
		wantErr: []string{"openssl-legacy.p12 (PKCS12) is password-protected and no password is configured"}},
	{name: "JCEKS wrong password", s: ks(Settings{Keystore: "mail.jceks", Secret: "nope"}),
		wantErr: []string{"wrong password for keystore", "mail.jceks (JCEKS"}},
	{name: "JCEKS with a secret key names the conversion", s: extra(Settings{Keystore: "secretkey.jceks", Secret: "secret"}),
		wantErr: []string{"keytool -importkeystore -srckeystore testdata/extra/secretkey.jceks -srcstoretype JCEKS -destkeystore testdata/extra/secretkey.p12 -deststoretype pkcs12"}},
	{name: "DSA key", s: extra(Settings{Keystore: "dsa.jks", Secret: "secret"}),
		wantErr: []string{"holds a DSA key", "-keyalg RSA"}},
	{name: "encrypted PKCS#8 without secret", s: ks(Settings{Certificates: "server.crt", PrivateKey: "server.pkcs8-encrypted.key"}),
		wantErr: []string{"server.pkcs8-encrypted.key is encrypted (PBES2 (PBKDF2 with hmacWithSHA256, AES-256-CBC))", "no secret is configured", "openssl pkey"}},
	{name: "des3 key with wrong secret", s: ks(Settings{Certificates: "../extra/private.self-signed.crt", PrivateKey: "private.key", Secret: "nope"}),
		wantErr: []string{"wrong secret for private key", "private.key", "DES-EDE3-CBC"}},
	{name: "key does not match certificate", s: ks(Settings{Certificates: "rogue.crt", PrivateKey: "server.key"}),
		wantErr: []string{"server.key does not belong to any certificate in", "rogue.crt", "mallory@example.com"}},
	{name: "certificates file without certificates", s: ks(Settings{Certificates: "server.key"}),
		wantErr: []string{"no certificate found in", "server.key"}},
	{name: "keystore in the certificates slot", s: ks(Settings{Certificates: "hedwig.jks", PrivateKey: "server.key"}),
		wantErr: []string{"hedwig.jks is a JKS keystore, not PEM"}},
	{name: "missing keystore", s: ks(Settings{Keystore: "nothere.jks", Secret: "secret"}),
		wantErr: []string{"testdata/keystores/nothere.jks does not exist", "check the path"}},
	{name: "missing key file", s: ks(Settings{Certificates: "server.crt", PrivateKey: "nothere.key"}),
		wantErr: []string{"privateKey: testdata/keystores/nothere.key does not exist"}},
	{name: "not a keystore at all", s: extra(Settings{Keystore: "README.md"}),
		wantErr: []string{"README.md is not a keystore hedwig can read"}},
	{name: "nothing configured", s: ks(Settings{}),
		wantErr: []string{"no key material configured"}},
	{name: "declared type of another kind is only a note", s: ks(Settings{Keystore: "jdk-modern.p12", KeystoreType: "JKS", Secret: "secret"}),
		wantNote: []string{"declared JKS but its content is PKCS12"}},
	{name: "unknown declared type is a warning", s: ks(Settings{Keystore: "hedwig.jks", KeystoreType: "BKS", Secret: "secret"}),
		wantNote: []string{`keystore type "BKS" is not one hedwig reads`}},
	{name: "hostname not covered", s: ks(Settings{Keystore: "hedwig.jks", Secret: "secret", Hostname: "imap.example.org"}),
		wantNote: []string{`does not cover "imap.example.org"`, "mail.example.com, localhost, 127.0.0.1"}},
}

func TestLoadEveryFixture(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.s.Origin = diag.Pos{File: "conf/test.properties", Line: 7}
			m, l := LoadKeyMaterial(tc.s)
			if len(tc.wantErr) > 0 {
				if m != nil {
					t.Fatalf("loaded, want error with %q%s", tc.wantErr, renderAll(l))
				}
				if findProblem(l, diag.Error, append([]string{"conf/test.properties:7: "}, tc.wantErr...)...) == nil {
					t.Fatalf("no error containing %q in:%s", tc.wantErr, renderAll(l))
				}
				return
			}
			if m == nil {
				t.Fatalf("not loaded:%s", renderAll(l))
			}
			if len(tc.wantNote) > 0 && findProblem(l, diag.Warning, tc.wantNote...) == nil && findProblem(l, diag.Info, tc.wantNote...) == nil {
				t.Errorf("no note containing %q in:%s", tc.wantNote, renderAll(l))
			}
			serveAndCheck(t, tc, m)
		})
	}
}

// serveAndCheck serves the loaded source on loopback and completes a
// handshake with Go's client, then with openssl s_client.
func serveAndCheck(t *testing.T, tc fixtureCase, m *KeyMaterial) {
	cfg, _ := mustServerConfig(t, tc.s, nil, false)
	srv := startServer(t, cfg)
	client := clientExpecting(m.Leaf())
	if tc.verifyName != "" {
		client = clientTrusting(t, tc.verifyName, caFile)
	}
	cs, err := dial(srv.addr, client)
	if err != nil {
		t.Fatalf("Go client handshake: %v", err)
	}
	if err := srv.serverResult(t); err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if got, want := len(cs.PeerCertificates), len(m.Certificate.Certificate); got != want {
		t.Errorf("client got %d certificates, the material has %d", got, want)
	}
	t.Run("openssl s_client", func(t *testing.T) {
		out, err := opensslHandshake(t, srv.addr, "mail.example.com")
		if err != nil {
			t.Fatalf("openssl s_client: %v\n%s", err, out)
		}
		if err := srv.serverResult(t); err != nil {
			t.Fatalf("server handshake with openssl: %v\n%s", err, out)
		}
		if !strings.Contains(out, "CONNECTION ESTABLISHED") {
			t.Fatalf("openssl did not report a connection:\n%s", out)
		}
	})
}

// TestEveryFixtureFileIsUsed keeps the table honest: each copied fixture
// appears in some case of this package's tests.
func TestEveryFixtureFileIsUsed(t *testing.T) {
	used := map[string]bool{}
	for _, tc := range fixtureCases {
		for _, ref := range []string{tc.s.Keystore, tc.s.Certificates, tc.s.PrivateKey} {
			if ref != "" {
				used[filepath.Clean(filepath.Join(tc.s.Dirs.Work, ref))] = true
			}
		}
	}
	for _, f := range otherTestsFixtures {
		used[filepath.Clean(f)] = true
	}
	for _, dir := range []string{ksDir, extraDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if strings.HasSuffix(p, ".md") && dir == extraDir || strings.HasSuffix(p, ".sh") {
				continue
			}
			if !used[p] {
				t.Errorf("fixture %s is used by no test case", p)
			}
		}
	}
}

// otherTestsFixtures are the fixtures other tests use (truststores, CA
// keys for OCSP); the James directory is walked by TestJamesTLSConfigurations.
var otherTestsFixtures = []string{
	ksDir + "/ca.crt", ksDir + "/truststore.jks", ksDir + "/truststore.p12", ksDir + "/truststore.pem",
	ksDir + "/client.p12", ksDir + "/rogue.crt",
}
