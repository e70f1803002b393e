package password

import (
	"crypto/subtle"
	"fmt"
	"strings"
)

// Encoder is the hw_user.passwd format of a Hedwig installation, set by the
// "encoder" option of its JAAS login module (conf/login.config).
type Encoder int

const (
	// EncoderDetect decides per password: "$1$…" is md5-crypt, 13 crypt-alphabet
	// characters are tried as DES crypt and then as plaintext, anything else
	// is plaintext. It is the default because Hedwig's own default is
	// plaintext and an installation may hold a mix after a change of encoder.
	EncoderDetect Encoder = iota
	// EncoderPlaintext is Hedwig's PlaintextPasswordEncoder (its default).
	EncoderPlaintext
	// EncoderMD5 is Hedwig's MD5PasswordEncoder ("$1$salt$hash").
	EncoderMD5
	// EncoderDES is Hedwig's CryptPasswordEncoder (traditional crypt(3)).
	EncoderDES
)

// ParseEncoder maps the class name of a Hedwig PasswordEncoder (or a short
// name: plaintext, md5, crypt) to an Encoder; "" means EncoderDetect.
func ParseEncoder(name string) (Encoder, error) {
	short := name[strings.LastIndexByte(name, '.')+1:]
	switch strings.ToLower(short) {
	case "", "detect", "auto":
		return EncoderDetect, nil
	case "plaintextpasswordencoder", "plaintext", "plain":
		return EncoderPlaintext, nil
	case "md5passwordencoder", "md5", "md5-crypt", "md5crypt":
		return EncoderMD5, nil
	case "cryptpasswordencoder", "crypt", "des", "descrypt":
		return EncoderDES, nil
	}
	return EncoderDetect, fmt.Errorf("unknown password encoder %q: use com.hs.mail.security.login.PlaintextPasswordEncoder, MD5PasswordEncoder or CryptPasswordEncoder", name)
}

func equalConstantTime(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func looksLikeDESCrypt(s string) bool {
	if len(s) != 13 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(cryptAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// VerifyHedwig reports whether plain matches the hw_user.passwd value stored.
// An empty stored value never matches.
func VerifyHedwig(stored, plain string, enc Encoder) bool {
	if stored == "" {
		return false
	}
	switch enc {
	case EncoderPlaintext:
		return equalConstantTime(stored, plain)
	case EncoderMD5:
		salt, ok := md5CryptSalt(stored)
		return ok && equalConstantTime(stored, MD5Crypt(plain, salt))
	case EncoderDES:
		return len(stored) >= 2 && equalConstantTime(stored, DESCrypt(plain, stored[:2]))
	}
	if salt, ok := md5CryptSalt(stored); ok {
		return equalConstantTime(stored, MD5Crypt(plain, salt))
	}
	if looksLikeDESCrypt(stored) {
		des := equalConstantTime(stored, DESCrypt(plain, stored[:2]))
		return des || equalConstantTime(stored, plain)
	}
	return equalConstantTime(stored, plain)
}
