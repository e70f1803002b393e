package keycrypt

import (
	"crypto/aes"
	"crypto/des"
	"crypto/md5"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
)

// OpenSSL's legacy PEM encryption (RFC 1421 headers), as written by
// `openssl genrsa -des3` and `openssl rsa -aes256`:
//
//	Proc-Type: 4,ENCRYPTED
//	DEK-Info: DES-EDE3-CBC,65DAA01872673F5E
//
// The key is EVP_BytesToKey(MD5, salt = first 8 bytes of the IV, count 1).

var legacyCiphers = map[string]blockCipher{
	"DES-CBC":      {"DES-CBC", 8, des.NewCipher},
	"DES-EDE3-CBC": {"DES-EDE3-CBC", 24, des.NewTripleDESCipher},
	"AES-128-CBC":  {"AES-128-CBC", 16, aes.NewCipher},
	"AES-192-CBC":  {"AES-192-CBC", 24, aes.NewCipher},
	"AES-256-CBC":  {"AES-256-CBC", 32, aes.NewCipher},
}

// IsLegacyEncrypted reports whether b carries the "Proc-Type: 4,ENCRYPTED"
// header of OpenSSL's legacy PEM encryption.
func IsLegacyEncrypted(b *pem.Block) bool {
	return strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}

// LegacyCipher returns the cipher name from b's DEK-Info header, such as
// "DES-EDE3-CBC", or "" when there is none.
func LegacyCipher(b *pem.Block) string {
	name, _, _ := strings.Cut(b.Headers["DEK-Info"], ",")
	return strings.ToUpper(strings.TrimSpace(name))
}

// DecryptLegacyPEM decrypts the body of a PEM block encrypted with OpenSSL's
// legacy scheme and returns the DER inside (PKCS#1 for "RSA PRIVATE KEY",
// SEC 1 for "EC PRIVATE KEY"). A bad padding or a result that is not DER
// returns ErrWrongPassword, or ErrNoPassword when password is empty.
func DecryptLegacyPEM(b *pem.Block, password string) ([]byte, error) {
	name, ivHex, ok := strings.Cut(b.Headers["DEK-Info"], ",")
	if !ok {
		return nil, fmt.Errorf("DEK-Info header %q is not CIPHER,IV", b.Headers["DEK-Info"])
	}
	c, known := legacyCiphers[strings.ToUpper(strings.TrimSpace(name))]
	if !known {
		return nil, &UnsupportedError{What: "legacy PEM cipher " + name}
	}
	iv, err := hex.DecodeString(strings.TrimSpace(ivHex))
	if err != nil {
		return nil, fmt.Errorf("DEK-Info IV is not hexadecimal: %w", err)
	}
	if len(iv) < 8 {
		return nil, fmt.Errorf("DEK-Info IV is %d bytes, too short", len(iv))
	}
	key := bytesToKey([]byte(password), iv[:8], c.keyLen)
	block, err := c.new(key)
	if err != nil {
		return nil, err
	}
	plain, err := cbcDecrypt(block, iv, b.Bytes)
	if err == nil && !looksLikeDER(plain) {
		err = ErrWrongPassword
	}
	if err == ErrWrongPassword && password == "" {
		return nil, ErrNoPassword
	}
	if err != nil {
		return nil, err
	}
	return plain, nil
}

// bytesToKey is OpenSSL's EVP_BytesToKey with MD5 and one iteration:
// D_i = MD5(D_{i-1} || password || salt), key = D_1 || D_2 || ...
func bytesToKey(password, salt []byte, keyLen int) []byte {
	var key, prev []byte
	for len(key) < keyLen {
		h := md5.New()
		h.Write(prev)
		h.Write(password)
		h.Write(salt)
		prev = h.Sum(nil)
		key = append(key, prev...)
	}
	return key[:keyLen]
}
