package password

import (
	"crypto/md5"
	"strings"
	"unicode/utf16"
)

const md5Magic = "$1$"

// utf16Units splits s the way Java's String.toCharArray does.
func utf16Units(s string) []uint16 {
	return utf16.Encode([]rune(s))
}

// javaLowBytes keeps the low byte of every UTF-16 unit, as Hedwig's
// MD5PasswordEncoder does with "(byte) password[i]".
func javaLowBytes(s string) []byte {
	units := utf16Units(s)
	b := make([]byte, len(units))
	for i, u := range units {
		b[i] = byte(u)
	}
	return b
}

// MD5Crypt computes the FreeBSD md5-crypt string "$1$salt$hash" of password;
// salt is cut to 8 characters.
func MD5Crypt(password, salt string) string {
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw, slt := javaLowBytes(password), []byte(salt)

	alt := md5.New()
	alt.Write(pw)
	alt.Write(slt)
	alt.Write(pw)
	altSum := alt.Sum(nil)

	h := md5.New()
	h.Write(pw)
	h.Write([]byte(md5Magic))
	h.Write(slt)
	for i := len(pw); i > 0; i -= 16 {
		h.Write(altSum[:min(i, 16)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write(pw[:1])
		}
	}
	sum := h.Sum(nil)
	for i := 0; i < 1000; i++ {
		r := md5.New()
		if i&1 != 0 {
			r.Write(pw)
		} else {
			r.Write(sum)
		}
		if i%3 != 0 {
			r.Write(slt)
		}
		if i%7 != 0 {
			r.Write(pw)
		}
		if i&1 != 0 {
			r.Write(sum)
		} else {
			r.Write(pw)
		}
		sum = r.Sum(nil)
	}

	var b strings.Builder
	b.WriteString(md5Magic)
	b.WriteString(salt)
	b.WriteByte('$')
	enc := func(v uint32, n int) {
		for ; n > 0; n-- {
			b.WriteByte(cryptAlphabet[v&63])
			v >>= 6
		}
	}
	enc(uint32(sum[0])<<16|uint32(sum[6])<<8|uint32(sum[12]), 4)
	enc(uint32(sum[1])<<16|uint32(sum[7])<<8|uint32(sum[13]), 4)
	enc(uint32(sum[2])<<16|uint32(sum[8])<<8|uint32(sum[14]), 4)
	enc(uint32(sum[3])<<16|uint32(sum[9])<<8|uint32(sum[15]), 4)
	enc(uint32(sum[4])<<16|uint32(sum[10])<<8|uint32(sum[5]), 4)
	enc(uint32(sum[11]), 2)
	return b.String()
}

// md5CryptSalt extracts the salt of "$1$salt$hash"; ok is false when the
// string is not in that form.
func md5CryptSalt(encoded string) (string, bool) {
	rest, found := strings.CutPrefix(encoded, md5Magic)
	if !found {
		return "", false
	}
	salt, _, found := strings.Cut(rest, "$")
	return salt, found
}
