package security

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// expirySoon is how early an approaching expiry is mentioned.
const expirySoon = 30 * 24 * time.Hour

// checkMaterial records what an administrator should know about loaded
// material: validity dates, names, chain, key file permissions.
func checkMaterial(m *KeyMaterial, s *Settings, l *diag.List, now time.Time) {
	n := s.names()
	leaf := m.Leaf()
	subject := n.Keystore
	if m.Format == FormatPEM && s.Keystore == "" {
		subject = n.Certificates
	}
	checkValidity(leaf, m.Source, s.Origin, subject, l, now)
	if s.Hostname != "" {
		if err := leaf.VerifyHostname(s.Hostname); err != nil {
			l.Warnf(s.Origin, n.Hostname, "the certificate in %s does not cover %q (its names: %s): clients connecting to %s will warn or refuse",
				m.Source, s.Hostname, strings.Join(certNames(leaf), ", "), s.Hostname)
		}
	}
	checkChain(m, s.Origin, subject, l, now)
	keySubject := n.Keystore
	if s.Keystore == "" {
		keySubject = n.PrivateKey
		if s.PrivateKey == "" {
			keySubject = n.Certificates
		}
	}
	checkKeyFilePermissions(m.keyFile, s, keySubject, l)
}

func checkValidity(c *x509.Certificate, source string, pos diag.Pos, subject string, l *diag.List, now time.Time) {
	day := "2006-01-02"
	switch {
	case now.After(c.NotAfter):
		l.Warnf(pos, subject, "the certificate in %s (%s) expired on %s, %s ago: clients will refuse it; renew it",
			source, c.Subject.String(), c.NotAfter.UTC().Format(day), days(now.Sub(c.NotAfter)))
	case now.Before(c.NotBefore):
		l.Warnf(pos, subject, "the certificate in %s (%s) is not valid before %s: clients will refuse it until then (is the clock right?)",
			source, c.Subject.String(), c.NotBefore.UTC().Format(time.RFC3339))
	case c.NotAfter.Sub(now) < expirySoon:
		l.Infof(pos, subject, "the certificate in %s expires on %s, in %s",
			source, c.NotAfter.UTC().Format(day), days(c.NotAfter.Sub(now)))
	}
}

// checkChain verifies the served chain against the system roots plus any
// self-signed certificate the file itself provides.
func checkChain(m *KeyMaterial, pos diag.Pos, subject string, l *diag.List, now time.Time) {
	leaf := m.Leaf()
	if isSelfSigned(leaf) {
		l.Warnf(pos, subject, "the certificate in %s is self-signed: mail clients will ask users to trust it, or refuse", m.Source)
		return
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	inter := x509.NewCertPool()
	for _, der := range m.Certificate.Certificate[1:] {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		if isSelfSigned(c) {
			roots.AddCert(c)
		} else {
			inter.AddCert(c)
		}
	}
	_, err = leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert == leaf {
		return // the dates are reported already
	}
	if err != nil {
		l.Warnf(pos, subject, "the certificate chain in %s does not verify (%v): clients that do not trust %q will warn; add the missing intermediate certificates, or have clients trust the issuer",
			m.Source, err, leaf.Issuer.String())
	}
}

// checkKeyFilePermissions warns, as OpenSMTPD and stunnel do, when the file
// holding the private key is open to group or others; with strict
// permissions it refuses.
func checkKeyFilePermissions(path string, s *Settings, subject string, l *diag.List) {
	if path == "" || runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		return // it was just read; a vanished file shows at the next reload
	}
	mode := fi.Mode().Perm()
	if mode&0o077 == 0 {
		return
	}
	msg := fmt.Sprintf("private key file %s is accessible by group or others (mode %04o): run chmod 600 %s", path, mode, path)
	if s.StrictPermissions {
		l.Errorf(s.Origin, s.names().Permissions, "%s (refused because strict permissions are on)", msg)
		return
	}
	l.Warnf(s.Origin, subject, "%s", msg)
}

// certNames lists the names a certificate covers: DNS and IP SANs, or
// the subject CN when it has none.
func certNames(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, "CN="+c.Subject.CommonName)
	}
	if len(names) == 0 {
		names = append(names, "none")
	}
	return names
}

// days renders a duration in whole days: "1 day", "12 days".
func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
