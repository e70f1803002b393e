package keytool

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"github.com/hedwigmail/hedwig/security/keycrypt"
	"hash"
)

// The PKCS#12 integrity MAC (RFC 7292 section 5 and appendix B): an HMAC
// keyed by the PKCS#12 key derivation over the authenticated safe.

var (
	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// macHashes are the digests a PKCS#12 MAC may name, with the block size
// the key derivation needs.
var macHashes = []struct {
	oid   asn1.ObjectIdentifier
	new   func() hash.Hash
	block int
}{
	{oidSHA1, sha1.New, 64},
	{oidSHA224, sha256.New224, 64},
	{oidSHA256, sha256.New, 64},
	{oidSHA384, sha512.New384, 128},
	{oidSHA512, sha512.New, 128},
}

type p12MacData struct {
	Mac        p12DigestInfo
	Salt       []byte
	Iterations int `asn1:"optional,default:1"`
}

type p12DigestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

// errMACUnsupported is a MAC this reader does not know (PBMAC1, say);
// package security's reader is tried then.
var errMACUnsupported = errors.New("PKCS#12 MAC algorithm not supported here")

// maxMACIterations bounds the work a file can ask for; the fuzz test
// lowers it.
var maxMACIterations = 1 << 22

// computeMAC returns the HMAC of data under the MAC parameters of md.
func computeMAC(md *p12MacData, data, password []byte) ([]byte, error) {
	for _, h := range macHashes {
		if !md.Mac.Algorithm.Algorithm.Equal(h.oid) {
			continue
		}
		if md.Iterations < 1 || md.Iterations > maxMACIterations {
			return nil, errors.New("PKCS#12 MAC iteration count out of range")
		}
		key := keycrypt.PKCS12KDF(h.new, h.block, 3, password, md.Salt, md.Iterations, h.new().Size())
		mac := hmac.New(h.new, key)
		mac.Write(data)
		return mac.Sum(nil), nil
	}
	return nil, errMACUnsupported
}

// verifyMAC checks the MAC with password, and with the empty byte string
// too when the password is empty, as some writers encode "no password".
func verifyMAC(md *p12MacData, data []byte, password string) (bool, error) {
	candidates := [][]byte{keycrypt.BMPPassword(password)}
	if password == "" {
		candidates = append(candidates, nil)
	}
	for _, pw := range candidates {
		sum, err := computeMAC(md, data, pw)
		if err != nil {
			return false, err
		}
		if hmac.Equal(sum, md.Mac.Digest) {
			return true, nil
		}
	}
	return false, nil
}
