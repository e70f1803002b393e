package keytool

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListFixtures opens every keystore of the shared fixtures, made by
// the JDK's keytool and by openssl, and checks the entries listed.
func TestListFixtures(t *testing.T) {
	for _, tc := range []struct {
		file, pass, format string
		want               []string
	}{
		{"hedwig.jks", "secret", "JKS", []string{"contains 1 entry", "hedwig, ", "PrivateKeyEntry"}},
		{"james-keypass.jks", "storepass1", "JKS", []string{"james, ", "PrivateKeyEntry"}},
		{"ec.jks", "secret", "JKS", []string{"mail, ", "PrivateKeyEntry"}},
		{"mail.jceks", "secret", "JCEKS", []string{"mail, ", "PrivateKeyEntry"}},
		{"jdk-modern.p12", "secret", "PKCS12", []string{"mail, PrivateKeyEntry"}},
		{"openssl-modern.p12", "secret", "PKCS12", []string{"mail, PrivateKeyEntry"}},
		{"openssl-legacy.p12", "secret", "PKCS12", []string{"mail, PrivateKeyEntry"}},
		{"client.p12", "secret", "PKCS12", []string{"alice, PrivateKeyEntry"}},
		{"two-keys.jks", "secret", "JKS", []string{"contains 2 entries", "hedwig, ", "second, "}},
		{"ca-signed.jks", "secret", "JKS", []string{"mail, "}},
		{"truststore.jks", "changeit", "JKS", []string{"root, ", "trustedCertEntry"}},
		{"truststore.p12", "changeit", "PKCS12", []string{"root, trustedCertEntry"}},
		{"truststore.pem", "", "PEM", []string{"example root ca, trustedCertEntry"}},
		{"server-chain.crt", "", "PEM", []string{"contains 2 entries", "trustedCertEntry"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			args := []string{"-list", "-keystore", filepath.Join("testdata", tc.file)}
			if tc.pass != "" {
				args = append(args, "-storepass", tc.pass)
			}
			r := mustRun(t, "", args...)
			want := append([]string{"Keystore type: " + tc.format, "Certificate fingerprint (SHA-256): "}, tc.want...)
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("-list lacks %q:\n%s", w, r.stdout)
				}
			}
			v := mustRun(t, "", append(args, "-v")...)
			if !strings.Contains(v.stdout, "Owner: ") || !strings.Contains(v.stdout, "Valid from: ") {
				t.Errorf("-list -v:\n%s", v.stdout)
			}
			rfc := mustRun(t, "", append(args, "-rfc")...)
			if !strings.Contains(rfc.stdout, "-----BEGIN CERTIFICATE-----") {
				t.Errorf("-list -rfc:\n%s", rfc.stdout)
			}
		})
	}
}

// TestListChains checks chains and aliases the PKCS#12 reader pairs up.
func TestListChains(t *testing.T) {
	r := mustRun(t, "", "-list", "-v", "-keystore", "testdata/openssl-modern.p12", "-storepass", "secret")
	if !strings.Contains(r.stdout, "Certificate chain length: 2") || !strings.Contains(r.stdout, "Owner: CN=Example Intermediate CA") {
		t.Errorf("openssl-modern.p12 chain:\n%s", r.stdout)
	}
	r = mustRun(t, "", "-list", "-v", "-keystore", "testdata/ca-signed.jks", "-storepass", "secret")
	if !strings.Contains(r.stdout, "Certificate chain length: 2") || !strings.Contains(r.stdout, "DNSName: mail.example.com") {
		t.Errorf("ca-signed.jks:\n%s", r.stdout)
	}
}

func TestListErrors(t *testing.T) {
	wantFail(t, 1, "", []string{"-list", "-keystore", "testdata/hedwig.jks", "-storepass", "wrong"}, "keystore password was incorrect")
	wantFail(t, 1, "", []string{"-list", "-keystore", "testdata/jdk-modern.p12", "-storepass", "wrong"}, "keystore password was incorrect")
	wantFail(t, 1, "", []string{"-list", "-keystore", "testdata/hedwig.jks", "-storepass", "secret", "-alias", "nope"}, "alias <nope> does not exist")
	wantFail(t, 1, "", []string{"-list", "-keystore", "testdata/missing.jks", "-storepass", "secret"}, "does not exist")
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.p12")
	os.WriteFile(garbage, []byte("not a keystore at all"), 0o600)
	wantFail(t, 1, "", []string{"-list", "-keystore", garbage, "-storepass", "secret"}, "is not a keystore")
	der := filepath.Join(dir, "ca.der")
	block, _ := pem.Decode(mustRead(t, "testdata/ca.crt"))
	os.WriteFile(der, block.Bytes, 0o600)
	wantFail(t, 1, "", []string{"-list", "-keystore", der, "-storepass", "secret"}, "single DER certificate", "-printcert")
	// A PEM certificate with its key beside it (ca.crt, ca.key) is a PEM pair.
	r := mustRun(t, "", "-list", "-keystore", "testdata/ca.crt")
	if !strings.Contains(r.stdout, "ca, PrivateKeyEntry") {
		t.Errorf("ca.crt + ca.key:\n%s", r.stdout)
	}
	wantFail(t, 64, "", []string{"-list", "-keystore", "testdata/hedwig.jks", "-storetype", "BKS"}, "unknown keystore type")
	wantFail(t, 64, "", []string{"-list", "-v", "-rfc", "-keystore", "testdata/hedwig.jks"}, "-v and -rfc")
	// A PKCS12 password typed on standard input, and an empty one.
	mustRun(t, "secret\n", "-list", "-keystore", "testdata/jdk-modern.p12")
	wantFail(t, 1, "\n", []string{"-list", "-keystore", "testdata/jdk-modern.p12"}, "password")
	// JKS without a password lists, with the JDK's warning.
	r = mustRun(t, "\n", "-list", "-keystore", "testdata/hedwig.jks")
	if !strings.Contains(r.stderr, "has NOT been verified") || !strings.Contains(r.stdout, "hedwig, ") {
		t.Errorf("JKS without password:\n%s\n%s", r.stdout, r.stderr)
	}
	// A declared type the content contradicts is a note, as in the JDK.
	r = mustRun(t, "", "-list", "-keystore", "testdata/jdk-modern.p12", "-storetype", "JKS", "-storepass", "secret")
	if !strings.Contains(r.stderr, "read as PKCS12") {
		t.Errorf("no note about the declared type:\n%s", r.stderr)
	}
}

// TestExportCert exports as DER and as PEM (-rfc), and compares with what
// the JDK exports from the same keystore.
func TestExportCert(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	der := filepath.Join(dir, "hedwig.der")
	r := mustRun(t, "", "-exportcert", "-alias", "hedwig", "-keystore", "testdata/hedwig.jks", "-storepass", "secret", "-file", der)
	if !strings.Contains(r.stderr, "Certificate stored in file <"+der+">") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if m := mode(t, der); m != 0o600 {
		t.Errorf("mode %o", m)
	}
	derBytes, _ := os.ReadFile(der)
	rfc := mustRun(t, "", "-export", "-rfc", "-alias", "hedwig", "-keystore", "testdata/hedwig.jks", "-storepass", "secret")
	block, _ := pem.Decode([]byte(rfc.stdout))
	if block == nil || !bytes.Equal(block.Bytes, derBytes) {
		t.Fatalf("-rfc output is not the PEM of the DER export:\n%s", rfc.stdout)
	}
	list := mustRun(t, "", "-list", "-alias", "hedwig", "-keystore", "testdata/hedwig.jks", "-storepass", "secret")
	sum := sha256.Sum256(derBytes)
	if !strings.Contains(list.stdout, fingerprint(sum[:])) {
		t.Errorf("exported certificate is not the listed one")
	}
	wantFail(t, 1, "", []string{"-exportcert", "-keystore", "testdata/hedwig.jks", "-storepass", "secret"}, "alias <mykey> does not exist")

	// The JDK exports the very same bytes.
	jdk := jdkKeytool(t)
	jdkDER := filepath.Join(dir, "jdk.der")
	external(t, "", jdk, "-exportcert", "-alias", "hedwig", "-keystore", "testdata/hedwig.jks", "-storepass", "secret", "-file", jdkDER)
	jdkBytes, _ := os.ReadFile(jdkDER)
	if !bytes.Equal(jdkBytes, derBytes) {
		t.Error("the JDK exports another certificate")
	}
}

func TestPrintCertAndDelete(t *testing.T) {
	r := mustRun(t, "", "-printcert", "-file", "testdata/server-chain.crt")
	if !strings.Contains(r.stdout, "Certificate[2]:") || !strings.Contains(r.stdout, "Owner: CN=Example Intermediate CA") {
		t.Errorf("-printcert:\n%s", r.stdout)
	}
	r = mustRun(t, string(mustRead(t, "testdata/ca.crt")), "-printcert", "-rfc")
	if !strings.Contains(r.stdout, "BEGIN CERTIFICATE") {
		t.Errorf("-printcert from stdin:\n%s", r.stdout)
	}
	wantFail(t, 1, "", []string{"-printcert", "-file", "testdata/hedwig.jks"}, "not a certificate file")

	dir := t.TempDir()
	ks := fixture(t, dir, "two-keys.jks")
	mustRun(t, "", "-delete", "-alias", "second", "-keystore", ks, "-storepass", "secret")
	list := mustRun(t, "", "-list", "-keystore", ks, "-storepass", "secret")
	if strings.Contains(list.stdout, "second") || !strings.Contains(list.stdout, "contains 1 entry") {
		t.Errorf("after -delete:\n%s", list.stdout)
	}
	wantFail(t, 1, "", []string{"-delete", "-alias", "second", "-keystore", ks, "-storepass", "secret"}, "alias <second> does not exist")
	// The remaining key kept its protection: the JDK still opens it.
	if jdk, err := lookPath("keytool"); err == nil {
		external(t, "", jdk, "-certreq", "-alias", "hedwig", "-keystore", ks, "-storepass", "secret", "-keypass", "secret", "-file", filepath.Join(dir, "x.csr"))
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
