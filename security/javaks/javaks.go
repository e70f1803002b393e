// Package javaks reads Java's own keystore files: JKS (magic 0xFEEDFEED)
// and JCEKS (magic 0xCECECECE), the formats `keytool` wrote by default
// before JDK 9. Both share one container layout; they differ only in how
// private keys are protected, which package keycrypt undoes.
//
// Decoding never trusts a length from the file beyond the bytes present,
// so a damaged or hostile file costs at most its own size in memory.
package javaks

import (
	"crypto"
	"crypto/sha1"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/hedwigmail/hedwig/security/keycrypt"
)

// Magic numbers at the start of each format.
const (
	MagicJKS   = 0xFEEDFEED
	MagicJCEKS = 0xCECECECE
)

// Type is the flavour of Java keystore.
type Type int

const (
	JKS Type = iota + 1
	JCEKS
)

func (t Type) String() string {
	switch t {
	case JKS:
		return "JKS"
	case JCEKS:
		return "JCEKS"
	}
	return "unknown"
}

// Kind is what an entry holds.
type Kind int

const (
	PrivateKeyEntry Kind = iota + 1
	TrustedCertEntry
	SecretKeyEntry
)

func (k Kind) String() string {
	switch k {
	case PrivateKeyEntry:
		return "PrivateKeyEntry"
	case TrustedCertEntry:
		return "trustedCertEntry"
	case SecretKeyEntry:
		return "SecretKeyEntry"
	}
	return "unknown"
}

// Entry is one alias of a keystore.
type Entry struct {
	Alias   string
	Created time.Time
	Kind    Kind
	// Chain is the certificate chain of a private key entry, leaf first,
	// or the single certificate of a trusted certificate entry.
	Chain []*x509.Certificate
	// ProtectedKey is the private key as stored: a DER
	// EncryptedPrivateKeyInfo under Sun's JKS or JCEKS protection.
	ProtectedKey []byte
}

// DecryptKey undoes the key protection of a private key entry with
// password and parses the key inside.
func (e *Entry) DecryptKey(password string) (crypto.PrivateKey, error) {
	if e.Kind != PrivateKeyEntry {
		return nil, fmt.Errorf("alias %q is a %s, not a PrivateKeyEntry", e.Alias, e.Kind)
	}
	der, err := keycrypt.DecryptPKCS8(e.ProtectedKey, password)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if alg := keyAlgorithm(der); alg != "" {
			return nil, fmt.Errorf("alias %q holds a %s key, which cannot serve TLS here: create an RSA or EC key (keytool -genkeypair -keyalg RSA)", e.Alias, alg)
		}
		return nil, fmt.Errorf("alias %q: the decrypted key is not a PKCS#8 key Go can use: %w", e.Alias, err)
	}
	return key, nil
}

// keyAlgorithm names the algorithm of a PKCS#8 key Go does not parse, for
// the ones Java writes: DSA and Diffie-Hellman.
func keyAlgorithm(der []byte) string {
	var info struct {
		Version   int
		Algorithm pkix.AlgorithmIdentifier
		Key       []byte
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return ""
	}
	switch {
	case info.Algorithm.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}):
		return "DSA"
	case info.Algorithm.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 3, 1}):
		return "Diffie-Hellman"
	}
	return ""
}

// Keystore is a decoded JKS or JCEKS file.
type Keystore struct {
	Type    Type
	Version int
	Entries []Entry

	signed []byte // everything the integrity digest covers
	digest []byte
}

// ErrIntegrity means the keystore's integrity digest does not match the
// password: the store password is wrong, or the file was altered.
var ErrIntegrity = errors.New("keystore password was incorrect (the integrity check failed)")

// ErrSecretKey is returned for JCEKS files holding a secret-key entry. Such
// entries are Java-serialized objects; this package does not read them.
var ErrSecretKey = errors.New("the keystore holds a secret-key entry (a serialized Java object), which cannot be read")

// Verify checks the keystore's integrity digest with the store password.
// Java skips the check when no password is given; callers decide.
func (ks *Keystore) Verify(password string) error {
	h := sha1.New()
	h.Write(keycrypt.PasswordUTF16(password))
	h.Write([]byte("Mighty Aphrodite")) // Sun's whitening constant
	h.Write(ks.signed)
	if subtle.ConstantTimeCompare(h.Sum(nil), ks.digest) != 1 {
		return ErrIntegrity
	}
	return nil
}

// Aliases returns the aliases of the entries of kind k, in file order.
func (ks *Keystore) Aliases(k Kind) []string {
	var out []string
	for _, e := range ks.Entries {
		if e.Kind == k {
			out = append(out, e.Alias)
		}
	}
	return out
}

// Decode parses a JKS or JCEKS file. It does not check the integrity
// digest; call Verify for that.
func Decode(data []byte) (*Keystore, error) {
	r := &reader{buf: data}
	magic := r.uint32()
	ks := &Keystore{}
	switch magic {
	case MagicJKS:
		ks.Type = JKS
	case MagicJCEKS:
		ks.Type = JCEKS
	default:
		if r.err != nil {
			return nil, r.err
		}
		return nil, fmt.Errorf("not a JKS or JCEKS keystore (magic %#08x)", magic)
	}
	ks.Version = int(r.uint32())
	if r.err == nil && ks.Version != 1 && ks.Version != 2 {
		return nil, fmt.Errorf("%s version %d is unknown (1 and 2 exist)", ks.Type, ks.Version)
	}
	count := r.uint32()
	for i := uint32(0); i < count && r.err == nil; i++ {
		e, err := r.entry(ks.Type, ks.Version)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", ks.Type, i+1, err)
		}
		ks.Entries = append(ks.Entries, e)
	}
	if r.err != nil {
		return nil, fmt.Errorf("%s: %w", ks.Type, r.err)
	}
	ks.signed = data[:r.pos]
	ks.digest = r.bytes(sha1.Size)
	if r.err != nil {
		return nil, fmt.Errorf("%s: the integrity digest is missing: %w", ks.Type, r.err)
	}
	if r.pos != len(data) {
		return nil, fmt.Errorf("%s: %d bytes of trailing data after the digest", ks.Type, len(data)-r.pos)
	}
	return ks, nil
}

// Entry tags in the file.
const (
	tagPrivateKey  = 1
	tagTrustedCert = 2
	tagSecretKey   = 3
)

func (r *reader) entry(t Type, version int) (Entry, error) {
	var e Entry
	tag := r.uint32()
	e.Alias = r.utf()
	e.Created = time.UnixMilli(int64(r.uint64()))
	if r.err != nil {
		return e, r.err
	}
	switch tag {
	case tagPrivateKey:
		e.Kind = PrivateKeyEntry
		e.ProtectedKey = r.bytes(int(r.uint32()))
		n := r.uint32()
		if r.err == nil && uint64(n) > uint64(r.remaining()/4) {
			return e, fmt.Errorf("alias %q: certificate count %d exceeds the file", e.Alias, n)
		}
		for i := uint32(0); i < n && r.err == nil; i++ {
			c, err := r.certificate(version)
			if err != nil {
				return e, fmt.Errorf("alias %q: certificate %d: %w", e.Alias, i+1, err)
			}
			e.Chain = append(e.Chain, c)
		}
	case tagTrustedCert:
		e.Kind = TrustedCertEntry
		c, err := r.certificate(version)
		if err != nil {
			return e, fmt.Errorf("alias %q: %w", e.Alias, err)
		}
		e.Chain = []*x509.Certificate{c}
	case tagSecretKey:
		if t == JCEKS {
			return e, fmt.Errorf("alias %q: %w", e.Alias, ErrSecretKey)
		}
		fallthrough
	default:
		return e, fmt.Errorf("alias %q: unknown entry tag %d", e.Alias, tag)
	}
	return e, r.err
}

func (r *reader) certificate(version int) (*x509.Certificate, error) {
	if version == 2 {
		if typ := r.utf(); r.err == nil && typ != "X.509" {
			return nil, fmt.Errorf("certificate type %q is not X.509", typ)
		}
	}
	der := r.bytes(int(r.uint32()))
	if r.err != nil {
		return nil, r.err
	}
	return x509.ParseCertificate(der)
}

// reader walks the big-endian layout of java.io.DataOutputStream. After the
// first error every read returns zero values and the error sticks.
type reader struct {
	buf []byte
	pos int
	err error
}

func (r *reader) remaining() int { return len(r.buf) - r.pos }

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.remaining() {
		r.err = fmt.Errorf("truncated: %d bytes needed at offset %d, %d left", n, r.pos, r.remaining())
		return nil
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b
}

func (r *reader) uint32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) uint64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// utf reads a DataOutputStream.writeUTF string: a two-byte length, then
// "modified UTF-8" (NUL as C0 80, characters beyond the BMP as two
// three-byte surrogates).
func (r *reader) utf() string {
	var n uint16
	if b := r.bytes(2); b != nil {
		n = binary.BigEndian.Uint16(b)
	}
	s, err := decodeModifiedUTF8(r.bytes(int(n)))
	if err != nil && r.err == nil {
		r.err = err
	}
	return s
}
