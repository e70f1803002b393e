package keytool

import (
	"crypto/x509"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkEncodePKCS12 writes a key with its chain and a trusted root
// (10,000 PBKDF2 and MAC iterations, as the JDK).
func BenchmarkEncodePKCS12(b *testing.B) {
	cert, key := loadPEMKeyPair(b, "server.crt", "server.key")
	intCert, _ := loadPEMKeyPair(b, "int.crt", "int.key")
	root, _ := loadPEMKeyPair(b, "ca.crt", "ca.key")
	entries := []*entry{
		{alias: "mail", kind: keyEntry, key: key, chain: []*x509.Certificate{cert, intCert}},
		{alias: "root", kind: trustedEntry, chain: []*x509.Certificate{root}},
	}
	for b.Loop() {
		if _, err := encodePKCS12(entries, "secret"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePKCS12 reads what the JDK writes (PBES2, 10,000
// iterations for the MAC, the certificates and the key).
func BenchmarkDecodePKCS12(b *testing.B) {
	data := mustRead(b, "testdata/jdk-modern.p12")
	for b.Loop() {
		if _, err := decodePKCS12Entries(data, "secret"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListJKS is a whole `hedwig keytool -list -v` of a JKS file.
func BenchmarkListJKS(b *testing.B) {
	for b.Loop() {
		mustRun(b, "", "-list", "-v", "-keystore", "testdata/ca-signed.jks", "-storepass", "secret")
	}
}

// BenchmarkGenKeyPairEC is a whole -genkeypair of a P-256 key into a new
// PKCS12 keystore.
func BenchmarkGenKeyPairEC(b *testing.B) {
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		ks := filepath.Join(dir, "k"+strconv.Itoa(i)+".p12")
		mustRun(b, "", "-genkeypair", "-keyalg", "EC", "-keystore", ks, "-storepass", "secret", "-dname", "CN=mail.example.com")
	}
}
