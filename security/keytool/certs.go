package keytool

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hedwigmail/hedwig/security"
)

// readCertificates decodes a certificate file as keytool accepts one: PEM
// (any number of certificates), DER, or a PKCS#7 chain (.p7b, PEM or
// DER), which CAs often send as their reply.
func readCertificates(data []byte) ([]*x509.Certificate, error) {
	if certs, err := parsePKCS7Certificates(data); err == nil {
		return certs, nil
	}
	if block, _ := pem.Decode(data); block != nil && (block.Type == "PKCS7" || block.Type == "CERTIFICATE CHAIN") {
		certs, err := parsePKCS7Certificates(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#7 certificate chain: %w (convert it with `openssl pkcs7 -print_certs`)", err)
		}
		return certs, nil
	}
	ks, err := security.DecodeKeystore(data, security.FormatUnknown, "")
	if err != nil {
		return nil, err
	}
	switch ks.Format {
	case security.FormatPEM, security.FormatDER:
	default:
		return nil, fmt.Errorf("this is a %s keystore, not a certificate file: use -importkeystore", ks.Format)
	}
	if len(ks.Certificates) == 0 {
		return nil, errors.New("no certificate in the file")
	}
	return ks.Certificates, nil
}

// readCertificateFile reads -file, or standard input when path is "".
func (r *run) readCertificateFile(path string) ([]*x509.Certificate, string, error) {
	var data []byte
	var err error
	name := path
	if path == "" {
		name = "standard input"
		var buf bytes.Buffer
		_, err = buf.ReadFrom(r.console.in)
		data = buf.Bytes()
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, name, fmt.Errorf("read certificate file: %w", err)
	}
	certs, err := readCertificates(data)
	if err != nil {
		return nil, name, fmt.Errorf("%s: %w", name, err)
	}
	return certs, name, nil
}

var (
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

type pkcs7ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit"`
}

type pkcs7SignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	ContentInfo      asn1.RawValue
	Certificates     asn1.RawValue `asn1:"tag:0,optional"`
	Rest             asn1.RawValue `asn1:"optional"` // CRLs, signer infos
}

// parsePKCS7Certificates reads the certificates of a DER PKCS#7
// SignedData, the "certs-only" chain format.
func parsePKCS7Certificates(der []byte) ([]*x509.Certificate, error) {
	var ci pkcs7ContentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, errors.New("not PKCS#7 signed data")
	}
	var sd pkcs7SignedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, err
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("the PKCS#7 structure holds no certificate")
	}
	return certs, nil
}

// samePublicKey compares two public keys.
func samePublicKey(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

// isSelfSigned reports whether c names itself as issuer and its own key
// verifies its signature.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// issuerIn finds the certificate of pool that signed c.
func issuerIn(c *x509.Certificate, pool []*x509.Certificate) *x509.Certificate {
	for _, p := range pool {
		if bytes.Equal(p.RawSubject, c.RawIssuer) && !p.Equal(c) && c.CheckSignatureFrom(p) == nil {
			return p
		}
	}
	// CheckSignatureFrom refuses issuers that are not marked as CAs (old
	// v1 roots); keytool accepts a plain signature check for those.
	for _, p := range pool {
		if bytes.Equal(p.RawSubject, c.RawIssuer) && !p.Equal(c) && p.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			return p
		}
	}
	return nil
}

// chainFrom follows leaf's issuers through pool up to a self-signed
// certificate or as far as pool allows.
func chainFrom(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain := []*x509.Certificate{leaf}
	for cur := leaf; !isSelfSigned(cur) && len(chain) <= len(pool); {
		next := issuerIn(cur, pool)
		if next == nil || contains(chain, next) {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain
}

func contains(certs []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range certs {
		if x.Equal(c) {
			return true
		}
	}
	return false
}

// defaultCertAlias names a certificate without a name: its CN, lower case.
func defaultCertAlias(c *x509.Certificate) string {
	if cn := strings.TrimSpace(c.Subject.CommonName); cn != "" {
		return strings.ToLower(cn)
	}
	return "cert"
}

// uniqueAlias returns base, or base-2, base-3... if taken (used holds
// lower-case aliases).
func uniqueAlias(used map[string]bool, base string) string {
	if !used[strings.ToLower(base)] {
		return base
	}
	for i := 2; ; i++ {
		a := fmt.Sprintf("%s-%d", base, i)
		if !used[strings.ToLower(a)] {
			return a
		}
	}
}

// systemRootFiles are where Linux and BSD distributions keep the CA
// bundle (the list Go's crypto/x509 reads).
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// systemRoots reads the system CA bundle for -trustcacerts, the JDK's
// cacerts counterpart.
func systemRoots() ([]*x509.Certificate, string) {
	for _, f := range systemRootFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var certs []*x509.Certificate
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				certs = append(certs, c)
			}
		}
		if len(certs) > 0 {
			return certs, f
		}
	}
	return nil, ""
}
