package keytool

import (
	"crypto/x509"
	"errors"
	"github.com/hedwigmail/hedwig/security/keycrypt"
	"os"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/security"
)

// TestPKCS12ReaderAgreesWithSecurity reads every PKCS#12 fixture with
// keytool's reader and with package security's (go-pkcs12): same key, same
// leaf, same trusted certificates.
func TestPKCS12ReaderAgreesWithSecurity(t *testing.T) {
	for _, tc := range []struct {
		file, pass string
		ownReader  bool // false: the file needs the fallback (RC2)
	}{
		{"jdk-modern.p12", "secret", true},
		{"openssl-modern.p12", "secret", true},
		{"client.p12", "secret", true},
		{"truststore.p12", "changeit", true},
		{"openssl-legacy.p12", "secret", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := mustRead(t, "testdata/"+tc.file)
			ours, err := decodePKCS12Entries(data, tc.pass)
			var fb *errP12Fallback
			if !tc.ownReader {
				if !errors.As(err, &fb) {
					t.Fatalf("want a fallback for %s, got %v", tc.file, err)
				}
				ours, err = decodePKCS12ViaSecurity(data, tc.pass)
			}
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := security.DecodeKeystore(data, security.FormatPKCS12, tc.pass)
			if err != nil {
				t.Fatal(err)
			}
			var keys, trusted []*entry
			for _, e := range ours {
				if e.kind == keyEntry {
					keys = append(keys, e)
				} else {
					trusted = append(trusted, e)
				}
			}
			if len(keys) != len(theirs.Keys) || len(trusted) != len(theirs.Trusted) {
				t.Fatalf("keytool reads %d keys and %d trusted, security %d and %d", len(keys), len(trusted), len(theirs.Keys), len(theirs.Trusted))
			}
			for i, k := range keys {
				sk, err := theirs.Keys[i].Decrypt(tc.pass)
				if err != nil {
					t.Fatal(err)
				}
				if !samePublicKey(k.key.Public(), sk.Public()) || !k.cert().Equal(theirs.Keys[i].Chain[0]) {
					t.Errorf("key %q differs", k.alias)
				}
				if k.alias != theirs.Keys[i].Alias {
					t.Errorf("alias %q, security says %q", k.alias, theirs.Keys[i].Alias)
				}
				if len(k.chain) != len(theirs.Keys[i].Chain) {
					t.Errorf("chain of %d, security %d", len(k.chain), len(theirs.Keys[i].Chain))
				}
			}
			for i, e := range trusted {
				if !e.cert().Equal(theirs.Trusted[i].Certificate) {
					t.Errorf("trusted %q differs", e.alias)
				}
			}
			// A wrong password is a store password error, not a parse error.
			_, err = decodePKCS12Entries(data, "wrong")
			var pe *security.PasswordError
			if tc.ownReader && (!errors.As(err, &pe) || !pe.Store) {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
}

// TestPKCS12RoundTrip encodes several keys and trusted certificates and
// reads them back, aliases included.
func TestPKCS12RoundTrip(t *testing.T) {
	cert, key := loadPEMKeyPair(t, "server.crt", "server.key")
	ecCert, ecKey := loadPEMKeyPair(t, "ec.crt", "ec.key")
	intCert, _ := loadPEMKeyPair(t, "int.crt", "int.key")
	root, _ := loadPEMKeyPair(t, "ca.crt", "ca.key")
	in := []*entry{
		{alias: "mail", kind: keyEntry, key: key, chain: []*x509.Certificate{cert, intCert, root}},
		{alias: "Ünïcode ec", kind: keyEntry, key: ecKey, chain: []*x509.Certificate{ecCert}},
		{alias: "root", kind: trustedEntry, chain: []*x509.Certificate{root}},
	}
	data, err := encodePKCS12(in, "pässword")
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodePKCS12Entries(data, "pässword")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d entries back, want %d", len(out), len(in))
	}
	for i := range in {
		if out[i].alias != in[i].alias || out[i].kind != in[i].kind || len(out[i].chain) != len(in[i].chain) {
			t.Errorf("entry %d: %q %s chain %d, want %q %s chain %d", i, out[i].alias, out[i].kind, len(out[i].chain), in[i].alias, in[i].kind, len(in[i].chain))
		}
		if in[i].kind == keyEntry && !samePublicKey(out[i].key.Public(), in[i].key.Public()) {
			t.Errorf("entry %d: another key", i)
		}
	}
	if _, err := encodePKCS12(in, ""); err == nil {
		t.Error("a PKCS12 file without password was written")
	}
	// Several keys in one file: package security lists them as such.
	_, err = security.DecodeKeystore(data, security.FormatPKCS12, "pässword")
	if err != nil {
		t.Fatalf("security cannot read it: %v", err)
	}
	dir := t.TempDir()
	p := dir + "/multi.p12"
	os.WriteFile(p, data, 0o600)
	_, problems := security.LoadKeyMaterial(security.Settings{Keystore: p, StorePass: "pässword"})
	if err := problems.Err(); err == nil || !strings.Contains(err.Error(), "only one certificate/private key is allowed") {
		t.Errorf("security on two keys: %v", err)
	}
}

func TestPKCS12KDFVector(t *testing.T) {
	// RFC 7292 appendix B with SHA-1, checked against OpenSSL's
	// PKCS12_key_gen_uni for password "smeg", salt 0a58cf64530d823f, id 1,
	// 1 iteration, 24 bytes (a test vector OpenSSL ships).
	got := keycrypt.PKCS12KDF(sha1New, 64, 1, keycrypt.BMPPassword("smeg"), []byte{0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f}, 1, 24)
	want := "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
	if hexString(got) != want {
		t.Errorf("KDF %s, want %s", hexString(got), want)
	}
}
