// Package mutf7 converts mailbox names between UTF-8 and IMAP's modified
// UTF-7 (RFC 3501 section 5.1.3), the form Hedwig stores in hw_mailbox.name.
package mutf7

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

var b64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// Encode converts a UTF-8 name to modified UTF-7. Invalid UTF-8 bytes are
// encoded as U+FFFD.
func Encode(s string) string {
	var b strings.Builder
	var run []uint16
	flush := func() {
		if len(run) == 0 {
			return
		}
		buf := make([]byte, 2*len(run))
		for i, u := range run {
			buf[2*i], buf[2*i+1] = byte(u>>8), byte(u)
		}
		b.WriteByte('&')
		b.WriteString(b64.EncodeToString(buf))
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case r == '&':
			flush()
			b.WriteString("&-")
		case r >= 0x20 && r <= 0x7e:
			flush()
			b.WriteRune(r)
		default:
			run = utf16.AppendRune(run, r)
		}
	}
	flush()
	return b.String()
}

// ErrInvalid reports a name that is not valid modified UTF-7.
var ErrInvalid = errors.New("invalid modified UTF-7")

// Decode converts a modified UTF-7 name to UTF-8.
func Decode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("%w: byte 0x%02x at %d", ErrInvalid, c, i)
		}
		if c != '&' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+1:], '-')
		if end < 0 {
			return "", fmt.Errorf("%w: unterminated shift at %d", ErrInvalid, i)
		}
		chunk := s[i+1 : i+1+end]
		i += end + 1
		if chunk == "" {
			b.WriteByte('&')
			continue
		}
		raw, err := b64.DecodeString(chunk)
		if err != nil || len(raw)%2 != 0 {
			return "", fmt.Errorf("%w: bad base64 %q", ErrInvalid, chunk)
		}
		units := make([]uint16, len(raw)/2)
		for j := range units {
			units[j] = uint16(raw[2*j])<<8 | uint16(raw[2*j+1])
		}
		for _, r := range utf16.Decode(units) {
			if r == utf8.RuneError || (r >= 0x20 && r <= 0x7e) {
				return "", fmt.Errorf("%w: %q encodes a character that must not be encoded", ErrInvalid, chunk)
			}
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}
