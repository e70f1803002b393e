package security

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// fromPEM loads the PEM pair: certificates and private key files, either
// of which may also hold the other part (a combined file).
func (ld *loader) fromPEM() *KeyMaterial {
	s, n := ld.s, ld.n
	var certPath, keyPath string
	var certData, keyData []byte
	ok := true
	if s.Certificates != "" {
		var good bool
		certPath, certData, good = ld.read(n.Certificates, s.Certificates)
		ok = ok && good
	}
	if s.PrivateKey != "" {
		var good bool
		keyPath, keyData, good = ld.read(n.PrivateKey, s.PrivateKey)
		ok = ok && good
	}
	if !ok {
		return nil
	}
	return ld.fromPEMFiles(certPath, certData, keyPath, keyData, n.Certificates, n.PrivateKey)
}

// fromPEMFiles pairs the key found in keyData (or, with no key file, in
// certData) with the certificates of both files.
func (ld *loader) fromPEMFiles(certPath string, certData []byte, keyPath string, keyData []byte, certName, keyName string) *KeyMaterial {
	s := ld.s
	certKS := ld.decodePEMFile(certName, certPath, certData)
	keyKS := certKS
	if keyPath != certPath {
		keyKS = ld.decodePEMFile(keyName, keyPath, keyData)
	}
	if (certPath != "" && certKS == nil) || (keyPath != "" && keyKS == nil) {
		return nil
	}
	if certPath == "" {
		certPath, certKS, certName = keyPath, keyKS, keyName
	}
	if keyPath == "" {
		keyPath, keyKS, keyName = certPath, certKS, certName
	}

	certs := certKS.Certificates
	if keyKS != certKS {
		certs = append(append([]*x509.Certificate(nil), certs...), keyKS.Certificates...)
	}
	switch len(keyKS.Keys) {
	case 0:
		hint := ""
		if keyPath == certPath {
			hint = fmt.Sprintf(": set %s to the key file", ld.n.PrivateKey)
		}
		ld.l.Errorf(s.Origin, keyName, "no private key found in %s (%s)%s", keyPath, describeCerts(keyKS.Certificates), hint)
		return nil
	case 1:
	default:
		ld.l.Errorf(s.Origin, keyName, "%s: %v", keyPath, &MultipleKeysError{Aliases: keyKS.keyAliases()})
		return nil
	}
	if len(certs) == 0 {
		ld.l.Errorf(s.Origin, certName, "no certificate found in %s: set %s to the PEM file with the server's certificate chain",
			certPath, ld.n.Certificates)
		return nil
	}

	entry := keyKS.Keys[0]
	// The key's password: Secret (James), else a keystore-style password
	// (Hedwig's tls_keypass or tls_storepass naming a PEM file).
	secret, secretName := s.Secret, ld.n.Secret
	switch {
	case secret != "":
	case s.KeyPass != "":
		secret, secretName = s.KeyPass, ld.n.KeyPass
	case s.StorePass != "":
		secret, secretName = s.StorePass, ld.n.StorePass
	}
	key, err := entry.Decrypt(secret)
	var pe *PasswordError
	switch {
	case errors.As(err, &pe) && pe.Missing:
		ld.l.Errorf(s.Origin, ld.n.Secret, "private key %s is encrypted (%s) and no %s is configured: set %s to its password, or store it unencrypted with `openssl pkey -in %s -out %s.nopass` and chmod 600",
			keyPath, entry.Encryption, ld.n.Secret, ld.n.Secret, keyPath, strings.TrimSuffix(keyPath, ".key"))
		return nil
	case errors.As(err, &pe):
		ld.l.Errorf(s.Origin, secretName, "wrong %s for private key %s (encrypted with %s): set %s to the password the key was encrypted with",
			secretName, keyPath, entry.Encryption, secretName)
		return nil
	case err != nil:
		ld.l.Errorf(s.Origin, keyName, "private key %s cannot be used: %v", keyPath, err)
		return nil
	}
	if secret != "" && entry.Encryption == "" {
		ld.l.Infof(s.Origin, secretName, "%s is set but private key %s is not encrypted; the password is not needed", secretName, keyPath)
	}

	chain, unused := buildChain(key.Public(), certs)
	if chain == nil {
		ld.l.Errorf(s.Origin, keyName, "private key %s does not belong to any certificate in %s (%s): the key and certificate files do not match",
			keyPath, certPath, describeCerts(certs))
		return nil
	}
	for _, c := range unused {
		ld.l.Infof(s.Origin, certName, "certificate %q in %s is not in the chain of the key's certificate; it is not sent",
			c.Subject.String(), certPath)
	}
	entry.Chain = chain
	entry.Alias = "" // PEM has no aliases; "key 1" only served the messages
	source := certPath
	files := []string{certPath}
	if keyPath != certPath {
		source = certPath + " + " + keyPath
		files = append(files, keyPath)
	}
	return ld.material(FormatPEM, source, entry, key, files, keyPath)
}

// decodePEMFile decodes a file expected to be PEM, explaining what it is
// when it is a keystore instead.
func (ld *loader) decodePEMFile(name, path string, data []byte) *Keystore {
	if path == "" {
		return nil
	}
	switch f := DetectFormat(data); f {
	case FormatPEM:
	case FormatDER:
		ks, err := DecodeKeystore(data, FormatDER, "")
		if err == nil {
			return ks
		}
	case FormatJKS, FormatJCEKS, FormatPKCS12:
		ld.l.Errorf(ld.s.Origin, name, "%s is a %s keystore, not PEM: configure it as %s instead", path, f, ld.n.Keystore)
		return nil
	default:
		ld.l.Errorf(ld.s.Origin, name, "%s is not PEM: no -----BEGIN line", path)
		return nil
	}
	ks, err := decodePEM(data)
	if err != nil {
		ld.l.Errorf(ld.s.Origin, name, "%s: %v", path, err)
		return nil
	}
	return ks
}
