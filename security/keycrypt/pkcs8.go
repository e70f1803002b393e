package keycrypt

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// encryptedPrivateKeyInfo is PKCS#8's EncryptedPrivateKeyInfo (RFC 5208).
// JKS and JCEKS keystores store their keys in the same structure, under
// Sun's own algorithm identifiers.
type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// scheme is one password-based encryption scheme with its parameters
// already parsed from the algorithm identifier.
type scheme interface {
	// name says what the scheme is, for messages: "PBES2 (PBKDF2 with
	// hmacWithSHA256, AES-256-CBC)".
	name() string
	decrypt(data []byte, password string) ([]byte, error)
}

var (
	oidPBES2                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBEWithMD5AndDES     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}
	oidPBEWithSHA1AndDES    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 10}
	oidPBEWithSHA3KeyDES3   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHA2KeyDES3   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
	oidSunJKSKeyProtector   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1}
	oidSunPBEWithMD5And3DES = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 19, 1}
)

// DecryptPKCS8 decrypts a DER EncryptedPrivateKeyInfo and returns the DER
// PrivateKeyInfo inside, ready for x509.ParsePKCS8PrivateKey. It accepts
// PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512; AES-128/192/256-CBC,
// DES-EDE3-CBC, DES-CBC), PBES1 (MD5 or SHA-1 with DES), PKCS#12 PBE with
// SHA-1 and 3DES, and Sun's JKS and JCEKS key protection.
//
// A failed padding or integrity check returns ErrWrongPassword, or
// ErrNoPassword when password is empty.
func DecryptPKCS8(der []byte, password string) ([]byte, error) {
	info, s, err := parsePKCS8(der)
	if err != nil {
		return nil, err
	}
	plain, err := s.decrypt(info.EncryptedData, password)
	if errors.Is(err, ErrWrongPassword) && password == "" {
		return nil, ErrNoPassword
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	if !looksLikeDER(plain) {
		// The padding happened to check out but the content is not a
		// DER structure: the password was wrong after all.
		if password == "" {
			return nil, ErrNoPassword
		}
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// PKCS8Algorithm names the encryption of a DER EncryptedPrivateKeyInfo,
// for messages such as "encrypted with PBES2 (PBKDF2 with hmacWithSHA256,
// AES-256-CBC)".
func PKCS8Algorithm(der []byte) (string, error) {
	_, s, err := parsePKCS8(der)
	if err != nil {
		return "", err
	}
	return s.name(), nil
}

func parsePKCS8(der []byte) (*encryptedPrivateKeyInfo, scheme, error) {
	var info encryptedPrivateKeyInfo
	rest, err := asn1.Unmarshal(der, &info)
	if err != nil {
		return nil, nil, fmt.Errorf("not an encrypted PKCS#8 key: %w", err)
	}
	if len(rest) > 0 {
		return nil, nil, errors.New("not an encrypted PKCS#8 key: trailing data after the structure")
	}
	s, err := lookupScheme(info.Algorithm)
	if err != nil {
		return nil, nil, err
	}
	return &info, s, nil
}

func lookupScheme(alg pkix.AlgorithmIdentifier) (scheme, error) {
	params := alg.Parameters.FullBytes
	switch {
	case alg.Algorithm.Equal(oidPBES2):
		return parsePBES2(params)
	case alg.Algorithm.Equal(oidPBEWithMD5AndDES):
		return parsePBES1(params, pbes1MD5)
	case alg.Algorithm.Equal(oidPBEWithSHA1AndDES):
		return parsePBES1(params, pbes1SHA1)
	case alg.Algorithm.Equal(oidPBEWithSHA3KeyDES3):
		return parsePKCS12PBE(params, 24)
	case alg.Algorithm.Equal(oidPBEWithSHA2KeyDES3):
		return parsePKCS12PBE(params, 16)
	case alg.Algorithm.Equal(oidSunJKSKeyProtector):
		return jksKeyProtector{}, nil
	case alg.Algorithm.Equal(oidSunPBEWithMD5And3DES):
		return parseSunPBE(params)
	}
	return nil, &UnsupportedError{What: "key encryption algorithm " + alg.Algorithm.String()}
}

// pbeParameter is the PBEParameter of PKCS#5 v1.5 and PKCS#12 v1.0, and
// also what Sun's PBEWithMD5AndTripleDES carries.
type pbeParameter struct {
	Salt       []byte
	Iterations int
}

func parsePBEParameter(params []byte, what string) (pbeParameter, error) {
	var p pbeParameter
	rest, err := asn1.Unmarshal(params, &p)
	if err != nil {
		return p, fmt.Errorf("%s parameters: %w", what, err)
	}
	if len(rest) > 0 {
		return p, fmt.Errorf("%s parameters: trailing data", what)
	}
	if err := checkIterations(p.Iterations); err != nil {
		return p, fmt.Errorf("%s parameters: %w", what, err)
	}
	return p, nil
}

// looksLikeDER reports whether b starts with a SEQUENCE whose length
// covers exactly b: every PrivateKeyInfo does.
func looksLikeDER(b []byte) bool {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	return err == nil && len(rest) == 0 && raw.Tag == asn1.TagSequence && raw.IsCompound
}
