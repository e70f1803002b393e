package security

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/hedwigmail/hedwig/internal/atomicfile"
	"io/fs"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// GenerateSelfSigned creates an ECDSA P-256 key and a self-signed
// certificate for hosts (DNS names or IP addresses; the first is also the
// subject CN), valid for validity from now, and writes them as PEM to
// certPath and keyPath with mode 0600. It refuses to overwrite either file
// and writes each atomically (temporary file, then link into place), so a
// crash leaves no half-written file.
func GenerateSelfSigned(certPath, keyPath string, hosts []string, validity time.Duration) error {
	if len(hosts) == 0 || strings.TrimSpace(hosts[0]) == "" {
		return errors.New("self-signed certificate: no host name given")
	}
	if validity <= 0 {
		return fmt.Errorf("self-signed certificate: validity %s is not positive", validity)
	}
	for _, p := range []string{certPath, keyPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("self-signed certificate: %s already exists; not overwriting it", p)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: strings.TrimSpace(hosts[0])},
		NotBefore:             time.Now().Add(-time.Hour), // forgive clients whose clock is a little behind
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	cert, err := SignSelfSigned(key, tmpl, validity)
	if err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	der := cert.Raw
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeNewFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	if err := writeNewFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		os.Remove(keyPath) // do not leave a key without its certificate
		return err
	}
	return nil
}

// EnsureSelfSigned creates the self-signed pair with GenerateSelfSigned
// unless both files exist already; created says whether it did. One file
// without the other is an error: something is wrong that a new key would
// hide.
func EnsureSelfSigned(certPath, keyPath string, hosts []string, validity time.Duration) (created bool, err error) {
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		return false, nil
	case certErr == nil:
		return false, fmt.Errorf("%s exists but its key %s does not: restore the key or remove the certificate", certPath, keyPath)
	case keyErr == nil:
		return false, fmt.Errorf("%s exists but its certificate %s does not: restore the certificate or remove the key", keyPath, certPath)
	case !errors.Is(certErr, fs.ErrNotExist):
		return false, certErr
	case !errors.Is(keyErr, fs.ErrNotExist):
		return false, keyErr
	}
	if err := GenerateSelfSigned(certPath, keyPath, hosts, validity); err != nil {
		return false, err
	}
	return true, nil
}

// writeNewFile writes a key or certificate file (mode 0600) that must not
// exist yet; it appears complete or not at all.
func writeNewFile(path string, data []byte) error {
	return atomicfile.WriteNewFile(path, data, 0o600)
}

// SignSelfSigned signs tmpl with its own key. It fills in what every
// self-signed certificate hedwig makes shares — a random positive serial,
// NotBefore (now, unless tmpl sets it), NotAfter (now + validity), and
// the subject key identifier — so that `hedwig keytool -genkeypair` and the
// first start of the shipped configuration make their certificates the
// same way.
func SignSelfSigned(key crypto.Signer, tmpl *x509.Certificate, validity time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	t := *tmpl
	t.SerialNumber = serial.Add(serial, big.NewInt(1)) // never zero
	now := time.Now().Truncate(time.Second)
	if t.NotBefore.IsZero() {
		t.NotBefore = now
	}
	t.NotAfter = now.Add(validity)
	if t.SubjectKeyId == nil {
		t.SubjectKeyId = SubjectKeyID(key.Public())
	}
	der, err := x509.CreateCertificate(rand.Reader, &t, &t, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// SubjectKeyID is RFC 5280's method 1: the SHA-1 of the subject public key
// bits.
func SubjectKeyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	var spki struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil
	}
	sum := sha1.Sum(spki.Key.Bytes)
	return sum[:]
}
