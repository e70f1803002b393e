package keycrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
)

// PBES2 (RFC 8018 section 6.2): PBKDF2 derives the key, a block cipher in
// CBC mode encrypts. This is what `openssl pkcs8 -topk8 -v2`, `openssl
// genpkey -aes256` and current JDKs write.

var (
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}

	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}

	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidDESCBC     = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 7}
)

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type prf struct {
	name string
	new  func() hash.Hash
}

var prfs = []struct {
	oid asn1.ObjectIdentifier
	prf prf
}{
	{oidHMACWithSHA1, prf{"hmacWithSHA1", sha1.New}},
	{oidHMACWithSHA224, prf{"hmacWithSHA224", sha256.New224}},
	{oidHMACWithSHA256, prf{"hmacWithSHA256", sha256.New}},
	{oidHMACWithSHA384, prf{"hmacWithSHA384", sha512.New384}},
	{oidHMACWithSHA512, prf{"hmacWithSHA512", sha512.New}},
}

// blockCipher is a CBC cipher PBES2 may name.
type blockCipher struct {
	name   string
	keyLen int
	new    func(key []byte) (cipher.Block, error)
}

var pbes2Ciphers = []struct {
	oid asn1.ObjectIdentifier
	c   blockCipher
}{
	{oidAES128CBC, blockCipher{"AES-128-CBC", 16, aes.NewCipher}},
	{oidAES192CBC, blockCipher{"AES-192-CBC", 24, aes.NewCipher}},
	{oidAES256CBC, blockCipher{"AES-256-CBC", 32, aes.NewCipher}},
	{oidDESEDE3CBC, blockCipher{"DES-EDE3-CBC", 24, des.NewTripleDESCipher}},
	{oidDESCBC, blockCipher{"DES-CBC", 8, des.NewCipher}},
}

type pbes2 struct {
	salt       []byte
	iterations int
	prf        prf
	cipher     blockCipher
	iv         []byte
}

func parsePBES2(params []byte) (scheme, error) {
	var p pbes2Params
	if rest, err := asn1.Unmarshal(params, &p); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("PBES2 parameters are malformed (%v)", err)
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, &UnsupportedError{What: "PBES2 key derivation " + p.KDF.Algorithm.String() + " (only PBKDF2 is known)"}
	}
	var kp pbkdf2Params
	if rest, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kp); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("PBKDF2 parameters are malformed (%v)", err)
	}
	if err := checkIterations(kp.Iterations); err != nil {
		return nil, fmt.Errorf("PBKDF2 parameters: %w", err)
	}
	s := &pbes2{salt: kp.Salt, iterations: kp.Iterations}
	if len(kp.PRF.Algorithm) == 0 {
		s.prf = prfs[0].prf // the default is hmacWithSHA1
	} else {
		found := false
		for _, f := range prfs {
			if f.oid.Equal(kp.PRF.Algorithm) {
				s.prf, found = f.prf, true
			}
		}
		if !found {
			return nil, &UnsupportedError{What: "PBKDF2 pseudo-random function " + kp.PRF.Algorithm.String()}
		}
	}
	found := false
	for _, c := range pbes2Ciphers {
		if c.oid.Equal(p.Scheme.Algorithm) {
			s.cipher, found = c.c, true
		}
	}
	if !found {
		return nil, &UnsupportedError{What: "PBES2 cipher " + p.Scheme.Algorithm.String()}
	}
	if kp.KeyLength != 0 && kp.KeyLength != s.cipher.keyLen {
		return nil, fmt.Errorf("PBKDF2 key length %d does not fit %s", kp.KeyLength, s.cipher.name)
	}
	if rest, err := asn1.Unmarshal(p.Scheme.Parameters.FullBytes, &s.iv); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%s parameters: the IV is malformed (%v)", s.cipher.name, err)
	}
	return s, nil
}

func (s *pbes2) name() string {
	return fmt.Sprintf("PBES2 (PBKDF2 with %s, %s)", s.prf.name, s.cipher.name)
}

func (s *pbes2) decrypt(data []byte, password string) ([]byte, error) {
	key, err := pbkdf2.Key(s.prf.new, password, s.salt, s.iterations, s.cipher.keyLen)
	if err != nil {
		return nil, err
	}
	block, err := s.cipher.new(key)
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, s.iv, data)
}

// PBES1 (RFC 8018 section 6.1): PBKDF1 over MD5 or SHA-1, DES-CBC. Old
// `openssl pkcs8 -topk8 -v1 PBE-MD5-DES` output.

type pbes1 struct {
	hashName string
	newHash  func() hash.Hash
	param    pbeParameter
}

var (
	pbes1MD5  = pbes1{hashName: "MD5", newHash: md5.New}
	pbes1SHA1 = pbes1{hashName: "SHA1", newHash: sha1.New}
)

func parsePBES1(params []byte, s pbes1) (scheme, error) {
	p, err := parsePBEParameter(params, "PBES1")
	if err != nil {
		return nil, err
	}
	if len(p.Salt) != 8 {
		return nil, fmt.Errorf("PBES1 salt is %d bytes, not 8", len(p.Salt))
	}
	s.param = p
	return &s, nil
}

func (s *pbes1) name() string { return "PBES1 (PBEWith" + s.hashName + "AndDES-CBC)" }

func (s *pbes1) decrypt(data []byte, password string) ([]byte, error) {
	h := s.newHash()
	h.Write([]byte(password))
	h.Write(s.param.Salt)
	t := h.Sum(nil)
	for i := 1; i < s.param.Iterations; i++ {
		h.Reset()
		h.Write(t)
		t = h.Sum(t[:0])
	}
	block, err := des.NewCipher(t[:8])
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, t[8:16], data)
}
