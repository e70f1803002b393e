package keytool

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
)

func TestParseDName(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"CN=mail.example.com", "CN=mail.example.com"},
		{"CN=mail.example.com, OU=Mail, O=Example, L=Seoul, ST=Seoul, C=KR", "CN=mail.example.com, OU=Mail, O=Example, L=Seoul, ST=Seoul, C=KR"},
		{"cn=a;o=b", "CN=a, O=b"},
		{`CN=x, O=Example\, Inc.`, `CN=x, O=Example\, Inc.`},
		{`CN=x, O="Example, Inc."`, `CN=x, O=Example\, Inc.`},
		{`CN=Grüße`, `CN=Grüße`},
		{`CN=a\2Cb`, `CN=a\,b`},
		{"CN=a + UID=b, DC=example, DC=com", "CN=a + UID=b, DC=example, DC=com"},
		{"EMAIL=alice@example.com, S=Bavaria, T=Admin", "EMAILADDRESS=alice@example.com, ST=Bavaria, T=Admin"},
		{"OID.2.5.4.3=viaoid", "CN=viaoid"},
		{"CN=  spaced  ", "CN=spaced"},
		{`CN=trailing\ `, `CN=trailing\ `},
	} {
		seq, err := parseDName(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		der, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatName(der); got != tc.out {
			t.Errorf("%q formats as %q, want %q", tc.in, got, tc.out)
		}
	}
	for _, bad := range []string{"", "CN", "CN=", "XX=y", "CN=a,", `CN="open`, `CN=a\`, "C=Ünited", "EMAIL=ü@example.com", "CN=a, =b", "OID.1=x"} {
		if _, err := parseDName(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	// The first RDN written is the most specific, last in the encoding,
	// as the JDK and openssl order it.
	seq, _ := parseDName("CN=leaf, O=org")
	if len(seq) != 2 || seq[1][0].Value != "leaf" {
		t.Errorf("order: %v", seq)
	}
}

func TestParseExtensions(t *testing.T) {
	x, err := parseExtensions([]string{"SAN=dns:mail.example.com,dns:*.example.com,ip:127.0.0.1,ip:::1,email:postmaster@example.com,uri:https://example.com/",
		"bc:c=ca:true,pathlen:0", "KU=dig,keyEnc", "EKU=serverAuth,clientAuth,1.2.3.4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.dnsNames) != 2 || len(x.ips) != 2 || len(x.emails) != 1 || len(x.uris) != 1 {
		t.Errorf("SAN: %v %v %v %v", x.dnsNames, x.ips, x.emails, x.uris)
	}
	// Encode through Go and read back.
	_, key := loadPEMKeyPair(t, "ec.crt", "ec.key")
	seq, _ := parseDName("CN=ca")
	der, _ := asn1.Marshal(seq)
	cert, err := selfSign(key, certSpec{subject: der, validity: 24 * 3600e9, sigAlg: x509.ECDSAWithSHA256, ext: x})
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || !cert.MaxPathLenZero || cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment {
		t.Errorf("BC/KU: CA %v pathlen0 %v KU %b", cert.IsCA, cert.MaxPathLenZero, cert.KeyUsage)
	}
	if len(cert.ExtKeyUsage) != 2 || len(cert.UnknownExtKeyUsage) != 1 {
		t.Errorf("EKU: %v %v", cert.ExtKeyUsage, cert.UnknownExtKeyUsage)
	}
	for _, e := range cert.Extensions {
		if e.Id.Equal(oidExtBasicConstraints) && !e.Critical {
			t.Error("bc:c is not critical")
		}
	}
	if !strings.Contains(strings.Join(extensionLines(cert), "\n"), "DNSName: *.example.com") {
		t.Errorf("extension lines: %v", extensionLines(cert))
	}
	for _, bad := range []string{"SAN=", "SAN=dns:", "SAN=dns:-bad-.com", "SAN=ip:300.1.1.1", "SAN=email:not an address", "SAN=uri:relative",
		"SAN:c=dns:a.example", "BC=ca:maybe", "BC=ca:false,pathlen:1", "KU=", "KU=key", "EKU=flying", "XYZ=1", "SAN:x=dns:a"} {
		if _, err := parseExtensions([]string{bad}); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, err := parseExtensions([]string{"KU=dig", "KU=keyCertSign"}); err == nil {
		t.Error("KU twice accepted")
	}
}
