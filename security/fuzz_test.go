package security

import (
	"bytes"
	"testing"
)

// FuzzDetectFormat: detection never panics and agrees with the magic
// numbers it claims to look for.
func FuzzDetectFormat(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		switch DetectFormat(data) {
		case FormatJKS:
			if !bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}) {
				t.Fatal("JKS without its magic")
			}
		case FormatJCEKS:
			if !bytes.HasPrefix(data, []byte{0xce, 0xce, 0xce, 0xce}) {
				t.Fatal("JCEKS without its magic")
			}
		case FormatPKCS12:
			if data[0] != 0x30 {
				t.Fatal("PKCS12 that is not a SEQUENCE")
			}
		}
	})
}

// FuzzDecodeKeystore runs damaged keystores and PEM files through decoding
// and key decryption, as the server loader does. PKCS#12 is left out: its
// decoding is go-pkcs12's, which honours any iteration count a file asks for.
func FuzzDecodeKeystore(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		format := DetectFormat(data)
		if format == FormatPKCS12 {
			return
		}
		ks, err := DecodeKeystore(data, format, password)
		if err != nil {
			return
		}
		for i := range ks.Keys {
			if k, err := ks.Keys[i].Decrypt(password); err == nil && k == nil {
				t.Fatal("no key and no error")
			}
		}
	})
}
