package keytool

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hedwigmail/hedwig/security"
)

// A PEM "keystore" is what stunnel, OpenSMTPD, Postfix and James's
// <privateKey>/<certificates> use: a certificate file (the chain, leaf
// first) and a key file beside it. -keystore names the certificate file;
// the key file has the same name ending in .key (server.crt, server.key).
// It holds one key; any other certificate in the file is listed as a
// trusted entry. The key is written unencrypted, mode 0600, because a
// server must read it unattended (seed 003's point); encrypted keys are
// read with -keypass.

// pemPaths returns the certificate and key file paths for -keystore path.
func pemPaths(path string) (certPath, keyPath string) {
	ext := strings.ToLower(filepath.Ext(path))
	stem := strings.TrimSuffix(path, filepath.Ext(path))
	switch ext {
	case ".key":
		return stem + ".crt", path
	case ".pem", ".crt", ".cer", ".cert":
		return path, stem + ".key"
	}
	return path, path + ".key"
}

// pemAlias is the alias of a PEM pair's key entry: the file's base name.
func pemAlias(keyPath string) string {
	base := filepath.Base(keyPath)
	return normalizeAlias(strings.TrimSuffix(base, filepath.Ext(base)))
}

func (s *keystore) decodePEM() error {
	var certs []*x509.Certificate
	var keys []security.KeyEntry
	for _, p := range []string{s.path, s.keyPath} {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if f := security.DetectFormat(data); f != security.FormatPEM {
			return fmt.Errorf("%s is %s, not PEM", p, f)
		}
		ks, err := security.DecodeKeystore(data, security.FormatPEM, "")
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if p == s.path && len(ks.Keys) > 0 {
			s.inlineKey = keyBlocks(data)
		}
		for _, c := range ks.Certificates {
			if !contains(certs, c) {
				certs = append(certs, c)
			}
		}
		keys = append(keys, ks.Keys...)
	}
	if len(keys) > 1 {
		return fmt.Errorf("%d private keys in %s and %s: a PEM pair holds one", len(keys), s.path, s.keyPath)
	}
	used := map[string]bool{}
	var chain []*x509.Certificate
	if len(keys) == 1 {
		k := keys[0]
		e := &entry{alias: pemAlias(s.keyPath), kind: keyEntry, unlock: k.Decrypt}
		used[e.alias] = true
		if k.Encryption == "" {
			key, err := k.Decrypt("")
			if err != nil {
				return fmt.Errorf("%s: %w", s.keyPath, err)
			}
			e.key = key
			for _, c := range certs {
				if samePublicKey(key.Public(), c.PublicKey) {
					chain = chainFrom(c, certs)
					break
				}
			}
			if chain == nil {
				return fmt.Errorf("the private key in %s matches no certificate in %s", s.keyPath, s.path)
			}
		} else if len(certs) > 0 {
			// Encrypted: the chain is the first certificate's until the
			// key is unlocked and checked against it.
			chain = chainFrom(certs[0], certs)
		}
		if len(chain) == 0 {
			return fmt.Errorf("no certificate for the private key in %s: %s holds none", s.keyPath, s.path)
		}
		e.chain = chain
		s.entries = append(s.entries, e)
	}
	for _, c := range certs {
		if contains(chain, c) {
			continue
		}
		alias := uniqueAlias(used, defaultCertAlias(c))
		used[strings.ToLower(alias)] = true
		s.entries = append(s.entries, &entry{alias: alias, kind: trustedEntry, chain: []*x509.Certificate{c}})
	}
	return nil
}

// savePEM writes the certificate file (the key's chain, then trusted
// certificates) and, when the key is new, the key file as unencrypted
// PKCS#8.
func (s *keystore) savePEM() error {
	keys := s.keyEntries()
	if len(keys) > 1 {
		return fmt.Errorf("a PEM pair holds one private key, not %d: choose one with -srcalias", len(keys))
	}
	var certs bytes.Buffer
	for _, e := range keys {
		for _, c := range e.chain {
			pem.Encode(&certs, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
	}
	for _, e := range s.entries {
		if e.kind == trustedEntry && (len(keys) == 0 || !contains(keys[0].chain, e.cert())) {
			pem.Encode(&certs, &pem.Block{Type: "CERTIFICATE", Bytes: e.cert().Raw})
		}
	}
	// A key read from the certificate file itself (a combined file) stays
	// there, as it was.
	certs.Write(s.inlineKey)
	if len(keys) == 1 && keys[0].dirty && keys[0].key != nil && keys[0].unlock == nil {
		der, err := x509.MarshalPKCS8PrivateKey(keys[0].key)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(s.keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
			return err
		}
	}
	return writeFileAtomic(s.path, certs.Bytes())
}

// keyBlocks returns the private key blocks of PEM data, re-encoded.
func keyBlocks(data []byte) []byte {
	var out bytes.Buffer
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out.Bytes()
		}
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			pem.Encode(&out, b)
		}
	}
}
