package keycrypt

import (
	"bytes"
	"crypto/des"
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"errors"
	"fmt"
	"unicode/utf16"
)

// PasswordUTF16 encodes password the way Java hashes a char[]: each UTF-16
// code unit as two big-endian bytes, no terminator. JKS and JCEKS use it
// for both the keystore integrity digest and JKS key protection.
func PasswordUTF16(password string) []byte {
	units := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// jksKeyProtector is Sun's proprietary JKS key protection
// (OID 1.3.6.1.4.1.42.2.17.1.1): the data is salt(20) || key XOR stream ||
// check(20), where the stream is SHA-1(password || previous block) chained
// from the salt, and check is SHA-1(password || plain key).
type jksKeyProtector struct{}

func (jksKeyProtector) name() string { return "JKS key protection (Sun proprietary, SHA-1)" }

func (jksKeyProtector) decrypt(data []byte, password string) ([]byte, error) {
	const digestLen = sha1.Size
	if len(data) < 2*digestLen+1 {
		return nil, fmt.Errorf("protected key is only %d bytes", len(data))
	}
	pw := PasswordUTF16(password)
	salt := data[:digestLen]
	enc := data[digestLen : len(data)-digestLen]
	check := data[len(data)-digestLen:]

	stream := make([]byte, 0, len(enc)+digestLen)
	block := salt
	for len(stream) < len(enc) {
		h := sha1.New()
		h.Write(pw)
		h.Write(block)
		block = h.Sum(nil)
		stream = append(stream, block...)
	}
	plain := make([]byte, len(enc))
	subtle.XORBytes(plain, enc, stream)

	h := sha1.New()
	h.Write(pw)
	h.Write(plain)
	if subtle.ConstantTimeCompare(h.Sum(nil), check) != 1 {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// sunPBE is Sun's PBEWithMD5AndTripleDES (OID 1.3.6.1.4.1.42.2.19.1), the
// key protection of JCEKS keystores. The 8-byte salt is split into halves;
// each half is hashed with the password, MD5(half || password), iterated,
// and the two 16-byte results give a 24-byte 3DES key and an 8-byte IV.
type sunPBE struct {
	param pbeParameter
}

func parseSunPBE(params []byte) (scheme, error) {
	p, err := parsePBEParameter(params, "PBEWithMD5AndTripleDES")
	if err != nil {
		return nil, err
	}
	if len(p.Salt) != 8 {
		return nil, fmt.Errorf("PBEWithMD5AndTripleDES salt is %d bytes, not 8", len(p.Salt))
	}
	return &sunPBE{param: p}, nil
}

func (s *sunPBE) name() string { return "PBEWithMD5AndTripleDES (Sun JCEKS key protection)" }

func (s *sunPBE) decrypt(data []byte, password string) ([]byte, error) {
	// Sun's PBEKey takes the low seven bits of each char and refuses
	// anything outside printable ASCII, so no JCEKS key has such a password.
	pw := []byte(password)
	for _, c := range pw {
		if c < 0x20 || c > 0x7e {
			return nil, errors.New("JCEKS key passwords are printable ASCII only; this one is not")
		}
	}
	salt := bytes.Clone(s.param.Salt)
	if bytes.Equal(salt[:4], salt[4:]) {
		// Sun's code "inverts" equal halves with a typo (it writes
		// salt[3-1] instead of salt[3-i]); reproduce it to stay compatible.
		for i := 0; i < 2; i++ {
			tmp := salt[i]
			salt[i] = salt[3-i]
			salt[2] = tmp
		}
	}
	derived := make([]byte, 0, 32)
	for half := 0; half < 2; half++ {
		digest := salt[half*4 : half*4+4]
		for i := 0; i < s.param.Iterations; i++ {
			h := md5.New()
			h.Write(digest)
			h.Write(pw)
			digest = h.Sum(nil)
		}
		derived = append(derived, digest...)
	}
	block, err := des.NewTripleDESCipher(derived[:24])
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, derived[24:32], data)
}
