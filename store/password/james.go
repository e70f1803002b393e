package password

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// James's users repository names its hash by an algorithm string such as
// "PBKDF2-SHA512", "PBKDF2-SHA512-1000-512", "PBKDF2" (SHA-1), "SHA-256",
// optionally followed by "/plain", "/salted", "/legacy" or "/legacy_salted".
// The digest is MIME base64 (CRLF every 76 characters); legacy modes drop
// the final partial base64 group. PBKDF2 is always salted, with the user name.

type jamesAlgorithm struct {
	newHash    func() hash.Hash
	pbkdf2     bool
	iterations int
	keyBits    int
	salted     bool
	legacy     bool
}

func parseJamesAlgorithm(spec, fallbackMode string) (jamesAlgorithm, error) {
	name, mode, found := strings.Cut(spec, "/")
	if !found {
		mode = fallbackMode
	}
	var a jamesAlgorithm
	switch strings.ToLower(mode) {
	case "", "plain":
	case "salted":
		a.salted = true
	case "legacy":
		a.legacy = true
	case "legacy_salted":
		a.legacy, a.salted = true, true
	default:
		return a, fmt.Errorf("unknown James hashing mode %q in %q", mode, spec)
	}
	parts := strings.Split(name, "-")
	number := func(i, def int) (int, error) {
		if len(parts) <= i {
			return def, nil
		}
		n, err := strconv.Atoi(parts[i])
		if err != nil || n <= 0 || n > 10_000_000 {
			return 0, fmt.Errorf("bad number %q in James algorithm %q", parts[i], spec)
		}
		return n, nil
	}
	var err error
	switch {
	case strings.HasPrefix(name, "PBKDF2-SHA512"):
		a.newHash, a.pbkdf2 = sha512.New, true
		if a.iterations, err = number(2, 1000); err == nil {
			a.keyBits, err = number(3, 512)
		}
	case strings.HasPrefix(name, "PBKDF2"):
		a.newHash, a.pbkdf2 = sha1.New, true
		if a.iterations, err = number(1, 1000); err == nil {
			a.keyBits, err = number(2, 512)
		}
	default:
		switch strings.ToUpper(name) {
		case "MD5":
			a.newHash = md5.New
		case "SHA", "SHA1", "SHA-1":
			a.newHash = sha1.New
		case "SHA-256", "SHA256":
			a.newHash = sha256.New
		case "SHA-384", "SHA384":
			a.newHash = sha512.New384
		case "SHA-512", "SHA512":
			a.newHash = sha512.New
		default:
			return a, fmt.Errorf("unsupported James password algorithm %q", spec)
		}
	}
	if err == nil && a.pbkdf2 && a.keyBits%8 != 0 {
		err = fmt.Errorf("algorithm %q: key size must be a multiple of 8 bits", spec)
	}
	return a, err
}

// latin1 encodes s as ISO-8859-1, replacing what does not fit by '?', as
// Java's String.getBytes(ISO_8859_1) does.
func latin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return b
}

func (a jamesAlgorithm) digest(plain, salt string) ([]byte, error) {
	if a.pbkdf2 {
		return pbkdf2.Key(a.newHash, plain, latin1(salt), a.iterations, a.keyBits/8)
	}
	h := a.newHash()
	if a.salted {
		h.Write(latin1(salt + plain))
	} else {
		h.Write(latin1(plain))
	}
	return h.Sum(nil), nil
}

// VerifyJames reports whether plain matches a James password hash made with
// algorithm (e.g. "PBKDF2-SHA512") and salt (James uses the user name).
// fallbackMode is the repository's hashing mode for algorithms without one.
func VerifyJames(algorithm, fallbackMode, stored, salt, plain string) (bool, error) {
	a, err := parseJamesAlgorithm(algorithm, fallbackMode)
	if err != nil {
		return false, err
	}
	compact := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, stored)
	want, err := base64.StdEncoding.DecodeString(compact)
	if err != nil {
		return false, fmt.Errorf("stored James password hash is not base64: %w", err)
	}
	got, err := a.digest(plain, salt)
	if err != nil {
		return false, err
	}
	if a.legacy {
		got = got[:len(got)/3*3]
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// JamesDigest computes the stored form James would write for plain; tests
// and importers use it.
func JamesDigest(algorithm, fallbackMode, plain, salt string) (string, error) {
	a, err := parseJamesAlgorithm(algorithm, fallbackMode)
	if err != nil {
		return "", err
	}
	d, err := a.digest(plain, salt)
	if err != nil {
		return "", err
	}
	if a.legacy {
		d = d[:len(d)/3*3]
	}
	s := base64.StdEncoding.EncodeToString(d)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String(), nil
}
