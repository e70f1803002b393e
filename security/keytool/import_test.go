package keytool

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/security"
)

// loadPEMKeyPair reads a fixture certificate and its unencrypted key.
func loadPEMKeyPair(t testing.TB, certFile, keyFile string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	certPEM, err := os.ReadFile(filepath.Join("testdata", certFile))
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(filepath.Join("testdata", keyFile))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := security.DecodeKeystore(append(certPEM, keyPEM...), security.FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Keys[0].Decrypt("")
	if err != nil {
		t.Fatal(err)
	}
	return ks.Certificates[0], key
}

// signCSR plays the CA: it signs a PEM CSR with the fixture intermediate
// CA, as a real CA does (subject and SAN from the request), and returns
// the certificate in PEM.
func signCSR(t testing.TB, csrPEM []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(csrPEM)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("not a PEM CSR:\n%s", csrPEM)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("CSR signature: %v", err)
	}
	caCert, caKey := loadPEMKeyPair(t, "int.crt", "int.key")
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(time.Now().UnixNano()),
		RawSubject:     csr.RawSubject,
		NotBefore:      time.Now().Add(-time.Minute),
		NotAfter:       time.Now().Add(30 * 24 * time.Hour),
		DNSNames:       csr.DNSNames,
		IPAddresses:    csr.IPAddresses,
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AuthorityKeyId: caCert.SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, csr.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestCAFlow follows the seeds' "certificate from a CA" section in every
// store type: key pair, CSR, the CA's root imported as trusted, the signed
// certificate imported onto the key; then the server loader accepts the
// keystore and sees the whole chain.
func TestCAFlow(t *testing.T) {
	for _, storetype := range []string{"JKS", "PKCS12", "PEM"} {
		t.Run(storetype, func(t *testing.T) {
			dir := t.TempDir()
			ks := filepath.Join(dir, "james.keystore")
			if storetype == "PEM" {
				ks = filepath.Join(dir, "james.crt")
			}
			common := []string{"-keystore", ks, "-storetype", storetype, "-storepass", "storepass1"}
			mustRun(t, "", append([]string{"-genkeypair", "-alias", "james", "-keyalg", "RSA", "-keypass", "keypass1",
				"-dname", "CN=mail.example.com, O=Example", "-ext", "SAN=dns:mail.example.com,ip:127.0.0.1"}, common...)...)
			// keytool -certreq -keyalg RSA -alias james -file certreq.csr -keystore your_keystore_filename
			csrFile := filepath.Join(dir, "certreq.csr")
			mustRun(t, "", append([]string{"-certreq", "-keyalg", "RSA", "-alias", "james", "-file", csrFile, "-keypass", "keypass1"}, common...)...)
			if m := mode(t, csrFile); m != 0o600 {
				t.Errorf("CSR file mode %o", m)
			}
			csrPEM, _ := os.ReadFile(csrFile)
			certPEM := signCSR(t, csrPEM)
			reply := filepath.Join(dir, "james.cer")
			os.WriteFile(reply, certPEM, 0o600)

			// The reply alone cannot be chained yet.
			wantFail(t, 1, "", append([]string{"-importcert", "-alias", "james", "-file", reply, "-keypass", "keypass1"}, common...),
				"failed to establish chain from reply", `"CN=Example Intermediate CA"`)
			// keytool -import -alias root -keystore ... -trustcacerts -file chain (int + root), answering yes.
			chain := filepath.Join(dir, "chain.pem")
			intPEM, _ := os.ReadFile("testdata/int.crt")
			caPEM, _ := os.ReadFile("testdata/ca.crt")
			os.WriteFile(chain, append(intPEM, caPEM...), 0o600)
			r := mustRun(t, "yes\n", append([]string{"-import", "-alias", "root", "-trustcacerts", "-file", chain}, common...)...)
			if !strings.Contains(r.stderr, "Trust these 2 certificates?") {
				t.Errorf("no trust question:\n%s", r.stderr)
			}
			// keytool -import -alias james -keystore ... -trustcacerts -file your_certificate_filename
			r = mustRun(t, "", append([]string{"-import", "-alias", "james", "-trustcacerts", "-file", reply, "-keypass", "keypass1"}, common...)...)
			if !strings.Contains(r.stderr, "Certificate reply was installed in keystore") {
				t.Errorf("stderr: %s", r.stderr)
			}
			list := mustRun(t, "", append([]string{"-list", "-v", "-alias", "james"}, common...)...)
			if !strings.Contains(list.stdout, "Certificate chain length: 3") || !strings.Contains(list.stdout, "Issuer: CN=Example Intermediate CA") {
				t.Errorf("after the reply:\n%s", list.stdout)
			}

			// The server loader takes the result.
			s := security.Settings{Keystore: ks, StorePass: "storepass1", KeyPass: "keypass1", Hostname: "mail.example.com"}
			if storetype == "PEM" {
				s = security.Settings{Certificates: ks, PrivateKey: filepath.Join(dir, "james.key"), Hostname: "mail.example.com"}
			}
			m, problems := security.LoadKeyMaterial(s)
			if m == nil {
				t.Fatalf("security.LoadKeyMaterial: %v", problems.Err())
			}
			if n := len(m.Certificate.Certificate); n < 2 {
				t.Errorf("the server would send %d certificates, want the chain", n)
			}
			if m.Leaf().Issuer.CommonName != "Example Intermediate CA" {
				t.Errorf("leaf issuer %q", m.Leaf().Issuer.CommonName)
			}

			// The same reply again is refused; so is another key's certificate.
			wantFail(t, 1, "", append([]string{"-importcert", "-alias", "james", "-file", "testdata/server.crt", "-keypass", "keypass1"}, common...),
				"Public keys in reply and keystore don't match")
			// Importing the root again as trusted under a new alias adds nothing.
			owner := "<root-2>"
			if storetype == "PEM" {
				owner = "<james>" // PEM has no trusted entries apart from the chain
			}
			wantFail(t, 1, "", append([]string{"-importcert", "-alias", "again", "-file", "testdata/ca.crt", "-noprompt"}, common...),
				"already exists in keystore under alias "+owner)
			if storetype != "PEM" {
				wantFail(t, 1, "", append([]string{"-importcert", "-alias", "root", "-file", "testdata/rogue.crt", "-noprompt"}, common...),
					"alias <root> already exists")
			}
		})
	}
}

// TestCAFlowWithOpenSSL has openssl verify the CSR and sign it as a CA,
// and installs the reply given as a PKCS#7 chain (.p7b), as CAs send.
func TestCAFlowWithOpenSSL(t *testing.T) {
	t.Parallel()
	ossl := openssl(t)
	dir := t.TempDir()
	ks := filepath.Join(dir, "mail.p12")
	common := []string{"-keystore", ks, "-storepass", "secret"}
	mustRun(t, "", append([]string{"-genkeypair", "-alias", "mail", "-keyalg", "EC", "-dname", "CN=mail.example.com"}, common...)...)
	csr := mustRun(t, "", append([]string{"-certreq", "-alias", "mail"}, common...)...).stdout
	csrFile := filepath.Join(dir, "mail.csr")
	os.WriteFile(csrFile, []byte(csr), 0o600)
	out := external(t, "", ossl, "req", "-verify", "-noout", "-text", "-in", csrFile)
	for _, want := range []string{"verify OK", "CN = mail.example.com", "DNS:mail.example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl req -verify lacks %q:\n%s", want, out)
		}
	}
	crt := filepath.Join(dir, "mail.crt")
	external(t, "", ossl, "x509", "-req", "-in", csrFile, "-CA", "testdata/ca.crt", "-CAkey", "testdata/ca.key",
		"-set_serial", "4242", "-days", "30", "-copy_extensions", "copy", "-out", crt)
	p7b := filepath.Join(dir, "mail.p7b")
	external(t, "", ossl, "crl2pkcs7", "-nocrl", "-certfile", crt, "-certfile", "testdata/ca.crt", "-out", p7b)
	// The chain ends in a root the keystore does not trust yet: asked,
	// answered no, then yes.
	wantFail(t, 1, "no\n", append([]string{"-importcert", "-alias", "mail", "-file", p7b}, common...),
		"Install reply anyway?", "certificate reply was not installed")
	mustRun(t, "y\n", append([]string{"-importcert", "-alias", "mail", "-file", p7b}, common...)...)
	list := mustRun(t, "", append([]string{"-list", "-v"}, common...)...)
	if !strings.Contains(list.stdout, "Certificate chain length: 2") || !strings.Contains(list.stdout, "Owner: CN=Example Root CA") {
		t.Errorf("after the PKCS#7 reply:\n%s", list.stdout)
	}
}

// TestImportIntoJDKKeystore installs a reply into a keystore the JDK made,
// and the JDK reads the result.
func TestImportIntoJDKKeystore(t *testing.T) {
	t.Parallel()
	jdk := jdkKeytool(t)
	dir := t.TempDir()
	for _, storetype := range []string{"JKS", "PKCS12"} {
		t.Run(storetype, func(t *testing.T) {
			t.Parallel()
			ks := filepath.Join(dir, "jdk-"+storetype)
			external(t, "", jdk, "-genkeypair", "-alias", "james", "-keyalg", "RSA", "-keystore", ks, "-storetype", storetype,
				"-storepass", "storepass1", "-keypass", "storepass1", "-dname", "CN=mail.example.com", "-ext", "SAN=dns:mail.example.com")
			external(t, "", jdk, "-importcert", "-alias", "root", "-file", "testdata/ca.crt", "-keystore", ks, "-storepass", "storepass1", "-noprompt")
			external(t, "", jdk, "-importcert", "-alias", "intermediate", "-file", "testdata/int.crt", "-keystore", ks, "-storepass", "storepass1", "-noprompt")
			common := []string{"-keystore", ks, "-storepass", "storepass1"}
			list := mustRun(t, "", append([]string{"-list"}, common...)...)
			for _, want := range []string{"Your keystore contains 3 entries", "james, ", "root, ", "intermediate, ", "trustedCertEntry"} {
				if !strings.Contains(list.stdout, want) {
					t.Errorf("%s: our -list lacks %q:\n%s", storetype, want, list.stdout)
				}
			}
			csr := mustRun(t, "", append([]string{"-certreq", "-alias", "james"}, common...)...).stdout
			reply := filepath.Join(dir, storetype+".cer")
			os.WriteFile(reply, signCSR(t, []byte(csr)), 0o600)
			mustRun(t, "", append([]string{"-importcert", "-alias", "james", "-file", reply}, common...)...)
			out := external(t, "", jdk, "-list", "-v", "-keystore", ks, "-storepass", "storepass1")
			for _, want := range []string{"Your keystore contains 3 entries", "Certificate chain length: 3", "Alias name: root", "Alias name: intermediate"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: JDK -list -v lacks %q:\n%s", storetype, want, out)
				}
			}
		})
	}
}

// TestCreateTruststore makes truststores of each type with -importcert,
// as an administrator does for client certificates, and package
// security's truststore loader reads them.
func TestCreateTruststore(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"trust.jks", "trust.p12", "trust.pem"} {
		ts := filepath.Join(dir, name)
		r := mustRun(t, "", "-importcert", "-alias", "root", "-file", "testdata/ca.crt", "-keystore", ts, "-storepass", "changeit", "-noprompt")
		if !strings.Contains(r.stderr, "Certificate was added to keystore") {
			t.Errorf("%s: %s", name, r.stderr)
		}
		mustRun(t, "", "-importcert", "-alias", "intermediate", "-file", "testdata/int.crt", "-keystore", ts, "-storepass", "changeit", "-noprompt")
		certs, err := security.LoadTruststore(ts, "", "changeit")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(certs) != 2 {
			t.Errorf("%s: %d certificates, want 2", name, len(certs))
		}
		if m := mode(t, ts); m != 0o600 {
			t.Errorf("%s: mode %o", name, m)
		}
	}
	// Declined trust leaves no file behind.
	ts := filepath.Join(dir, "declined.p12")
	wantFail(t, 1, "no\n", []string{"-importcert", "-alias", "root", "-file", "testdata/ca.crt", "-keystore", ts, "-storepass", "changeit"},
		"Trust this certificate?", "certificate was not added")
	if _, err := os.Stat(ts); err == nil {
		t.Error("a declined import created the keystore")
	}
}

// TestImportTrustedKeepsOtherKeys adds a trusted certificate to a JKS
// keystore whose key has its own password, without that password: the
// key keeps its protection, as with the JDK.
func TestImportTrustedKeepsOtherKeys(t *testing.T) {
	dir := t.TempDir()
	ks := fixture(t, dir, "james-keypass.jks")
	mustRun(t, "", "-importcert", "-alias", "root", "-file", "testdata/ca.crt", "-keystore", ks, "-storepass", "storepass1", "-noprompt")
	read, err := security.ReadKeystore(ks, security.FormatJKS, "storepass1")
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Keys) != 1 || len(read.Trusted) != 1 || read.Trusted[0].Alias != "root" {
		t.Fatalf("keys %d, trusted %v", len(read.Keys), read.Trusted)
	}
	if _, err := read.Keys[0].Decrypt("keypass1"); err != nil {
		t.Errorf("the key no longer opens with its password: %v", err)
	}
	if _, err := read.Keys[0].Decrypt("storepass1"); err == nil {
		t.Error("the key now opens with the store password")
	}
}

// TestCertReqFromFixtures makes a CSR from the key of every fixture
// keystore the JDK and openssl made; each is signed by that key, for the
// certificate's subject and names.
func TestCertReqFromFixtures(t *testing.T) {
	for _, tc := range []struct{ file, alias, pass string }{
		{"hedwig.jks", "hedwig", "secret"},
		{"ec.jks", "mail", "secret"},
		{"mail.jceks", "mail", "secret"},
		{"ca-signed.jks", "mail", "secret"},
		{"jdk-modern.p12", "mail", "secret"},
		{"openssl-legacy.p12", "mail", "secret"},
		{"client.p12", "alice", "secret"},
		{"server.crt", "any", ""},
	} {
		args := []string{"-certreq", "-alias", tc.alias, "-keystore", "testdata/" + tc.file}
		if tc.pass != "" {
			args = append(args, "-storepass", tc.pass)
		}
		out := mustRun(t, "", args...).stdout
		block, _ := pem.Decode([]byte(out))
		if block == nil {
			t.Fatalf("%s: no PEM:\n%s", tc.file, out)
		}
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if err := csr.CheckSignature(); err != nil {
			t.Errorf("%s: CSR signature: %v", tc.file, err)
		}
		list := mustRun(t, "", append([]string{"-exportcert", "-rfc", "-alias", tc.alias}, args[3:]...)...).stdout
		cb, _ := pem.Decode([]byte(list))
		cert, err := x509.ParseCertificate(cb.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if !samePublicKey(cert.PublicKey, csr.PublicKey) || string(cert.RawSubject) != string(csr.RawSubject) {
			t.Errorf("%s: the CSR is not for the entry's key and subject", tc.file)
		}
		if strings.Join(cert.DNSNames, ",") != strings.Join(csr.DNSNames, ",") {
			t.Errorf("%s: CSR names %v, certificate %v", tc.file, csr.DNSNames, cert.DNSNames)
		}
	}
}
