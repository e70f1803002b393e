package javaks

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/security/keycrypt"
)

func read(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeFixtures(t *testing.T) {
	cases := []struct {
		file, store, key string
		typ              Type
		keys, trusted    []string
		keyType          string
	}{
		{"../testdata/keystores/hedwig.jks", "secret", "secret", JKS, []string{"hedwig"}, nil, "rsa"},
		{"../testdata/keystores/james-keypass.jks", "storepass1", "keypass1", JKS, []string{"james"}, nil, "rsa"},
		{"../testdata/keystores/ec.jks", "secret", "secret", JKS, []string{"mail"}, nil, "ec"},
		{"../testdata/keystores/mail.jceks", "secret", "secret", JCEKS, []string{"mail"}, nil, "rsa"},
		{"../testdata/extra/keypass.jceks", "storepass1", "keypass1", JCEKS, []string{"mail"}, nil, "rsa"},
		{"../testdata/extra/unicode.jks", "pässwörd", "pässwörd", JKS, []string{"mail"}, nil, "ec"},
		{"../testdata/keystores/two-keys.jks", "secret", "secret", JKS, []string{"second", "hedwig"}, nil, "rsa"},
		{"../testdata/keystores/ca-signed.jks", "secret", "secret", JKS, []string{"mail"}, nil, "rsa"},
		{"../testdata/keystores/truststore.jks", "changeit", "", JKS, nil, []string{"root"}, ""},
		{"../testdata/james/keystore", "james72laBalle", "james72laBalle", JKS, []string{"james"}, nil, "rsa"},
	}
	for _, c := range cases {
		ks, err := Decode(read(t, c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if ks.Type != c.typ || ks.Version != 2 {
			t.Errorf("%s: %s v%d", c.file, ks.Type, ks.Version)
		}
		if err := ks.Verify(c.store); err != nil {
			t.Errorf("%s: Verify: %v", c.file, err)
		}
		if err := ks.Verify(c.store + "x"); !errors.Is(err, ErrIntegrity) {
			t.Errorf("%s: Verify with a wrong password: %v", c.file, err)
		}
		if got := ks.Aliases(PrivateKeyEntry); !slices.Equal(got, c.keys) {
			t.Errorf("%s: key aliases %v, want %v", c.file, got, c.keys)
		}
		if got := ks.Aliases(TrustedCertEntry); !slices.Equal(got, c.trusted) {
			t.Errorf("%s: trusted aliases %v, want %v", c.file, got, c.trusted)
		}
		for _, e := range ks.Entries {
			if e.Kind != PrivateKeyEntry {
				if _, err := e.DecryptKey(c.key); err == nil {
					t.Errorf("%s: a %s gave a key", c.file, e.Kind)
				}
				continue
			}
			k, err := e.DecryptKey(c.key)
			if err != nil {
				t.Errorf("%s/%s: %v", c.file, e.Alias, err)
				continue
			}
			switch k.(type) {
			case *rsa.PrivateKey:
				if c.keyType != "rsa" {
					t.Errorf("%s: RSA key", c.file)
				}
			case *ecdsa.PrivateKey:
				if c.keyType != "ec" {
					t.Errorf("%s: EC key", c.file)
				}
			}
			if _, err := e.DecryptKey(c.key + "x"); !errors.Is(err, keycrypt.ErrWrongPassword) {
				t.Errorf("%s/%s: wrong key password gave %v", c.file, e.Alias, err)
			}
		}
	}
}

func TestDecodeDamage(t *testing.T) {
	good := read(t, "../testdata/keystores/hedwig.jks")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"PKCS12 magic", read(t, "../testdata/keystores/jdk-modern.p12"), "not a JKS or JCEKS keystore"},
		{"truncated in an entry", good[:200], "truncated"},
		{"no digest", good[:len(good)-20], "integrity digest is missing"},
		{"trailing data", append(bytes.Clone(good), 1, 2, 3), "3 bytes of trailing data"},
		{"unknown version", append([]byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 9}, good[8:]...), "version 9 is unknown"},
		{"huge count", append([]byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff}, good[12:]...), "truncated"},
	}
	for _, c := range cases {
		_, err := Decode(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Decode(read(t, "../testdata/extra/secretkey.jceks")); !errors.Is(err, ErrSecretKey) {
		t.Errorf("secret key entry: %v", err)
	}
}

func TestModifiedUTF8(t *testing.T) {
	cases := []struct {
		in   []byte
		want string
	}{
		{[]byte("mail"), "mail"},
		{[]byte{0xc3, 0xa4}, "ä"},
		{[]byte{0xc0, 0x80}, "\x00"},                               // NUL, Java style
		{[]byte{0xed, 0xa0, 0xbd, 0xed, 0xb3, 0xa7}, "\U0001F4E7"}, // 📧 as a surrogate pair
		{[]byte{0xe2, 0x82, 0xac}, "€"},
	}
	for _, c := range cases {
		if got, err := decodeModifiedUTF8(c.in); err != nil || got != c.want {
			t.Errorf("% x: %q %v, want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range [][]byte{{0xc3}, {0xe2, 0x82}, {0xff}, {0xc3, 0x41}} {
		if _, err := decodeModifiedUTF8(bad); err == nil {
			t.Errorf("% x accepted", bad)
		}
	}
}
