package password

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// HedwigPlaintext returns the password an hw_user.passwd value holds when
// it is kept in plaintext under enc, and false when it is (or may be) a
// hash. Under EncoderDetect a value that looks like md5-crypt or DES crypt
// counts as a hash: answering APOP with a hash as the secret would let
// anyone who read the hash log in.
func HedwigPlaintext(stored string, enc Encoder) (string, bool) {
	if stored == "" {
		return "", false
	}
	switch enc {
	case EncoderPlaintext:
		return stored, true
	case EncoderDetect:
		if strings.HasPrefix(stored, md5Magic) || looksLikeDESCrypt(stored) {
			return "", false
		}
		return stored, true
	}
	return "", false
}

// VerifyAPOP reports whether digest is the APOP answer (RFC 1939 §7) to
// timestamp for secret: lowercase hex MD5 of timestamp followed by secret.
// The comparison takes constant time.
func VerifyAPOP(timestamp, secret, digest string) bool {
	sum := md5.Sum([]byte(timestamp + secret))
	return equalConstantTime(hex.EncodeToString(sum[:]), strings.ToLower(digest))
}
