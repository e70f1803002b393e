package keytool

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/security"
)

// TestGenKeyPairStoreTypes makes a key pair in every writable store type
// with RSA and EC keys, and checks what was written: the file mode, the
// certificate's subject, SAN and key, read back through package security.
func TestGenKeyPairStoreTypes(t *testing.T) {
	for _, tc := range []struct {
		storetype, file string
		keyargs         []string
		wantKey         string
	}{
		{"JKS", "k.jks", []string{"-keyalg", "RSA"}, "rsa"},
		{"JKS", "k-ec.jks", []string{"-keyalg", "EC", "-keysize", "384"}, "ec384"},
		{"PKCS12", "k.p12", []string{"-keyalg", "RSA", "-keysize", "3072"}, "rsa3072"},
		{"PKCS12", "k-ec.p12", []string{"-keyalg", "EC"}, "ec256"},
		{"PEM", "k.crt", []string{"-keyalg", "EC", "-groupname", "secp256r1"}, "ec256"},
		{"PEM", "k-rsa.pem", nil, "rsa"},
	} {
		t.Run(tc.storetype+"/"+tc.file, func(t *testing.T) {
			dir := t.TempDir()
			ks := filepath.Join(dir, tc.file)
			args := append([]string{"-genkeypair", "-alias", "Mail", "-keystore", ks, "-storetype", tc.storetype,
				"-storepass", "secret", "-dname", "CN=mail.example.com, OU=Mail, O=Example\\, Inc., C=KR",
				"-ext", "SAN=dns:mail.example.com,dns:imap.example.com,ip:192.0.2.7", "-validity", "30"}, tc.keyargs...)
			r := mustRun(t, "", args...)
			if !strings.Contains(r.stderr, "self-signed certificate") {
				t.Errorf("no progress message: %s", r.stderr)
			}
			if m := mode(t, ks); m != 0o600 {
				t.Errorf("%s has mode %o, want 600", ks, m)
			}
			var ksSec *security.Keystore
			var err error
			if tc.storetype == "PEM" {
				_, keyPath := pemPaths(ks)
				if m := mode(t, keyPath); m != 0o600 {
					t.Errorf("%s has mode %o, want 600", keyPath, m)
				}
				certs, _ := os.ReadFile(ks)
				keyPEM, _ := os.ReadFile(keyPath)
				ksSec, err = security.DecodeKeystore(append(certs, keyPEM...), security.FormatPEM, "")
				if err == nil && len(ksSec.Keys) == 1 {
					ksSec.Keys[0].Chain = ksSec.Certificates
				}
			} else {
				ksSec, err = security.ReadKeystore(ks, security.FormatUnknown, "secret")
			}
			if err != nil {
				t.Fatalf("package security cannot read %s: %v", ks, err)
			}
			if len(ksSec.Keys) != 1 {
				t.Fatalf("%d keys, want 1", len(ksSec.Keys))
			}
			key, err := ksSec.Keys[0].Decrypt("secret")
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			cert := ksSec.Keys[0].Chain[0]
			if !samePublicKey(key.Public(), cert.PublicKey) {
				t.Error("the key does not match its certificate")
			}
			switch pub := key.Public().(type) {
			case *rsa.PublicKey:
				want := map[string]int{"rsa": 2048, "rsa3072": 3072}[tc.wantKey]
				if pub.N.BitLen() != want {
					t.Errorf("RSA key of %d bits, want %d", pub.N.BitLen(), want)
				}
			case *ecdsa.PublicKey:
				want := map[string]int{"ec256": 256, "ec384": 384}[tc.wantKey]
				if pub.Curve.Params().BitSize != want {
					t.Errorf("EC key on %s, want %d bits", pub.Curve.Params().Name, want)
				}
			}
			if got, want := formatName(cert.RawSubject), "CN=mail.example.com, OU=Mail, O=Example\\, Inc., C=KR"; got != want {
				t.Errorf("subject %q, want %q", got, want)
			}
			if cert.Subject.Organization[0] != "Example, Inc." {
				t.Errorf("O = %q", cert.Subject.Organization)
			}
			if strings.Join(cert.DNSNames, " ") != "mail.example.com imap.example.com" || len(cert.IPAddresses) != 1 || cert.IPAddresses[0].String() != "192.0.2.7" {
				t.Errorf("SAN %v %v", cert.DNSNames, cert.IPAddresses)
			}
			if d := cert.NotAfter.Sub(cert.NotBefore).Hours(); d != 30*24 {
				t.Errorf("validity %v hours, want 30 days", d)
			}
			if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
				t.Errorf("not self-signed: %v", err)
			}
		})
	}
}

// TestGenKeyPairSeedRecipes runs the seeds' commands, with prompts
// answered on standard input: Hedwig's (passwords on the command line, the
// name asked for) and James's (everything asked for).
func TestGenKeyPairSeedRecipes(t *testing.T) {
	dir := t.TempDir()
	hedwig := filepath.Join(dir, "hedwig.jks")
	// keytool -genkey -alias hedwig -keyalg RSA -keypass secret -storepass secret -keystore <file>
	answers := "mail.example.com\nMail\nExample\nSeoul\n\nKR\nyes\n"
	r := mustRun(t, answers, "-genkey", "-alias", "hedwig", "-keyalg", "RSA", "-keypass", "secret", "-storepass", "secret", "-keystore", hedwig)
	for _, want := range []string{"What is the host name of this mail server", "Is CN=mail.example.com, OU=Mail, O=Example, L=Seoul, ST=Unknown, C=KR correct?"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("prompts lack %q:\n%s", want, r.stderr)
		}
	}
	list := mustRun(t, "", "-list", "-v", "-keystore", hedwig, "-storepass", "secret")
	if !strings.Contains(list.stdout, "Owner: CN=mail.example.com, OU=Mail, O=Example, L=Seoul, ST=Unknown, C=KR") {
		t.Errorf("list -v:\n%s", list.stdout)
	}

	// keytool -genkey -alias james -keyalg RSA -keystore your_keystore_filename:
	// store password twice, the name (answered "no" once), key password.
	james := filepath.Join(dir, "james.keystore")
	answers = "storepass1\nstorepass1\n" +
		"wrong.example.com\n\n\n\n\n\nno\n" +
		"mail.example.com\n\n\n\n\n\nyes\n"
	r = mustRun(t, answers, "-genkey", "-alias", "james", "-keyalg", "RSA", "-keystore", james)
	if !strings.Contains(r.stderr, "Is CN=wrong.example.com") || !strings.Contains(r.stderr, "Is CN=mail.example.com, OU=Unknown") {
		t.Errorf("the name was not asked again after no:\n%s", r.stderr)
	}
	ks, err := security.ReadKeystore(james, security.FormatUnknown, "storepass1")
	if err != nil {
		t.Fatal(err)
	}
	if ks.Format != security.FormatPKCS12 {
		t.Errorf("a keystore named %s is %s, want PKCS12 (the JDK's default)", james, ks.Format)
	}
	if got := ks.Keys[0].Chain[0].Subject.CommonName; got != "mail.example.com" {
		t.Errorf("CN %q", got)
	}

	// JKS asks for the key password; RETURN means the store password.
	jks := filepath.Join(dir, "k.jks")
	mustRun(t, "storepass1\nstorepass1\n\n", "-genkeypair", "-alias", "k", "-keystore", jks, "-dname", "CN=localhost")
	ks, err = security.ReadKeystore(jks, security.FormatUnknown, "storepass1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Keys[0].Decrypt("storepass1"); err != nil {
		t.Errorf("key password is not the store password: %v", err)
	}
}

func TestGenKeyPairErrors(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "k.p12")
	base := []string{"-genkeypair", "-keystore", ks, "-storepass", "secret", "-dname", "CN=mail.example.com"}
	mustRun(t, "", base...)
	wantFail(t, 1, "", base, "alias <mykey> already exists")
	wantFail(t, 1, "", []string{"-genkeypair", "-keystore", filepath.Join(dir, "x.p12"), "-storepass", "short", "-dname", "CN=a"}, "too short - must be at least 6 characters")
	for _, bad := range [][]string{
		{"-keyalg", "DSA"},
		{"-keyalg", "RSA", "-keysize", "1024"},
		{"-keyalg", "EC", "-keysize", "255"},
		{"-keyalg", "EC", "-sigalg", "SHA256withRSA"},
		{"-validity", "soon"},
		{"-ext", "SAN=dns:bad name"},
		{"-ext", "SAN=foo:x"},
		{"-ext", "KU=flying"},
		{"-dname", "XX=mail"},
	} {
		args := append([]string{"-genkeypair", "-alias", "other", "-keystore", ks, "-storepass", "secret", "-dname", "CN=mail.example.com"}, bad...)
		if bad[0] == "-dname" {
			args = append([]string{"-genkeypair", "-alias", "other", "-keystore", ks, "-storepass", "secret"}, bad...)
		}
		wantFail(t, 64, "", args)
	}
	// No -dname and nothing on standard input.
	wantFail(t, 64, "", []string{"-genkeypair", "-alias", "n", "-keystore", ks, "-storepass", "secret"}, "standard input ended")
	wantFail(t, 64, "", []string{"-genkeypair", "-alias", "n", "-keystore", ks, "-storepass", "secret", "-noprompt"}, "-dname is required")
	// A wrong store password for an existing keystore.
	wantFail(t, 1, "", []string{"-genkeypair", "-alias", "n", "-keystore", ks, "-storepass", "wrong!", "-dname", "CN=a"}, "keystore password was incorrect")
}

// TestGenKeyPairOpensInJDK checks that the JDK's keytool reads what
// -genkeypair writes, with the key password, and sees the same
// certificate.
func TestGenKeyPairOpensInJDK(t *testing.T) {
	t.Parallel()
	jdk := jdkKeytool(t)
	dir := t.TempDir()
	for _, tc := range []struct{ file, storetype, keyalg, keypass string }{
		{"r.jks", "JKS", "RSA", "keypass1"},
		{"e.jks", "JKS", "EC", ""},
		{"r.p12", "PKCS12", "RSA", ""},
		{"e.p12", "PKCS12", "EC", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			ks := filepath.Join(dir, tc.file)
			args := []string{"-genkeypair", "-alias", "mail", "-keyalg", tc.keyalg, "-keystore", ks, "-storetype", tc.storetype,
				"-storepass", "storepass1", "-dname", "CN=mail.example.com, O=Example", "-noprompt"}
			if tc.keypass != "" {
				args = append(args, "-keypass", tc.keypass)
			}
			mustRun(t, "", args...)
			out := external(t, "", jdk, "-list", "-v", "-keystore", ks, "-storepass", "storepass1")
			for _, want := range []string{"Alias name: mail", "Entry type: PrivateKeyEntry", "Owner: CN=mail.example.com, O=Example", "DNSName: mail.example.com"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: JDK keytool -list -v lacks %q:\n%s", tc.file, want, out)
				}
			}
			ours := mustRun(t, "", "-list", "-keystore", ks, "-storepass", "storepass1")
			fp := ours.stdout[strings.Index(ours.stdout, "(SHA-256): ")+11:]
			fp = strings.TrimSpace(fp)
			if !strings.Contains(out, "SHA256: "+fp) {
				t.Errorf("%s: JDK sees another certificate than %s:\n%s", tc.file, fp, out)
			}
			// The JDK must be able to use the key: a CSR needs it.
			kp := tc.keypass
			if kp == "" {
				kp = "storepass1"
			}
			csr := filepath.Join(dir, tc.file+".csr")
			external(t, "", jdk, "-certreq", "-alias", "mail", "-keystore", ks, "-storepass", "storepass1", "-keypass", kp, "-file", csr)
			if tc.keypass != "" {
				// and the wrong key password must not open it.
				externalFails(t, jdk, "-certreq", "-alias", "mail", "-keystore", ks, "-storepass", "storepass1", "-keypass", "storepass1", "-file", csr+"2")
			}
		})
	}
}

// TestGenKeyPairOpensInOpenSSL reads a PKCS12 and a PEM pair with openssl.
func TestGenKeyPairOpensInOpenSSL(t *testing.T) {
	t.Parallel()
	ossl := openssl(t)
	dir := t.TempDir()
	p12 := filepath.Join(dir, "k.p12")
	mustRun(t, "", "-genkeypair", "-alias", "mail", "-keyalg", "EC", "-keystore", p12, "-storepass", "secret", "-dname", "CN=mail.example.com")
	out := external(t, "", ossl, "pkcs12", "-info", "-nokeys", "-passin", "pass:secret", "-in", p12)
	for _, want := range []string{"friendlyName: mail", "subject=CN = mail.example.com", "MAC: sha256"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl pkcs12 -info lacks %q:\n%s", want, out)
		}
	}
	out = external(t, "", ossl, "pkcs12", "-nocerts", "-nodes", "-passin", "pass:secret", "-in", p12)
	if !strings.Contains(out, "BEGIN PRIVATE KEY") {
		t.Errorf("openssl could not decrypt the key:\n%s", out)
	}
	externalFails(t, ossl, "pkcs12", "-info", "-nokeys", "-passin", "pass:wrong", "-in", p12)

	crt := filepath.Join(dir, "mail.crt")
	mustRun(t, "", "-genkeypair", "-keystore", crt, "-dname", "CN=mail.example.com")
	key := filepath.Join(dir, "mail.key")
	out = external(t, "", ossl, "x509", "-in", crt, "-noout", "-subject", "-ext", "subjectAltName")
	if !strings.Contains(out, "CN = mail.example.com") || !strings.Contains(out, "DNS:mail.example.com") {
		t.Errorf("openssl x509:\n%s", out)
	}
	certPub := external(t, "", ossl, "x509", "-in", crt, "-noout", "-pubkey")
	keyPub := external(t, "", ossl, "pkey", "-in", key, "-pubout")
	if certPub != keyPub {
		t.Errorf("openssl: key %s does not match certificate %s", key, crt)
	}
}
