package javaks

import (
	"errors"
	"unicode/utf16"
)

var errBadUTF = errors.New("alias is not valid modified UTF-8")

// decodeModifiedUTF8 decodes Java's modified UTF-8: one to three bytes per
// UTF-16 code unit, so characters beyond the BMP arrive as surrogate pairs.
func decodeModifiedUTF8(b []byte) (string, error) {
	units := make([]uint16, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			units = append(units, uint16(c))
			i++
		case c&0xE0 == 0xC0:
			if i+1 >= len(b) || b[i+1]&0xC0 != 0x80 {
				return "", errBadUTF
			}
			units = append(units, uint16(c&0x1F)<<6|uint16(b[i+1]&0x3F))
			i += 2
		case c&0xF0 == 0xE0:
			if i+2 >= len(b) || b[i+1]&0xC0 != 0x80 || b[i+2]&0xC0 != 0x80 {
				return "", errBadUTF
			}
			units = append(units, uint16(c&0x0F)<<12|uint16(b[i+1]&0x3F)<<6|uint16(b[i+2]&0x3F))
			i += 3
		default:
			return "", errBadUTF
		}
	}
	return string(utf16.Decode(units)), nil
}
