package keytool

import (
	"bytes"
	"encoding/asn1"
	"testing"
)

// FuzzParseDName: any -dname either fails cleanly or encodes to a name
// whose printed form parses back to the same encoding.
func FuzzParseDName(f *testing.F) {
	for _, s := range []string{"CN=mail.example.com, OU=Mail, O=Example, L=Seoul, C=KR", `O=Example\, Inc.`, `CN="quoted, value"`, "CN=a+UID=b", "OID.2.5.4.3=x", `CN=\41\42`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := parseDName(s)
		if err != nil {
			return
		}
		der, err := asn1.Marshal(seq)
		if err != nil {
			return // a value Go cannot encode in the chosen string type
		}
		printed := formatName(der)
		again, err := parseDName(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		der2, err := asn1.Marshal(again)
		if err != nil || !bytes.Equal(der, der2) {
			t.Fatalf("%q -> %q changes the encoding", s, printed)
		}
	})
}

// FuzzParseExtensions: any -ext value fails cleanly or yields extensions
// Go can put into a certificate request.
func FuzzParseExtensions(f *testing.F) {
	for _, s := range []string{"SAN=dns:mail.example.com,ip:127.0.0.1", "bc:c=ca:true,pathlen:0", "KU=dig,keyEnc", "EKU=serverAuth,1.2.3", "SAN=email:a@b.c,uri:https://x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := parseExtensions([]string{s})
		if err != nil {
			return
		}
		for _, e := range x.extra {
			var raw asn1.RawValue
			if _, err := asn1.Unmarshal(e.Value, &raw); err != nil {
				t.Fatalf("%q encodes invalid DER: %v", s, err)
			}
		}
	})
}

// FuzzDecodePKCS12: hostile PKCS#12 input never panics.
func FuzzDecodePKCS12(f *testing.F) {
	// The fixtures use 10,000 iterations; more only makes the fuzzer slow.
	oldMAC, oldKDF := maxMACIterations, maxKDFIterations
	maxMACIterations, maxKDFIterations = 20000, 20000
	f.Cleanup(func() { maxMACIterations, maxKDFIterations = oldMAC, oldKDF })
	for _, name := range []string{"jdk-modern.p12", "truststore.p12", "client.p12"} {
		f.Add(mustRead(f, "testdata/"+name), "secret")
	}
	f.Fuzz(func(t *testing.T, data []byte, pass string) {
		entries, err := decodePKCS12Entries(data, pass)
		if err != nil {
			return
		}
		for _, e := range entries {
			if len(e.chain) == 0 || (e.kind == keyEntry && e.key == nil) {
				t.Fatalf("entry %q without certificate or key", e.alias)
			}
		}
	})
}

// FuzzReadCertificates: any certificate file (PEM, DER, PKCS#7) fails
// cleanly or yields certificates.
func FuzzReadCertificates(f *testing.F) {
	for _, name := range []string{"ca.crt", "server-chain.crt"} {
		f.Add(mustRead(f, "testdata/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := readCertificates(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
	})
}
