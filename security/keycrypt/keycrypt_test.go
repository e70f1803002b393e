package keycrypt

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

// The files are real openssl output (see ../testdata/extra/make.sh and the
// shared fixtures); each decrypts to the same key as its clear source.

func pemBlock(t testing.TB, path string) *pem.Block {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return b
}

func TestDecryptPKCS8(t *testing.T) {
	clear := pemBlock(t, "../testdata/keystores/server.key").Bytes
	cases := []struct{ file, alg string }{
		{"../testdata/keystores/server.pkcs8-encrypted.key", "PBES2 (PBKDF2 with hmacWithSHA256, AES-256-CBC)"},
		{"../testdata/extra/server.pkcs8-sha1-des3.key", "PBES2 (PBKDF2 with hmacWithSHA1, DES-EDE3-CBC)"},
		{"../testdata/extra/server.pkcs8-sha512-aes128.key", "PBES2 (PBKDF2 with hmacWithSHA512, AES-128-CBC)"},
		{"../testdata/extra/server.pkcs8-sha256-aes192.key", "PBES2 (PBKDF2 with hmacWithSHA256, AES-192-CBC)"},
		{"../testdata/extra/server.pkcs8-pbe-sha1-3des.key", "pbeWithSHAAnd3-KeyTripleDES-CBC"},
		{"../testdata/extra/server.pkcs8-pbe-md5-des.key", "PBES1 (PBEWithMD5AndDES-CBC)"},
	}
	for _, c := range cases {
		der := pemBlock(t, c.file).Bytes
		if alg, err := PKCS8Algorithm(der); err != nil || alg != c.alg {
			t.Errorf("%s: algorithm %q %v, want %q", c.file, alg, err, c.alg)
		}
		plain, err := DecryptPKCS8(der, "secret")
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !bytes.Equal(plain, clear) {
			t.Errorf("%s: decrypted to something else than server.key", c.file)
		}
		if _, err := DecryptPKCS8(der, "Secret"); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: wrong password gave %v", c.file, err)
		}
		if _, err := DecryptPKCS8(der, ""); !errors.Is(err, ErrNoPassword) {
			t.Errorf("%s: empty password gave %v", c.file, err)
		}
	}
}

func TestDecryptLegacyPEM(t *testing.T) {
	cases := []struct{ file, clearFile, cipher string }{
		{"../testdata/keystores/private.key", "../testdata/keystores/private.nopass.key", "DES-EDE3-CBC"},
		{"../testdata/extra/server.aes128.key", "", "AES-128-CBC"},
		{"../testdata/extra/server.aes256.key", "", "AES-256-CBC"},
		{"../testdata/extra/ec.des3.key", "../testdata/keystores/ec.key", "DES-EDE3-CBC"},
	}
	serverKey, _ := x509.ParsePKCS8PrivateKey(pemBlock(t, "../testdata/keystores/server.key").Bytes)
	for _, c := range cases {
		b := pemBlock(t, c.file)
		if !IsLegacyEncrypted(b) || LegacyCipher(b) != c.cipher {
			t.Errorf("%s: encrypted=%v cipher=%q", c.file, IsLegacyEncrypted(b), LegacyCipher(b))
		}
		plain, err := DecryptLegacyPEM(b, "secret")
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if c.clearFile != "" {
			if !bytes.Equal(plain, pemBlock(t, c.clearFile).Bytes) {
				t.Errorf("%s: differs from %s", c.file, c.clearFile)
			}
		} else if k, err := x509.ParsePKCS1PrivateKey(plain); err != nil || !k.Equal(serverKey) {
			t.Errorf("%s: not server.key (%v)", c.file, err)
		}
		if _, err := DecryptLegacyPEM(b, "wrong"); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: wrong password gave %v", c.file, err)
		}
		if _, err := DecryptLegacyPEM(b, ""); !errors.Is(err, ErrNoPassword) {
			t.Errorf("%s: empty password gave %v", c.file, err)
		}
	}
	// James's own test key, secret 123456.
	if _, err := DecryptLegacyPEM(pemBlock(t, "../testdata/james/private.key"), "123456"); err != nil {
		t.Errorf("James private.key: %v", err)
	}
	if IsLegacyEncrypted(pemBlock(t, "../testdata/keystores/private.nopass.key")) {
		t.Error("a clear key looks encrypted")
	}
}

func TestUnsupportedAndMalformed(t *testing.T) {
	// An RC2 PBES2 scheme: the real structure with the cipher OID changed.
	der := pemBlock(t, "../testdata/keystores/server.pkcs8-encrypted.key").Bytes
	rc2 := bytes.Replace(der, []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a},
		[]byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2b}, 1)
	var u *UnsupportedError
	if _, err := DecryptPKCS8(rc2, "secret"); !errors.As(err, &u) {
		t.Errorf("unknown cipher: %v", err)
	}
	if _, err := DecryptPKCS8([]byte("not DER"), "secret"); err == nil {
		t.Error("garbage accepted")
	}
	if _, err := DecryptPKCS8(append(bytes.Clone(der), 0), "secret"); err == nil {
		t.Error("trailing data accepted")
	}
	b := &pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "CAMELLIA-256-CBC,00112233445566778899AABBCCDDEEFF"}}
	if _, err := DecryptLegacyPEM(b, "x"); !errors.As(err, &u) {
		t.Errorf("unknown legacy cipher: %v", err)
	}
}

func TestIterationBound(t *testing.T) {
	// The fixture's PBKDF2 count 2048 (02 02 08 00) becomes 32767, above a
	// lowered bound: the file is refused before any work is done.
	der := pemBlock(t, "../testdata/keystores/server.pkcs8-encrypted.key").Bytes
	mod := bytes.Replace(der, []byte{0x02, 0x02, 0x08, 0x00}, []byte{0x02, 0x02, 0x7f, 0xff}, 1)
	if bytes.Equal(mod, der) {
		t.Fatal("the iteration count was not found")
	}
	saved := maxIterations
	maxIterations = 0x7f00
	defer func() { maxIterations = saved }()
	if _, err := DecryptPKCS8(mod, "secret"); err == nil || !strings.Contains(err.Error(), "iteration count 32767 out of range") {
		t.Errorf("iteration count above the bound: %v", err)
	}
}

func TestPKCS12KDFVectors(t *testing.T) {
	// Checked against OpenSSL: openssl kdf -keylen N -kdfopt digest:SHA1
	// -kdfopt hexpass:0073006D006500670000 -kdfopt hexsalt:0A58CF64530D823F
	// -kdfopt iter:I -kdfopt id:ID PKCS12KDF ("smeg" as a BMPString).
	salt := []byte{0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f}
	cases := []struct {
		id      byte
		iter, n int
		want    string
	}{
		{1, 1, 24, "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"},
		{2, 1, 8, "79993dfe048d3b76"},
		{1, 1000, 24, "65a0185313e1be626a62223edc56a602e45d07570bd6c447"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(PKCS12KDF(sha1.New, 64, c.id, BMPPassword("smeg"), salt, c.iter, c.n)); got != c.want {
			t.Errorf("id %d iter %d: %s, want %s", c.id, c.iter, got, c.want)
		}
	}
}
