package keytool

import (
	"fmt"
	"path/filepath"
	"testing"
)

func TestSmoke(t *testing.T) {
	d := t.TempDir()
	for _, f := range []string{"hedwig.jks", "james-keypass.jks", "ec.jks", "mail.jceks", "jdk-modern.p12", "openssl-modern.p12", "openssl-legacy.p12", "client.p12", "two-keys.jks", "ca-signed.jks", "truststore.jks", "truststore.p12", "truststore.pem", "server-chain.crt"} {
		p := fixture(t, d, f)
		pw := "secret"
		if f[:5] == "trust" { pw = "changeit" }
		if f == "james-keypass.jks" { pw = "storepass1" }
		r := keytool(t, "", "-list", "-keystore", p, "-storepass", pw)
		fmt.Println("==", f, r.code, r.stdout, r.stderr)
	}
	p := filepath.Join(d, "new.p12")
	r := keytool(t, "", "-genkeypair", "-alias", "James", "-keyalg", "RSA", "-keystore", p, "-storepass", "secret", "-dname", "CN=mail.example.com, O=Ex")
	fmt.Println(r.code, r.stdout, r.stderr)
	r = keytool(t, "", "-list", "-v", "-keystore", p, "-storepass", "secret")
	fmt.Println(r.code, r.stdout, r.stderr)
	r = keytool(t, "", "-certreq", "-alias", "james", "-keystore", p, "-storepass", "secret")
	fmt.Println(r.code, r.stdout, r.stderr)
}
