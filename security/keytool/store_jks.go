package keytool

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// saveJKS writes a JKS keystore with keystore-go. It starts from the file
// as read, so key entries that were not changed keep their protected keys
// (and their own key passwords) without being decrypted, as the JDK does.
func (s *keystore) saveJKS() error {
	if s.pass == "" {
		return errors.New("the keystore password is required to write a JKS keystore")
	}
	ks := jks.New(jks.WithOrderedAliases())
	if s.raw != nil {
		if err := ks.Load(bytes.NewReader(s.raw), []byte(s.pass)); err != nil {
			return fmt.Errorf("re-read %s: %w", s.path, err)
		}
	}
	for _, a := range s.deleted {
		ks.DeleteEntry(a)
	}
	for _, e := range s.entries {
		if !e.dirty {
			continue
		}
		ks.DeleteEntry(e.alias)
		switch e.kind {
		case trustedEntry:
			err := ks.SetTrustedCertificateEntry(e.alias, jks.TrustedCertificateEntry{
				CreationTime: e.created,
				Certificate:  jksCertificate(e.cert()),
			})
			if err != nil {
				return fmt.Errorf("alias %q: %w", e.alias, err)
			}
		case keyEntry:
			if e.key == nil {
				return fmt.Errorf("alias %q: the key is locked", e.alias)
			}
			der, err := x509.MarshalPKCS8PrivateKey(e.key)
			if err != nil {
				return fmt.Errorf("alias %q: %w", e.alias, err)
			}
			pass := e.keyPass
			if pass == "" {
				pass = s.pass
			}
			pke := jks.PrivateKeyEntry{CreationTime: e.created, PrivateKey: der}
			for _, c := range e.chain {
				pke.CertificateChain = append(pke.CertificateChain, jksCertificate(c))
			}
			if err := ks.SetPrivateKeyEntry(e.alias, pke, []byte(pass)); err != nil {
				return fmt.Errorf("alias %q: %w", e.alias, err)
			}
		}
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, []byte(s.pass)); err != nil {
		return err
	}
	return writeFileAtomic(s.path, buf.Bytes())
}

func jksCertificate(c *x509.Certificate) jks.Certificate {
	return jks.Certificate{Type: "X.509", Content: c.Raw}
}
