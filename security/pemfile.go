package security

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/hedwigmail/hedwig/security/keycrypt"
)

// decodePEM reads every certificate and private key in a PEM file. Keys
// stay encrypted until KeyEntry.Decrypt; other blocks (EC PARAMETERS, CSRs,
// CRLs) are skipped, and text around the blocks is ignored, as OpenSSL does.
func decodePEM(data []byte) (*Keystore, error) {
	ks := &Keystore{Format: FormatPEM}
	rest := data
	blocks := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks++
		switch b.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			c, err := parsePEMCertificate(b)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %w", blocks, b.Type, err)
			}
			ks.Certificates = append(ks.Certificates, c)
		case "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			e, err := pemKeyEntry(b, fmt.Sprintf("key %d", len(ks.Keys)+1))
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %w", blocks, b.Type, err)
			}
			ks.Keys = append(ks.Keys, e)
		case "DSA PRIVATE KEY":
			return nil, fmt.Errorf("PEM block %d: DSA keys cannot be used for TLS here: make an RSA or EC key", blocks)
		case "OPENSSH PRIVATE KEY":
			return nil, fmt.Errorf("PEM block %d: an OpenSSH key is not a TLS key: convert it with `ssh-keygen -p -m PEM`, or make one with openssl", blocks)
		}
	}
	if blocks == 0 {
		return nil, errors.New("no PEM block could be decoded (damaged armour or base64?)")
	}
	return ks, nil
}

// parsePEMCertificate parses a certificate block. OpenSSL's "TRUSTED
// CERTIFICATE" appends trust settings after the certificate; only the
// certificate is kept.
func parsePEMCertificate(b *pem.Block) (*x509.Certificate, error) {
	der := b.Bytes
	if b.Type == "TRUSTED CERTIFICATE" {
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(der, &raw); err != nil {
			return nil, err
		}
		der = raw.FullBytes
	}
	return x509.ParseCertificate(der)
}

// pemKeyEntry wraps one key block, noting how it is encrypted.
func pemKeyEntry(b *pem.Block, alias string) (KeyEntry, error) {
	e := KeyEntry{Alias: alias}
	switch {
	case keycrypt.IsLegacyEncrypted(b):
		e.Encryption = keycrypt.LegacyCipher(b)
		if e.Encryption == "" {
			return e, errors.New(`"Proc-Type: 4,ENCRYPTED" without a DEK-Info header`)
		}
	case b.Type == "ENCRYPTED PRIVATE KEY":
		alg, err := keycrypt.PKCS8Algorithm(b.Bytes)
		if err != nil {
			return e, err
		}
		e.Encryption = alg
	}
	e.decrypt = func(password string) (crypto.PrivateKey, error) { return parsePEMKey(b, password) }
	return e, nil
}

// parsePEMKey decrypts (if needed) and parses a key block: PKCS#1 RSA,
// SEC 1 EC, PKCS#8, each possibly in OpenSSL's legacy encryption, or
// encrypted PKCS#8.
func parsePEMKey(b *pem.Block, password string) (crypto.PrivateKey, error) {
	der := b.Bytes
	encrypted := false
	switch {
	case keycrypt.IsLegacyEncrypted(b):
		plain, err := keycrypt.DecryptLegacyPEM(b, password)
		if err != nil {
			return nil, err
		}
		der, encrypted = plain, true
	case b.Type == "ENCRYPTED PRIVATE KEY":
		plain, err := keycrypt.DecryptPKCS8(b.Bytes, password)
		if err != nil {
			return nil, err
		}
		der, encrypted = plain, true
	}
	key, err := parseKeyDER(b.Type, der)
	if err != nil && encrypted {
		// Decryption "worked" by chance but produced no key.
		return nil, keycrypt.ErrWrongPassword
	}
	return key, err
}

// parseKeyDER parses DER of the kind the block type announces, falling
// back to the other encodings for mislabelled blocks.
func parseKeyDER(blockType string, der []byte) (crypto.PrivateKey, error) {
	var first error
	try := []func([]byte) (crypto.PrivateKey, error){
		func(d []byte) (crypto.PrivateKey, error) { return x509.ParsePKCS8PrivateKey(d) },
		func(d []byte) (crypto.PrivateKey, error) { return x509.ParsePKCS1PrivateKey(d) },
		func(d []byte) (crypto.PrivateKey, error) { return x509.ParseECPrivateKey(d) },
	}
	switch blockType {
	case "RSA PRIVATE KEY":
		try[0], try[1] = try[1], try[0]
	case "EC PRIVATE KEY":
		try[0], try[2] = try[2], try[0]
	}
	for _, f := range try {
		k, err := f(der)
		if err == nil {
			return k, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}
