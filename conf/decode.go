package conf

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/magiconair/properties"
)

// lineDecoder turns one logical line into its key and value with
// magiconair/properties, with ${...} expansion off: magiconair would
// silently empty references it cannot resolve, and Hedwig expands only
// system properties, later, in Config.getProperty.
//
// magiconair differs from Java on a few inputs; scanLogicalLines already
// removes the line-structure ones (continuations after "\r\n", backslash
// continuations inside keys, a backslash at the end of the file). The rest
// are fixed here and covered by TestReadPropertiesMatchesJava:
//   - an empty key ("=v", ":v") is an error to magiconair, a key "" to Java;
//   - a UTF-16 surrogate pair written as two \u escapes is one character to
//     Java, two U+FFFD to magiconair;
//   - magiconair drops a U+FEFF at the start of its input, Java keeps it.
var lineDecoder = properties.Loader{Encoding: properties.UTF8, DisableExpansion: true}

// decodeLine returns the key and the unescaped value of a logical line.
func decodeLine(text string) (key, value string, err error) {
	if text == "" {
		return "", "", nil
	}
	text = joinSurrogateEscapes(text)
	emptyKey := text[0] == '=' || text[0] == ':'
	src := text
	switch {
	case emptyKey:
		src = "k" + text
	case strings.HasPrefix(text, "\uFEFF"):
		src = `\ufeff` + text[len("\uFEFF"):]
	}
	p, err := lineDecoder.LoadBytes([]byte(src))
	if err != nil {
		return "", "", describeDecodeError(err)
	}
	keys := p.Keys()
	if len(keys) != 1 {
		return "", "", fmt.Errorf("cannot split %q into key and value", text)
	}
	value, _ = p.Get(keys[0])
	if emptyKey {
		return "", value, nil
	}
	return keys[0], value, nil
}

// describeDecodeError rewords magiconair's errors; the only one a logical
// line can produce is a malformed \u escape, which Java rejects as well
// (IllegalArgumentException: Malformed \uxxxx encoding).
func describeDecodeError(err error) error {
	if strings.Contains(err.Error(), "unicode literal") {
		return fmt.Errorf(`malformed \uxxxx escape: Java needs exactly four hex digits after \u (write \\ for a literal backslash)`)
	}
	return fmt.Errorf("unreadable line: %w", err)
}

// joinSurrogateEscapes replaces each escaped UTF-16 surrogate pair, such as
// \uD83D\uDE00, with the character it encodes, leaving every other escape
// untouched. Backslashes are read in pairs so that \\uD83D stays literal.
func joinSurrogateEscapes(text string) string {
	if !strings.Contains(text, `\u`) {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] != '\\' || i+1 == len(text) {
			b.WriteByte(text[i])
			i++
			continue
		}
		if text[i+1] != 'u' {
			b.WriteString(text[i : i+2])
			i += 2
			continue
		}
		hi, ok := hexEscape(text, i)
		if ok && utf16.IsSurrogate(hi) && hi < 0xDC00 {
			if lo, ok := hexEscape(text, i+6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				b.WriteRune(utf16.DecodeRune(hi, lo))
				i += 12
				continue
			}
		}
		b.WriteString(text[i : i+2])
		i += 2
	}
	return b.String()
}

// hexEscape decodes the \uXXXX escape at text[i:], if there is one.
func hexEscape(text string, i int) (rune, bool) {
	if i+6 > len(text) || text[i] != '\\' || text[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(text[i+2 : i+6]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// decodeText reads a file's bytes as Java 9+ reads a properties resource:
// UTF-8 when the bytes are valid UTF-8, otherwise ISO-8859-1 for the whole
// file. A leading UTF-8 byte-order mark is dropped (Java would make it part
// of the first key, which only ever hides that key).
func decodeText(data []byte) (text, encoding string) {
	if utf8.Valid(data) {
		return strings.TrimPrefix(string(data), "\uFEFF"), "UTF-8"
	}
	runes := make([]rune, len(data))
	for i, c := range data {
		runes[i] = rune(c)
	}
	return string(runes), "ISO-8859-1"
}
