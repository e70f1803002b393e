package keytool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/security"
)

// fingerprintOf lists a keystore and returns the SHA-256 fingerprint of
// alias.
func fingerprintOf(t testing.TB, args ...string) string {
	t.Helper()
	r := mustRun(t, "", append([]string{"-list"}, args...)...)
	i := strings.Index(r.stdout, "(SHA-256): ")
	if i < 0 {
		t.Fatalf("no fingerprint in:\n%s", r.stdout)
	}
	return strings.TrimSpace(strings.SplitN(r.stdout[i+11:], "\n", 2)[0])
}

// TestConvertChain converts one key through every format and back:
// JCEKS -> PKCS12 -> JKS (own key password) -> PEM -> PKCS12, keeping the
// certificate, and the server loader reads each step.
func TestConvertChain(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("testdata", "mail.jceks")
	want := fingerprintOf(t, "-keystore", src, "-storepass", "secret")

	p12 := filepath.Join(dir, "mail.p12")
	r := mustRun(t, "", "-importkeystore", "-srckeystore", src, "-srcstoretype", "JCEKS", "-srcstorepass", "secret",
		"-destkeystore", p12, "-deststoretype", "pkcs12", "-deststorepass", "newpass1")
	if !strings.Contains(r.stderr, "1 entries successfully imported, 0 entries failed") {
		t.Errorf("stderr: %s", r.stderr)
	}
	jks := filepath.Join(dir, "mail.jks")
	mustRun(t, "", "-importkeystore", "-srckeystore", p12, "-srcstorepass", "newpass1",
		"-destkeystore", jks, "-deststorepass", "jkspass1", "-destkeypass", "jkskey01")
	pemFile := filepath.Join(dir, "mail.pem")
	mustRun(t, "", "-convert", "-srckeystore", jks, "-srcstorepass", "jkspass1", "-srckeypass", "jkskey01",
		"-destkeystore", pemFile, "-deststoretype", "PEM")
	back := filepath.Join(dir, "back.p12")
	mustRun(t, "", "-importkeystore", "-srckeystore", pemFile, "-destkeystore", back, "-deststorepass", "backpass")

	for _, step := range []struct {
		path string
		s    security.Settings
	}{
		{p12, security.Settings{Keystore: p12, StorePass: "newpass1"}},
		{jks, security.Settings{Keystore: jks, StorePass: "jkspass1", KeyPass: "jkskey01"}},
		{pemFile, security.Settings{Certificates: pemFile, PrivateKey: filepath.Join(dir, "mail.key")}},
		{back, security.Settings{Keystore: back, StorePass: "backpass"}},
	} {
		m, problems := security.LoadKeyMaterial(step.s)
		if m == nil {
			t.Fatalf("%s: %v", step.path, problems.Err())
		}
		if got := fingerprint(sha256Sum(m.Leaf().Raw)); got != want {
			t.Errorf("%s: certificate %s, want %s", step.path, got, want)
		}
		if m := mode(t, step.path); m != 0o600 {
			t.Errorf("%s: mode %o", step.path, m)
		}
	}
	if m := mode(t, filepath.Join(dir, "mail.key")); m != 0o600 {
		t.Errorf("key file mode %o", m)
	}
	// The JKS key has its own password: the store password does not open it.
	ks, err := security.ReadKeystore(jks, security.FormatJKS, "jkspass1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Keys[0].Decrypt("jkspass1"); err == nil {
		t.Error("the JKS key opens with the store password, want -destkeypass only")
	}
}

// TestConvertKeepsEveryEntry converts a keystore with a key and trusted
// certificates, JKS -> PKCS12 -> JKS, and the JDK reads both results.
func TestConvertKeepsEveryEntry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	jks := filepath.Join(dir, "mixed.jks")
	mustRun(t, "", "-importkeystore", "-srckeystore", "testdata/ca-signed.jks", "-srcstorepass", "secret",
		"-destkeystore", jks, "-deststorepass", "secret")
	mustRun(t, "", "-importcert", "-alias", "root", "-file", "testdata/ca.crt", "-keystore", jks, "-storepass", "secret", "-noprompt")
	mustRun(t, "", "-importcert", "-alias", "other", "-file", "testdata/rogue.crt", "-keystore", jks, "-storepass", "secret", "-noprompt")
	p12 := filepath.Join(dir, "mixed.p12")
	mustRun(t, "", "-importkeystore", "-srckeystore", jks, "-srcstorepass", "secret", "-destkeystore", p12, "-deststorepass", "secret")
	again := filepath.Join(dir, "again.jks")
	mustRun(t, "", "-importkeystore", "-srckeystore", p12, "-srcstorepass", "secret", "-destkeystore", again, "-deststorepass", "secret")
	for _, ks := range []string{jks, p12, again} {
		r := mustRun(t, "", "-list", "-keystore", ks, "-storepass", "secret")
		for _, want := range []string{"contains 3 entries", "mail, ", "root, ", "other, "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s lacks %q:\n%s", ks, want, r.stdout)
			}
		}
	}
	// The server loader still finds the one key in the PKCS12 file.
	if m, problems := security.LoadKeyMaterial(security.Settings{Keystore: p12, StorePass: "secret"}); m == nil {
		t.Errorf("security cannot load %s: %v", p12, problems.Err())
	}
	jdk := jdkKeytool(t)
	for _, ks := range []string{p12, again} {
		out := external(t, "", jdk, "-list", "-keystore", ks, "-storepass", "secret")
		for _, want := range []string{"contains 3 entries", "mail,", "root,", "other,", "trustedCertEntry"} {
			if !strings.Contains(out, want) {
				t.Errorf("JDK -list %s lacks %q:\n%s", ks, want, out)
			}
		}
	}
	out := external(t, "", openssl(t), "pkcs12", "-info", "-nokeys", "-passin", "pass:secret", "-in", p12)
	if strings.Count(out, "friendlyName:") < 3 {
		t.Errorf("openssl sees fewer than 3 named bags:\n%s", out)
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.p12")
	// JKS key password differs from the store password: asked for.
	wantFail(t, 1, "", []string{"-importkeystore", "-srckeystore", "testdata/james-keypass.jks", "-srcstorepass", "storepass1",
		"-destkeystore", dest, "-deststorepass", "secret", "-noprompt"}, "key password is wrong", "-srckeypass")
	mustRun(t, "keypass1\n", "-importkeystore", "-srckeystore", "testdata/james-keypass.jks", "-srcstorepass", "storepass1",
		"-destkeystore", dest, "-deststorepass", "secret")
	// Existing alias: asked; no keeps it.
	r := wantFail(t, 1, "no\n", []string{"-importkeystore", "-srckeystore", "testdata/james-keypass.jks", "-srcstorepass", "storepass1",
		"-srckeypass", "keypass1", "-destkeystore", dest, "-deststorepass", "secret"}, "Existing entry alias james exists, overwrite?")
	if !strings.Contains(r.stderr, "0 entries successfully imported, 1 entries failed") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// Two keys cannot go into one PEM pair.
	wantFail(t, 1, "", []string{"-importkeystore", "-srckeystore", "testdata/two-keys.jks", "-srcstorepass", "secret",
		"-destkeystore", filepath.Join(dir, "two.pem")}, "choose one with -srcalias")
	mustRun(t, "", "-importkeystore", "-srckeystore", "testdata/two-keys.jks", "-srcstorepass", "secret", "-srcalias", "second",
		"-destkeystore", filepath.Join(dir, "two.pem"))
	wantFail(t, 64, "", []string{"-importkeystore", "-srckeystore", "testdata/hedwig.jks", "-srcstorepass", "secret",
		"-destkeystore", filepath.Join(dir, "x.jceks"), "-deststoretype", "JCEKS", "-deststorepass", "secret"}, "does not write JCEKS")
	wantFail(t, 64, "", []string{"-importkeystore", "-srckeystore", "testdata/hedwig.jks", "-destkeystore", "testdata/hedwig.jks"}, "same file")
	wantFail(t, 1, "", []string{"-importkeystore", "-srckeystore", "testdata/hedwig.jks", "-srcstorepass", "nope!!",
		"-destkeystore", dest, "-deststorepass", "secret"}, "keystore password was incorrect")
	// Writing to the JCEKS file itself is refused with the conversion command.
	jceks := fixture(t, dir, "mail.jceks")
	wantFail(t, 1, "", []string{"-delete", "-alias", "mail", "-keystore", jceks, "-storepass", "secret"}, "does not write it", "-srcstoretype JCEKS")
}

// TestConvertFromOpenSSLAndPEM imports what openssl makes: a legacy
// PKCS#12 (RC2, read through package security) and an encrypted PEM key.
func TestConvertFromOpenSSLAndPEM(t *testing.T) {
	dir := t.TempDir()
	jks := filepath.Join(dir, "legacy.jks")
	mustRun(t, "", "-importkeystore", "-srckeystore", "testdata/openssl-legacy.p12", "-srcstorepass", "secret",
		"-destkeystore", jks, "-deststorepass", "secret")
	r := mustRun(t, "", "-list", "-v", "-keystore", jks, "-storepass", "secret")
	if !strings.Contains(r.stdout, "Alias name: mail") || !strings.Contains(r.stdout, "Certificate chain length: 2") {
		t.Errorf("legacy p12 -> JKS:\n%s", r.stdout)
	}
	// server.crt with its PKCS#8-encrypted key beside it.
	crt := fixture(t, dir, "server.crt")
	enc, _ := os.ReadFile("testdata/server.pkcs8-encrypted.key")
	os.WriteFile(filepath.Join(dir, "server.key"), enc, 0o600)
	p12 := filepath.Join(dir, "server.p12")
	wantFail(t, 1, "wrong\n", []string{"-importkeystore", "-srckeystore", crt, "-destkeystore", p12, "-deststorepass", "secret"}, "key password is wrong")
	mustRun(t, "", "-importkeystore", "-srckeystore", crt, "-srckeypass", "secret", "-destkeystore", p12, "-deststorepass", "secret")
	if got, want := fingerprintOf(t, "-keystore", p12, "-storepass", "secret"), fingerprintOf(t, "-keystore", crt); got != want {
		t.Errorf("certificate %s, want %s", got, want)
	}
}
