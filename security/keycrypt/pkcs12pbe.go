package keycrypt

import (
	"crypto/des"
	"crypto/sha1"
	"fmt"
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
	pw := bmpPassword(password)
	key := pkcs12KDF(1, pw, s.param.Salt, s.param.Iterations, s.keyLen)
	iv := pkcs12KDF(2, pw, s.param.Salt, s.param.Iterations, 8)
	if s.keyLen == 16 {
		key = append(key, key[:8]...) // K1 K2 K1
	}
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, iv, data)
}

// bmpPassword is the PKCS#12 password encoding: UTF-16 big-endian with a
// two-byte zero terminator.
func bmpPassword(password string) []byte {
	units := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

// pkcs12KDF derives n bytes for purpose id (1 key, 2 IV, 3 MAC) with SHA-1,
// as RFC 7292 appendix B.2 describes.
func pkcs12KDF(id byte, password, salt []byte, iterations, n int) []byte {
	const u, v = sha1.Size, 64
	repeatTo := func(b []byte) []byte {
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
	in := append(repeatTo(salt), repeatTo(password)...)

	out := make([]byte, 0, n+u)
	for len(out) < n {
		h := sha1.New()
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
			break
		}
		// Each v-byte block of the input becomes block + B + 1, where B is
		// a repeated to v bytes, modulo 2^(8v).
		b := repeatTo(a)
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:n]
}
