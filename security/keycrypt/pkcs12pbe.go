package keycrypt

import (
	"crypto/des"
	"crypto/sha1"
	"fmt"
	"hash"
	"unicode/utf16"
)

// pkcs12PBE is pbeWithSHAAnd3-KeyTripleDES-CBC (and its 2-key sibling)
// from PKCS#12 v1.0 (RFC 7292 appendix B and C), which OpenSSL 1.x used by
// default for `openssl pkcs8 -topk8` and for keys inside PKCS#12 files.
type pkcs12PBE struct {
	keyLen int // 24 for three-key, 16 for two-key 3DES
	param  pbeParameter
}

func parsePKCS12PBE(params []byte, keyLen int) (scheme, error) {
	p, err := parsePBEParameter(params, "PKCS#12 PBE")
	if err != nil {
		return nil, err
	}
	return &pkcs12PBE{keyLen: keyLen, param: p}, nil
}

func (s *pkcs12PBE) name() string {
	return fmt.Sprintf("pbeWithSHAAnd%d-KeyTripleDES-CBC", s.keyLen/8)
}

func (s *pkcs12PBE) decrypt(data []byte, password string) ([]byte, error) {
	pw := BMPPassword(password)
	key := PKCS12KDF(sha1.New, 64, 1, pw, s.param.Salt, s.param.Iterations, s.keyLen)
	iv := PKCS12KDF(sha1.New, 64, 2, pw, s.param.Salt, s.param.Iterations, 8)
	if s.keyLen == 16 {
		key = append(key, key[:8]...) // K1 K2 K1
	}
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, iv, data)
}

// BMPPassword encodes a password as PKCS#12 does: UTF-16 big-endian with
// a two-byte zero terminator.
func BMPPassword(password string) []byte {
	units := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

// PKCS12KDF derives n bytes for purpose id (1 key, 2 IV, 3 MAC key) from password
// and salt, as RFC 7292 appendix B.2 describes, with the hash newHash of
// block size v.
func PKCS12KDF(newHash func() hash.Hash, v int, id byte, password, salt []byte, iterations, n int) []byte {
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		out := make([]byte, v*((len(b)+v-1)/v))
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	in := append(fill(salt), fill(password)...)
	h := newHash()
	var out []byte
	for {
		h.Reset()
		h.Write(d)
		h.Write(in)
		a := h.Sum(nil)
		for i := 1; i < iterations; i++ {
			h.Reset()
			h.Write(a)
			a = h.Sum(a[:0])
		}
		out = append(out, a...)
		if len(out) >= n {
			return out[:n]
		}
		// Each v-byte block I_j of the input becomes I_j + B + 1, with B
		// the last output repeated to v bytes.
		b := fill(a)
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
}
