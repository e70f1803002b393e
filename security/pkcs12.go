package security

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// decodePKCS12 reads a PKCS#12 file with go-pkcs12, which handles what JDK
// 17 writes (PBES2/AES-256, HmacSHA256 MAC) and the legacy RC2-40/3DES with
// a SHA-1 MAC. go-pkcs12 reads one key per file and gives no aliases, so
// the unencrypted layers are walked here to name and count the keys.
func decodePKCS12(data []byte, storePass string) (*Keystore, error) {
	aliases, walkErr := pkcs12KeyAliases(data)
	key, leaf, cas, err := gopkcs12.DecodeChain(data, storePass)
	if errors.Is(err, gopkcs12.ErrIncorrectPassword) {
		return nil, &PasswordError{Store: true, Missing: storePass == "", Err: err}
	}
	ks := &Keystore{Format: FormatPKCS12}
	if walkErr == nil && len(aliases) > 1 {
		// The password was right (the MAC checked out) but there are
		// several keys: list them so the caller can say which.
		for _, a := range aliases {
			ks.Keys = append(ks.Keys, KeyEntry{Alias: a, decrypt: func(string) (crypto.PrivateKey, error) {
				return nil, &MultipleKeysError{Aliases: aliases}
			}})
		}
		return ks, nil
	}
	if err == nil {
		certs := append([]*x509.Certificate{leaf}, cas...)
		chain, _ := buildChain(publicKeyOf(key), certs)
		if chain == nil {
			chain = certs
		}
		alias := ""
		if len(aliases) == 1 {
			alias = aliases[0]
		}
		ks.Keys = []KeyEntry{{Alias: alias, Chain: chain, decrypt: func(string) (crypto.PrivateKey, error) { return key, nil }}}
		return ks, nil
	}
	// No key, or one go-pkcs12 could not read: perhaps a truststore.
	trusted, trustErr := gopkcs12.DecodeTrustStore(data, storePass)
	if trustErr != nil {
		if walkErr == nil && len(aliases) == 0 {
			return nil, fmt.Errorf("PKCS#12 file holds no private key, and its certificates are not marked as trusted (%v)", trustErr)
		}
		return nil, fmt.Errorf("PKCS#12: %w", err)
	}
	for _, c := range trusted {
		ks.Trusted = append(ks.Trusted, TrustedEntry{Alias: c.Subject.CommonName, Certificate: c})
	}
	return ks, nil
}

// The slice of PKCS#12 (RFC 7292) needed to find key bags and their
// friendlyName without decrypting anything: both keytool and OpenSSL keep
// key bags in an unencrypted "data" ContentInfo (each key is encrypted
// inside its own bag), and the certificates in an encrypted one.
type pfxPDU struct {
	Version  int
	AuthSafe pkcs7ContentInfo
	MacData  asn1.RawValue `asn1:"optional"`
}

type pkcs7ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type pkcs12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     `asn1:"tag:0,explicit"`
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

var (
	oidPKCS7Data          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidKeyBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidFriendlyName       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	errNotDataContentInfo = errors.New("PKCS#12 authenticated safe is not plain data")
)

// pkcs12KeyAliases returns the friendlyName of each key bag visible without
// decryption, "key N" for bags without one.
func pkcs12KeyAliases(data []byte) ([]string, error) {
	var pfx pfxPDU
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		return nil, err
	}
	authSafe, err := dataContent(pfx.AuthSafe)
	if err != nil {
		return nil, err
	}
	var infos []pkcs7ContentInfo
	if _, err := asn1.Unmarshal(authSafe, &infos); err != nil {
		return nil, err
	}
	var aliases []string
	for _, ci := range infos {
		content, err := dataContent(ci)
		if err != nil {
			continue // an encrypted ContentInfo: certificates, usually
		}
		var bags []pkcs12SafeBag
		if _, err := asn1.Unmarshal(content, &bags); err != nil {
			return nil, err
		}
		for _, bag := range bags {
			if bag.ID.Equal(oidKeyBag) || bag.ID.Equal(oidShroudedKeyBag) {
				name := friendlyName(bag.Attributes)
				if name == "" {
					name = fmt.Sprintf("key %d", len(aliases)+1)
				}
				aliases = append(aliases, name)
			}
		}
	}
	return aliases, nil
}

func dataContent(ci pkcs7ContentInfo) ([]byte, error) {
	if !ci.ContentType.Equal(oidPKCS7Data) {
		return nil, errNotDataContentInfo
	}
	var octets []byte
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &octets); err != nil {
		return nil, err
	}
	return octets, nil
}

func friendlyName(attrs []pkcs12Attribute) string {
	for _, a := range attrs {
		if !a.ID.Equal(oidFriendlyName) {
			continue
		}
		var bmp asn1.RawValue
		if _, err := asn1.Unmarshal(a.Value.Bytes, &bmp); err != nil || len(bmp.Bytes)%2 != 0 {
			return ""
		}
		units := make([]uint16, len(bmp.Bytes)/2)
		for i := range units {
			units[i] = uint16(bmp.Bytes[2*i])<<8 | uint16(bmp.Bytes[2*i+1])
		}
		return string(utf16.Decode(units))
	}
	return ""
}
