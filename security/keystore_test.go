package security

import (
	"errors"
	"slices"
	"testing"
)

// The keystore API is what `hedwig keytool` builds on: these check it
// directly, apart from the server loader.

func TestReadKeystoreEntries(t *testing.T) {
	two, err := ReadKeystore(ksDir+"/two-keys.jks", FormatUnknown, "secret")
	if err != nil {
		t.Fatal(err)
	}
	if two.Format != FormatJKS || !slices.Equal(two.keyAliases(), []string{"second", "hedwig"}) {
		t.Errorf("two-keys.jks: %s %v", two.Format, two.keyAliases())
	}
	for _, k := range two.Keys {
		if _, err := k.Decrypt("secret"); err != nil {
			t.Errorf("alias %s: %v", k.Alias, err)
		}
		if k.Encryption != "JKS key protection (Sun proprietary, SHA-1)" {
			t.Errorf("alias %s encryption %q", k.Alias, k.Encryption)
		}
	}

	trust, err := ReadKeystore(ksDir+"/truststore.jks", FormatUnknown, "changeit")
	if err != nil || len(trust.Trusted) != 1 || trust.Trusted[0].Alias != "root" || trust.Trusted[0].Certificate.Subject.CommonName != "Example Root CA" {
		t.Fatalf("truststore.jks: %+v %v", trust, err)
	}

	// A declared format is obeyed: PEM read as PKCS12 fails.
	if _, err := ReadKeystore(ksDir+"/server.crt", FormatPKCS12, ""); err == nil {
		t.Error("PEM decoded as PKCS12")
	}

	chain, err := ReadKeystore(ksDir+"/openssl-modern.p12", FormatUnknown, "secret")
	if err != nil || len(chain.Keys) != 1 || chain.Keys[0].Alias != "mail" || len(chain.Keys[0].Chain) != 2 ||
		chain.Keys[0].Chain[0].Subject.CommonName != "mail.example.com" {
		t.Fatalf("openssl-modern.p12: %+v %v", chain, err)
	}

	var pe *PasswordError
	if _, err := ReadKeystore(ksDir+"/hedwig.jks", FormatUnknown, "nope"); !errors.As(err, &pe) || !pe.Store {
		t.Errorf("wrong store password: %v", err)
	}
	h, _ := ReadKeystore(ksDir+"/hedwig.jks", FormatUnknown, "")
	if _, err := h.Keys[0].Decrypt("nope"); !errors.As(err, &pe) || pe.Store || pe.Alias != "hedwig" {
		t.Errorf("wrong key password: %v", err)
	}
	pemKey, _ := ReadKeystore(ksDir+"/private.key", FormatUnknown, "")
	if _, err := pemKey.Keys[0].Decrypt(""); !errors.As(err, &pe) || !pe.Missing {
		t.Errorf("encrypted PEM without password: %v", err)
	}
}

func TestSummaryMatchesKeytool(t *testing.T) {
	m, l := LoadKeyMaterial(ks(Settings{Keystore: "hedwig.jks", Secret: "secret"}))
	if m == nil {
		t.Fatal(l.Err())
	}
	s := m.Summary()
	// `keytool -list -keystore two-keys.jks` prints this fingerprint for alias hedwig.
	const keytoolSHA256 = "9E:53:8B:3B:C0:61:EE:23:86:40:B4:21:D7:79:2F:F5:9F:75:42:C2:A3:CF:65:F8:14:E3:B4:88:E8:EE:70:D8"
	if s.SHA256 != keytoolSHA256 {
		t.Errorf("fingerprint %s", s.SHA256)
	}
	if s.Format != "JKS" || s.Alias != "hedwig" || s.KeyType != "RSA 2048" || !s.SelfSigned || s.ChainLength != 1 ||
		!slices.Equal(s.SANs, []string{"mail.example.com", "localhost", "127.0.0.1"}) {
		t.Errorf("summary %+v", s)
	}
	want := `testdata/keystores/hedwig.jks (JKS, alias "hedwig"): CN=mail.example.com,OU=Mail,O=Example,L=Seoul,C=KR, RSA 2048, names mail.example.com localhost 127.0.0.1, self-signed, valid `
	if got := s.String(); len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("String() = %q", got)
	}
}
