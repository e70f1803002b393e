package keytool

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/security/keycrypt"
)

// keytool reads PKCS#12 itself because it must keep every entry: several
// keys, trusted certificates beside a key (what `keytool -importcert
// -alias root` makes of a PKCS12 keystore), and the aliases (friendlyName)
// of trusted certificates. Package security's reader, made for loading one
// server key, folds a file into one key and its chain. Decryption is
// package keycrypt's; for schemes it lacks (RC2 in legacy files, PBMAC1),
// security's reader, which is go-pkcs12, is used instead.

var (
	oidDataContent      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedContent = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidFriendlyName     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	// oidJavaTrustedUsage marks a certificate bag as a Java trusted
	// certificate entry; its value lists the usages trusted for.
	oidJavaTrustedUsage = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}
	oidAnyExtKeyUsage   = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

type p12PFX struct {
	Version  int
	AuthSafe p12ContentInfo
	MacData  p12MacData `asn1:"optional"`
}

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type p12EncryptedData struct {
	Version int
	Info    p12EncryptedContentInfo
}

type p12EncryptedContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Algorithm   pkix.AlgorithmIdentifier
	Content     []byte `asn1:"tag:0,optional"`
}

type p12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue  `asn1:"tag:0,explicit"`
	Attributes []p12Attribute `asn1:"set,optional"`
}

type p12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue // the SET of values, as is
}

type p12CertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

// encryptedPrivateKeyInfo is PKCS#8's structure, the shape keycrypt
// decrypts; PKCS#12 encrypted content is re-wrapped into it.
type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

// errP12Fallback marks content this reader leaves to package security.
type errP12Fallback struct{ err error }

func (e *errP12Fallback) Error() string { return e.err.Error() }
func (e *errP12Fallback) Unwrap() error { return e.err }

// p12Bags is what the safe bags of a file say, before pairing.
type p12Bags struct {
	keys  []p12Key
	certs []p12Cert
}

type p12Key struct {
	key          crypto.Signer
	friendlyName string
	localKeyID   []byte
}

type p12Cert struct {
	cert         *x509.Certificate
	friendlyName string
	localKeyID   []byte
	trusted      bool
}

// decodePKCS12 reads every entry of a PKCS#12 file, falling back to
// package security for schemes this reader does not handle.
func (s *keystore) decodePKCS12(pass string) error {
	entries, err := decodePKCS12Entries(s.raw, pass)
	var fb *errP12Fallback
	if errors.As(err, &fb) {
		entries, err = decodePKCS12ViaSecurity(s.raw, pass)
	}
	if err != nil {
		return err
	}
	s.entries = entries
	return nil
}

// decodePKCS12Entries checks the MAC with password, decrypts every bag and
// pairs keys with their certificates.
func decodePKCS12Entries(data []byte, pass string) ([]*entry, error) {
	var pfx p12PFX
	if rest, err := asn1.Unmarshal(data, &pfx); err != nil || len(rest) > 0 {
		return nil, &errP12Fallback{fmt.Errorf("PKCS#12 structure: %v", err)}
	}
	if pfx.Version != 3 {
		return nil, fmt.Errorf("PKCS#12 version %d is not 3", pfx.Version)
	}
	authSafe, err := dataOctets(pfx.AuthSafe)
	if err != nil {
		return nil, &errP12Fallback{err}
	}
	if len(pfx.MacData.Mac.Algorithm.Algorithm) > 0 {
		ok, err := verifyMAC(&pfx.MacData, authSafe, pass)
		if err != nil {
			return nil, &errP12Fallback{err}
		}
		if !ok {
			return nil, &security.PasswordError{Store: true, Missing: pass == "", Err: keycrypt.ErrWrongPassword}
		}
	}
	var cis []p12ContentInfo
	if rest, err := asn1.Unmarshal(authSafe, &cis); err != nil || len(rest) > 0 {
		return nil, &errP12Fallback{fmt.Errorf("PKCS#12 authenticated safe: %v", err)}
	}
	var bags p12Bags
	for _, ci := range cis {
		content, err := contentOctets(ci, pass)
		if err != nil {
			return nil, err
		}
		if err := bags.add(content, pass); err != nil {
			return nil, err
		}
	}
	return bags.entries()
}

func dataOctets(ci p12ContentInfo) ([]byte, error) {
	if !ci.ContentType.Equal(oidDataContent) {
		return nil, fmt.Errorf("PKCS#12 content type %s is not data", ci.ContentType)
	}
	var octets []byte
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &octets); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("PKCS#12 data content: %v", err)
	}
	return octets, nil
}

// contentOctets returns a ContentInfo's SafeContents, decrypting it with
// keycrypt when it is encrypted.
func contentOctets(ci p12ContentInfo, pass string) ([]byte, error) {
	if ci.ContentType.Equal(oidDataContent) {
		b, err := dataOctets(ci)
		if err != nil {
			return nil, &errP12Fallback{err}
		}
		return b, nil
	}
	if !ci.ContentType.Equal(oidEncryptedContent) {
		return nil, &errP12Fallback{fmt.Errorf("PKCS#12 content type %s", ci.ContentType)}
	}
	var ed p12EncryptedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil || len(rest) > 0 {
		return nil, &errP12Fallback{fmt.Errorf("PKCS#12 encrypted data: %v", err)}
	}
	if err := checkKDFIterations(ed.Info.Algorithm); err != nil {
		return nil, err
	}
	wrapped, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: ed.Info.Algorithm, Data: ed.Info.Content})
	if err != nil {
		return nil, &errP12Fallback{err}
	}
	plain, err := keycrypt.DecryptPKCS8(wrapped, pass)
	if err != nil {
		return nil, &errP12Fallback{err}
	}
	return plain, nil
}

// add reads one SafeContents.
func (b *p12Bags) add(content []byte, pass string) error {
	var bags []p12SafeBag
	if rest, err := asn1.Unmarshal(content, &bags); err != nil || len(rest) > 0 {
		return &errP12Fallback{fmt.Errorf("PKCS#12 safe contents: %v", err)}
	}
	for _, bag := range bags {
		name, id, trusted := bagAttributes(bag.Attributes)
		switch {
		case bag.ID.Equal(oidCertBag):
			var cb p12CertBag
			if rest, err := asn1.Unmarshal(bag.Value.Bytes, &cb); err != nil || len(rest) > 0 {
				return fmt.Errorf("PKCS#12 certificate bag: %v", err)
			}
			if !cb.ID.Equal(oidX509Certificate) {
				continue // SDSI certificates: nobody uses them
			}
			c, err := x509.ParseCertificate(cb.Data)
			if err != nil {
				return fmt.Errorf("PKCS#12 certificate: %w", err)
			}
			b.certs = append(b.certs, p12Cert{cert: c, friendlyName: name, localKeyID: id, trusted: trusted})
		case bag.ID.Equal(oidKeyBag), bag.ID.Equal(oidShroudedKeyBag):
			der := bag.Value.Bytes
			if bag.ID.Equal(oidShroudedKeyBag) {
				var info encryptedPrivateKeyInfo
				if _, err := asn1.Unmarshal(der, &info); err == nil {
					if err := checkKDFIterations(info.Algorithm); err != nil {
						return err
					}
				}
				plain, err := keycrypt.DecryptPKCS8(der, pass)
				if errors.Is(err, keycrypt.ErrWrongPassword) || errors.Is(err, keycrypt.ErrNoPassword) {
					return &security.PasswordError{Alias: name, Missing: pass == "", Err: err}
				}
				if err != nil {
					return &errP12Fallback{err}
				}
				der = plain
			}
			k, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				return fmt.Errorf("PKCS#12 private key %q: %w", name, err)
			}
			signer, ok := k.(crypto.Signer)
			if !ok {
				return fmt.Errorf("PKCS#12 private key %q: %T cannot sign", name, k)
			}
			b.keys = append(b.keys, p12Key{key: signer, friendlyName: name, localKeyID: id})
		}
	}
	return nil
}

func bagAttributes(attrs []p12Attribute) (friendlyName string, localKeyID []byte, trusted bool) {
	for _, a := range attrs {
		switch {
		case a.ID.Equal(oidFriendlyName):
			var bmp asn1.RawValue
			if _, err := asn1.Unmarshal(a.Value.Bytes, &bmp); err == nil {
				friendlyName = decodeBMP(bmp.Bytes)
			}
		case a.ID.Equal(oidLocalKeyID):
			var id []byte
			if _, err := asn1.Unmarshal(a.Value.Bytes, &id); err == nil {
				localKeyID = id
			}
		case a.ID.Equal(oidJavaTrustedUsage):
			trusted = true
		}
	}
	return
}

func decodeBMP(b []byte) string {
	if len(b)%2 != 0 {
		return ""
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units))
}

// entries pairs each key with its certificate (by localKeyId, else by
// public key) and chain, and lists the trusted certificates.
func (b *p12Bags) entries() ([]*entry, error) {
	var out []*entry
	all := make([]*x509.Certificate, len(b.certs))
	for i, c := range b.certs {
		all[i] = c.cert
	}
	used := map[string]bool{}
	for i, k := range b.keys {
		var leaf *p12Cert
		for j := range b.certs {
			c := &b.certs[j]
			if len(k.localKeyID) > 0 && bytes.Equal(c.localKeyID, k.localKeyID) {
				leaf = c
				break
			}
		}
		if leaf == nil {
			for j := range b.certs {
				if samePublicKey(k.key.Public(), b.certs[j].cert.PublicKey) {
					leaf = &b.certs[j]
					break
				}
			}
		}
		if leaf == nil {
			return nil, fmt.Errorf("PKCS#12 private key %d has no certificate", i+1)
		}
		alias := k.friendlyName
		if alias == "" {
			alias = leaf.friendlyName
		}
		if alias == "" || used[strings.ToLower(alias)] {
			alias = fmt.Sprint(len(out) + 1) // what the JDK calls unnamed entries
		}
		used[strings.ToLower(alias)] = true
		out = append(out, &entry{alias: alias, kind: keyEntry, key: k.key, chain: chainFrom(leaf.cert, all)})
	}
	for _, c := range b.certs {
		if !c.trusted {
			continue
		}
		alias := c.friendlyName
		if alias == "" || used[strings.ToLower(alias)] {
			alias = uniqueAlias(used, defaultCertAlias(c.cert))
		}
		used[strings.ToLower(alias)] = true
		out = append(out, &entry{alias: alias, kind: trustedEntry, chain: []*x509.Certificate{c.cert}})
	}
	return out, nil
}

// decodePKCS12ViaSecurity reads a PKCS#12 file with package security: one
// key and its chain, or trusted certificates.
func decodePKCS12ViaSecurity(data []byte, pass string) ([]*entry, error) {
	ks, err := security.DecodeKeystore(data, security.FormatPKCS12, pass)
	if err != nil {
		return nil, err
	}
	var out []*entry
	used := map[string]bool{}
	for i := range ks.Keys {
		k := ks.Keys[i]
		key, err := k.Decrypt(pass)
		if err != nil {
			return nil, err
		}
		alias := k.Alias
		if alias == "" {
			alias = fmt.Sprint(i + 1)
		}
		used[strings.ToLower(alias)] = true
		out = append(out, &entry{alias: alias, kind: keyEntry, key: key, chain: k.Chain})
	}
	for _, t := range ks.Trusted {
		alias := uniqueAlias(used, t.Alias)
		used[strings.ToLower(alias)] = true
		out = append(out, &entry{alias: alias, kind: trustedEntry, chain: []*x509.Certificate{t.Certificate}})
	}
	return out, nil
}

var oidPBES2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}

// maxKDFIterations bounds the key derivation work an encrypted bag may ask
// for before it is handed to keycrypt; the fuzz test lowers it.
var maxKDFIterations = 1 << 22

// checkKDFIterations refuses an encryption whose iteration count (PBES2's
// PBKDF2, or the PKCS#5/PKCS#12 PBEParameter) exceeds maxKDFIterations.
func checkKDFIterations(alg pkix.AlgorithmIdentifier) error {
	type pbeParams struct {
		Salt       []byte
		Iterations int
	}
	params := alg.Parameters.FullBytes
	if alg.Algorithm.Equal(oidPBES2) {
		var p struct{ KDF, Scheme pkix.AlgorithmIdentifier }
		if _, err := asn1.Unmarshal(params, &p); err != nil {
			return nil // keycrypt reports malformed parameters
		}
		params = p.KDF.Parameters.FullBytes
	}
	var p pbeParams
	if _, err := asn1.Unmarshal(params, &p); err != nil {
		return nil
	}
	if p.Iterations > maxKDFIterations {
		return fmt.Errorf("PKCS#12 encryption asks for %d iterations, more than the %d accepted", p.Iterations, maxKDFIterations)
	}
	return nil
}
