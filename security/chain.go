package security

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// publicKeyOf returns the public half of a private key, or nil.
func publicKeyOf(key crypto.PrivateKey) crypto.PublicKey {
	if s, ok := key.(crypto.Signer); ok {
		return s.Public()
	}
	return nil
}

// buildChain finds the certificate in certs whose public key is pub and
// follows its issuers through certs: the chain a server sends, leaf first.
// Certificates that are not part of it are returned as unused.
func buildChain(pub crypto.PublicKey, certs []*x509.Certificate) (chain, unused []*x509.Certificate) {
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil, certs
	}
	var leaf *x509.Certificate
	for _, c := range certs {
		if eq.Equal(c.PublicKey) {
			leaf = c
			break
		}
	}
	if leaf == nil {
		return nil, certs
	}
	chain = []*x509.Certificate{leaf}
	used := map[*x509.Certificate]bool{leaf: true}
	for cur := leaf; !isSelfSigned(cur) && len(chain) < len(certs); {
		next := issuerOf(cur, certs, used)
		if next == nil {
			break
		}
		chain = append(chain, next)
		used[next] = true
		cur = next
	}
	for _, c := range certs {
		if !used[c] {
			unused = append(unused, c)
		}
	}
	return chain, unused
}

func issuerOf(c *x509.Certificate, certs []*x509.Certificate, used map[*x509.Certificate]bool) *x509.Certificate {
	for _, p := range certs {
		if used[p] || !bytes.Equal(p.RawSubject, c.RawIssuer) {
			continue
		}
		if p.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			return p
		}
	}
	return nil
}

// isSelfSigned reports whether c names itself as issuer and its own key
// verifies its signature.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// keyDescription says what kind of key pub is: "RSA 2048", "ECDSA P-256".
func keyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
