package keytool

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/hedwigmail/hedwig/security/keycrypt"
	"unicode/utf16"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// PKCS#12 as the JDK lays it out: one SafeContents with every certificate
// (key chains with localKeyId, trusted ones with Java's trust attribute and
// a friendlyName) and one with every key, each key shrouded by go-pkcs12
// with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) and named by friendlyName.
// The certificates are public and not encrypted; the file's integrity is an
// HMAC-SHA-256 MAC. Two SafeContents is also what go-pkcs12 (and so
// package security) reads when it loads the server key.

const (
	p12Iterations = 10000 // the JDK's PBE and MAC iteration count
	p12SaltLen    = 20
)

// p12KeyEncoder shrouds keys; its certificate encryption is not used.
var p12KeyEncoder = gopkcs12.Modern2023.WithIterations(p12Iterations)

func (s *keystore) savePKCS12() error {
	data, err := encodePKCS12(s.entries, s.pass)
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path, data)
}

// encodePKCS12 encodes entries under password.
func encodePKCS12(entries []*entry, password string) ([]byte, error) {
	if password == "" {
		return nil, errors.New("a PKCS12 keystore needs a password")
	}
	var certBags, keyBags []p12SafeBag
	for _, e := range entries {
		name, err := friendlyNameAttr(e.alias)
		if err != nil {
			return nil, err
		}
		switch e.kind {
		case trustedEntry:
			bag, err := certBag(e.cert(), name, trustAttr())
			if err != nil {
				return nil, err
			}
			certBags = append(certBags, bag)
		case keyEntry:
			if e.key == nil {
				return nil, fmt.Errorf("alias %q: the key is locked", e.alias)
			}
			id := localKeyID(e, len(keyBags))
			keyBag, err := shroudedKeyBag(e.key, e.cert(), password)
			if err != nil {
				return nil, fmt.Errorf("alias %q: %w", e.alias, err)
			}
			keyBag.Attributes = []p12Attribute{name, id}
			keyBags = append(keyBags, keyBag)
			leaf, err := certBag(e.cert(), name, id)
			if err != nil {
				return nil, err
			}
			certBags = append(certBags, leaf)
			for _, c := range e.chain[1:] {
				bag, err := certBag(c)
				if err != nil {
					return nil, err
				}
				certBags = append(certBags, bag)
			}
		}
	}
	var cis []p12ContentInfo
	for _, bags := range [][]p12SafeBag{certBags, keyBags} {
		if len(bags) == 0 {
			continue
		}
		ci, err := dataContentInfo(bags)
		if err != nil {
			return nil, err
		}
		cis = append(cis, ci)
	}
	authSafe, err := asn1.Marshal(cis)
	if err != nil {
		return nil, err
	}
	pfx := p12PFX{Version: 3}
	if pfx.AuthSafe, err = octetContentInfo(authSafe); err != nil {
		return nil, err
	}
	pfx.MacData = p12MacData{
		Mac:        p12DigestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}},
		Salt:       make([]byte, p12SaltLen),
		Iterations: p12Iterations,
	}
	if _, err := rand.Read(pfx.MacData.Salt); err != nil {
		return nil, err
	}
	if pfx.MacData.Mac.Digest, err = computeMAC(&pfx.MacData, authSafe, keycrypt.BMPPassword(password)); err != nil {
		return nil, err
	}
	return asn1.Marshal(pfx)
}

// shroudedKeyBag has go-pkcs12 encrypt key and takes the key bag out of
// the file it makes.
func shroudedKeyBag(key crypto.Signer, leaf *x509.Certificate, password string) (p12SafeBag, error) {
	pfxData, err := p12KeyEncoder.Encode(key, leaf, nil, password)
	if err != nil {
		return p12SafeBag{}, err
	}
	var pfx p12PFX
	if _, err := asn1.Unmarshal(pfxData, &pfx); err != nil {
		return p12SafeBag{}, err
	}
	authSafe, err := dataOctets(pfx.AuthSafe)
	if err != nil {
		return p12SafeBag{}, err
	}
	var cis []p12ContentInfo
	if _, err := asn1.Unmarshal(authSafe, &cis); err != nil {
		return p12SafeBag{}, err
	}
	for _, ci := range cis {
		if !ci.ContentType.Equal(oidDataContent) {
			continue // the encrypted certificates
		}
		content, err := dataOctets(ci)
		if err != nil {
			return p12SafeBag{}, err
		}
		var bags []p12SafeBag
		if _, err := asn1.Unmarshal(content, &bags); err != nil {
			return p12SafeBag{}, err
		}
		for _, b := range bags {
			if b.ID.Equal(oidShroudedKeyBag) {
				return p12SafeBag{ID: b.ID, Value: asn1.RawValue{FullBytes: b.Value.FullBytes}}, nil
			}
		}
	}
	return p12SafeBag{}, errors.New("go-pkcs12 produced no shrouded key bag")
}

func certBag(c *x509.Certificate, attrs ...p12Attribute) (p12SafeBag, error) {
	inner, err := asn1.Marshal(p12CertBag{ID: oidX509Certificate, Data: c.Raw})
	if err != nil {
		return p12SafeBag{}, err
	}
	return p12SafeBag{ID: oidCertBag, Value: asn1.RawValue{FullBytes: explicit0(inner)}, Attributes: attrs}, nil
}

func dataContentInfo(bags []p12SafeBag) (p12ContentInfo, error) {
	content, err := asn1.Marshal(bags)
	if err != nil {
		return p12ContentInfo{}, err
	}
	return octetContentInfo(content)
}

func octetContentInfo(content []byte) (p12ContentInfo, error) {
	octets, err := asn1.Marshal(content)
	if err != nil {
		return p12ContentInfo{}, err
	}
	return p12ContentInfo{ContentType: oidDataContent, Content: asn1.RawValue{FullBytes: explicit0(octets)}}, nil
}

// explicit0 wraps DER in a [0] EXPLICIT tag.
func explicit0(der []byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der})
	return b
}

// attribute builds a PKCS#12 bag attribute with one value.
func attribute(id asn1.ObjectIdentifier, value any) (p12Attribute, error) {
	v, err := asn1.Marshal(value)
	if err != nil {
		return p12Attribute{}, err
	}
	return p12Attribute{ID: id, Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: v}}, nil
}

func friendlyNameAttr(alias string) (p12Attribute, error) {
	units := utf16.Encode([]rune(alias))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u>>8), byte(u))
	}
	return attribute(oidFriendlyName, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagBMPString, Bytes: b})
}

func trustAttr() p12Attribute {
	a, _ := attribute(oidJavaTrustedUsage, oidAnyExtKeyUsage)
	return a
}

// localKeyID ties a key bag to its certificate bag: the SHA-1 of the
// certificate, as OpenSSL and go-pkcs12 use, made unique by n when two
// key entries share a certificate.
func localKeyID(e *entry, n int) p12Attribute {
	sum := sha1.Sum(e.cert().Raw)
	id := sum[:]
	if n > 0 {
		id = append(id, byte(n>>8), byte(n))
	}
	a, _ := attribute(oidLocalKeyID, id)
	return a
}
