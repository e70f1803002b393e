package security

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectFormat detects every fixture's format from its content; James's
// keystore.jks is PKCS12 whatever its name says.
func TestDetectFormat(t *testing.T) {
	want := func(path string) Format {
		switch filepath.Base(path) {
		case "keystore", "secretkey.jceks", "dsa.jks", "unicode.jks":
			if filepath.Base(path) == "secretkey.jceks" {
				return FormatJCEKS
			}
			return FormatJKS
		case "keystore.jks":
			return FormatPKCS12
		}
		switch filepath.Ext(path) {
		case ".jks":
			return FormatJKS
		case ".jceks":
			return FormatJCEKS
		case ".p12":
			return FormatPKCS12
		case ".crt", ".key", ".pem", ".csr":
			return FormatPEM
		}
		return FormatUnknown
	}
	for _, dir := range []string{ksDir, extraDir, jamesDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".sh") {
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := DetectFormat(data); got != want(p) {
				t.Errorf("%s: detected %s, want %s", p, got, want(p))
			}
		}
	}
	cert := readCert(t, caFile)
	if got := DetectFormat(cert.Raw); got != FormatDER {
		t.Errorf("DER certificate detected as %s", got)
	}
	for _, junk := range [][]byte{nil, {0x30}, {0x30, 0x80}, []byte("hello"), {0xfe, 0xed}} {
		if got := DetectFormat(junk); got != FormatUnknown {
			t.Errorf("%q detected as %s", junk, got)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"JKS": FormatJKS, "jks": FormatJKS, "CaseExactJKS": FormatJKS, "JCEKS": FormatJCEKS,
		"PKCS12": FormatPKCS12, "pkcs12": FormatPKCS12, "PKCS#12": FormatPKCS12, "PEM": FormatPEM} {
		if got, ok := ParseFormat(in); !ok || got != want {
			t.Errorf("ParseFormat(%q) = %s %v", in, got, ok)
		}
	}
	for _, in := range []string{"BKS", "Windows-MY", ""} {
		if _, ok := ParseFormat(in); ok {
			t.Errorf("ParseFormat(%q) accepted", in)
		}
	}
}
