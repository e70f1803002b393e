package security

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/hedwigmail/hedwig/diag"
)

// LoadTruststore returns the certificates a truststore file trusts,
// whatever its format (declaredType may be empty; the content decides):
// JKS/JCEKS trusted-certificate entries plus the leaf of each key entry (as
// Java's trust manager does), PKCS#12 certificates marked trusted, or every
// certificate of a PEM bundle or DER file. password checks JKS integrity
// (skipped when empty, as Java does) and opens PKCS#12.
func LoadTruststore(path, declaredType, password string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	format := DetectFormat(data)
	if format == FormatUnknown {
		if f, ok := ParseFormat(declaredType); ok {
			format = f
		}
	}
	ks, err := DecodeKeystore(data, format, password)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, t := range ks.Trusted {
		certs = append(certs, t.Certificate)
	}
	for _, k := range ks.Keys {
		if len(k.Chain) > 0 {
			certs = append(certs, k.Chain[0])
		}
	}
	certs = append(certs, ks.Certificates...)
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificate in it (%s)", format)
	}
	return certs, nil
}

// loadTruststoreSetting loads s.Truststore into a pool, reporting problems.
func loadTruststoreSetting(s Settings, n SettingNames, l *diag.List) *x509.CertPool {
	path, err := s.Dirs.Resolve(s.Truststore)
	if err != nil {
		l.Errorf(s.Origin, n.Truststore, "%q is not a usable path: %v", s.Truststore, err)
		return nil
	}
	certs, err := LoadTruststore(path, s.TruststoreType, s.TruststoreSecret)
	var pe *PasswordError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		l.Errorf(s.Origin, n.Truststore, "truststore %s does not exist (%q): check the path", path, s.Truststore)
		return nil
	case errors.As(err, &pe) && pe.Missing:
		l.Errorf(s.Origin, n.TruststoreSecret, "truststore %s is password-protected and no password is configured: set %s", path, n.TruststoreSecret)
		return nil
	case errors.As(err, &pe):
		l.Errorf(s.Origin, n.TruststoreSecret, "wrong password for truststore %s: set %s to the password it was created with", path, n.TruststoreSecret)
		return nil
	case err != nil:
		l.Errorf(s.Origin, n.Truststore, "cannot use truststore %s: %v", path, err)
		return nil
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}
