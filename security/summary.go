package security

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Summary describes loaded key material for `hedwig check` and the admin
// page.
type Summary struct {
	Source      string // file(s) read
	Format      string // JKS, JCEKS, PKCS12, PEM
	Alias       string // keystore alias, if any
	Subject     string
	SANs        []string // DNS names and IP addresses
	Issuer      string
	NotBefore   time.Time
	NotAfter    time.Time
	KeyType     string // "RSA 2048", "ECDSA P-256"
	Encryption  string // how the key was protected on disk
	ChainLength int
	SelfSigned  bool
	SHA256      string // fingerprint of the leaf, colon-separated hex
}

// Summary describes m.
func (m *KeyMaterial) Summary() Summary {
	leaf := m.Leaf()
	var sans []string
	sans = append(sans, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		sans = append(sans, ip.String())
	}
	sum := sha256.Sum256(leaf.Raw)
	return Summary{
		Source:      m.Source,
		Format:      m.Format.String(),
		Alias:       m.Alias,
		Subject:     leaf.Subject.String(),
		SANs:        sans,
		Issuer:      leaf.Issuer.String(),
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		KeyType:     keyDescription(leaf.PublicKey),
		Encryption:  m.Encryption,
		ChainLength: len(m.Certificate.Certificate),
		SelfSigned:  isSelfSigned(leaf),
		SHA256:      colonHex(sum[:]),
	}
}

// String renders the summary on one line.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s", s.Source, s.Format)
	if s.Alias != "" {
		fmt.Fprintf(&b, ", alias %q", s.Alias)
	}
	fmt.Fprintf(&b, "): %s, %s", s.Subject, s.KeyType)
	if len(s.SANs) > 0 {
		fmt.Fprintf(&b, ", names %s", strings.Join(s.SANs, " "))
	}
	if s.SelfSigned {
		b.WriteString(", self-signed")
	} else {
		fmt.Fprintf(&b, ", issued by %s", s.Issuer)
	}
	fmt.Fprintf(&b, ", valid %s to %s", s.NotBefore.UTC().Format("2006-01-02"), s.NotAfter.UTC().Format("2006-01-02"))
	return b.String()
}

func colonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	parts := make([]string, 0, len(b))
	for i := 0; i+2 <= len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}
