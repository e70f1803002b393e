package security

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"strings"
)

// oidEmailAddress is PKCS#9 emailAddress, the old way of putting a mail
// address in a certificate's subject.
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// UserFromCertificate maps a client certificate to a user name for SASL
// EXTERNAL and relay decisions: the first rfc822Name SAN, else the
// emailAddress attribute of the subject, else the subject CN. ok is false
// when the certificate names nobody. Call it only for a verified
// certificate (see VerifiedUser).
func UserFromCertificate(cert *x509.Certificate) (string, bool) {
	if cert == nil {
		return "", false
	}
	for _, e := range cert.EmailAddresses {
		if e = strings.TrimSpace(e); e != "" {
			return e, true
		}
	}
	for _, atv := range cert.Subject.Names {
		if atv.Type.Equal(oidEmailAddress) {
			if s, ok := atv.Value.(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s), true
			}
		}
	}
	if cn := strings.TrimSpace(cert.Subject.CommonName); cn != "" {
		return cn, true
	}
	return "", false
}

// VerifiedUser returns the user of a connection's client certificate,
// only if crypto/tls verified it against the truststore.
func VerifiedUser(cs tls.ConnectionState) (string, bool) {
	if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
		return "", false
	}
	return UserFromCertificate(cs.VerifiedChains[0][0])
}
