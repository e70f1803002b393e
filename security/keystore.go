package security

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hedwigmail/hedwig/security/javaks"
	"github.com/hedwigmail/hedwig/security/keycrypt"
)

// Keystore is the content of a key or certificate file of any supported
// format, decoded but with private keys still protected. It is the common
// ground of the server loader, the truststore loader and `hedwig keytool`.
type Keystore struct {
	Format  Format
	Keys    []KeyEntry
	Trusted []TrustedEntry
	// Certificates are PEM or DER certificates not bound to a key entry;
	// the loader pairs them with a PEM key.
	Certificates []*x509.Certificate
}

// KeyEntry is one private key with its certificate chain, leaf first. A
// PEM key has no chain of its own.
type KeyEntry struct {
	Alias string
	Chain []*x509.Certificate
	// Encryption names how the key is protected, e.g. "DES-EDE3-CBC" or
	// "PBES2 (PBKDF2 with hmacWithSHA256, AES-256-CBC)"; "" when it is not
	// protected separately from the file.
	Encryption string

	decrypt func(password string) (crypto.PrivateKey, error)
}

// TrustedEntry is a certificate trusted on its own, such as a CA root in a
// truststore (keytool's trustedCertEntry).
type TrustedEntry struct {
	Alias       string
	Certificate *x509.Certificate
}

// Decrypt returns the entry's private key, decrypting it with password for
// formats that protect each key (JKS, JCEKS, encrypted PEM). PKCS#12 keys
// were decrypted with the store password when the file was opened, and
// password is ignored for them.
func (e *KeyEntry) Decrypt(password string) (crypto.Signer, error) {
	if e.decrypt == nil {
		return nil, fmt.Errorf("key entry %q has no key", e.Alias)
	}
	k, err := e.decrypt(password)
	if err != nil {
		switch {
		case errors.Is(err, keycrypt.ErrNoPassword):
			return nil, &PasswordError{Alias: e.Alias, Missing: true, Err: err}
		case errors.Is(err, keycrypt.ErrWrongPassword):
			return nil, &PasswordError{Alias: e.Alias, Err: err}
		}
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key entry %q: a %T cannot sign TLS handshakes", e.Alias, k)
	}
	return signer, nil
}

// PasswordError reports a password that did not open a file or a key, or
// one that is missing.
type PasswordError struct {
	Store   bool   // the store password (else a key password)
	Alias   string // the key entry, for key passwords
	Missing bool   // no password was given
	Err     error
}

func (e *PasswordError) Error() string {
	what := "key password"
	if e.Store {
		what = "store password"
	} else if e.Alias != "" {
		what = fmt.Sprintf("key password for alias %q", e.Alias)
	}
	if e.Missing {
		return what + " is required but none was given"
	}
	return what + " is wrong"
}

func (e *PasswordError) Unwrap() error { return e.Err }

// MultipleKeysError is returned when a file that may hold one key holds
// more. The wording is Hedwig's and James's own.
type MultipleKeysError struct {
	Aliases []string
}

func (e *MultipleKeysError) Error() string {
	return fmt.Sprintf("only one certificate/private key is allowed, but there are %d private keys (aliases: %s)",
		len(e.Aliases), strings.Join(e.Aliases, ", "))
}

// ReadKeystore reads and decodes the file at path. format may be
// FormatUnknown to detect it from the content.
func ReadKeystore(path string, format Format, storePass string) (*Keystore, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ks, err := DecodeKeystore(data, format, storePass)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// DecodeKeystore decodes data as format, or as the format DetectFormat
// finds when format is FormatUnknown. storePass opens the container: the
// JKS/JCEKS integrity digest (not checked when empty, as Java does) and the
// PKCS#12 MAC and encryption. PEM and DER files have no store password.
func DecodeKeystore(data []byte, format Format, storePass string) (*Keystore, error) {
	if format == FormatUnknown {
		format = DetectFormat(data)
	}
	switch format {
	case FormatJKS, FormatJCEKS:
		return decodeJavaKeystore(data, storePass)
	case FormatPKCS12:
		return decodePKCS12(data, storePass)
	case FormatPEM:
		return decodePEM(data)
	case FormatDER:
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("not a DER certificate: %w", err)
		}
		return &Keystore{Format: FormatDER, Certificates: []*x509.Certificate{c}}, nil
	}
	return nil, errors.New("not a JKS, JCEKS, PKCS#12, PEM or DER file")
}

func decodeJavaKeystore(data []byte, storePass string) (*Keystore, error) {
	jks, err := javaks.Decode(data)
	if err != nil {
		return nil, err
	}
	if storePass != "" {
		if err := jks.Verify(storePass); err != nil {
			return nil, &PasswordError{Store: true, Err: err}
		}
	}
	ks := &Keystore{Format: FormatJKS}
	if jks.Type == javaks.JCEKS {
		ks.Format = FormatJCEKS
	}
	for _, e := range jks.Entries {
		switch e.Kind {
		case javaks.PrivateKeyEntry:
			e := e
			alg, err := keycrypt.PKCS8Algorithm(e.ProtectedKey)
			if err != nil {
				alg = "unknown protection"
			}
			ks.Keys = append(ks.Keys, KeyEntry{
				Alias:      e.Alias,
				Chain:      e.Chain,
				Encryption: alg,
				decrypt:    func(pw string) (crypto.PrivateKey, error) { return e.DecryptKey(pw) },
			})
		case javaks.TrustedCertEntry:
			ks.Trusted = append(ks.Trusted, TrustedEntry{Alias: e.Alias, Certificate: e.Chain[0]})
		}
	}
	return ks, nil
}

// aliases lists the aliases of ks's key entries.
func (ks *Keystore) keyAliases() []string {
	out := make([]string, len(ks.Keys))
	for i, k := range ks.Keys {
		out[i] = k.Alias
	}
	return out
}
