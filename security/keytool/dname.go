package keytool

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Distinguished names as keytool's -dname takes them: "CN=mail.example.com,
// OU=IT, O=Example\, Inc., C=DE". The first RDN written is the most
// specific one, which comes last in the encoded name (RFC 4514 order).

var dnKeywords = []struct {
	names []string
	oid   asn1.ObjectIdentifier
	tag   int // string type to encode with; 0 lets Go choose PrintableString or UTF8String
}{
	{[]string{"CN"}, asn1.ObjectIdentifier{2, 5, 4, 3}, 0},
	{[]string{"OU"}, asn1.ObjectIdentifier{2, 5, 4, 11}, 0},
	{[]string{"O"}, asn1.ObjectIdentifier{2, 5, 4, 10}, 0},
	{[]string{"L"}, asn1.ObjectIdentifier{2, 5, 4, 7}, 0},
	{[]string{"ST", "S"}, asn1.ObjectIdentifier{2, 5, 4, 8}, 0},
	{[]string{"C"}, asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.TagPrintableString},
	{[]string{"STREET"}, asn1.ObjectIdentifier{2, 5, 4, 9}, 0},
	{[]string{"T", "TITLE"}, asn1.ObjectIdentifier{2, 5, 4, 12}, 0},
	{[]string{"SERIALNUMBER"}, asn1.ObjectIdentifier{2, 5, 4, 5}, asn1.TagPrintableString},
	{[]string{"SURNAME"}, asn1.ObjectIdentifier{2, 5, 4, 4}, 0},
	{[]string{"GIVENNAME"}, asn1.ObjectIdentifier{2, 5, 4, 42}, 0},
	{[]string{"INITIALS"}, asn1.ObjectIdentifier{2, 5, 4, 43}, 0},
	{[]string{"GENERATION"}, asn1.ObjectIdentifier{2, 5, 4, 44}, 0},
	{[]string{"DNQUALIFIER", "DNQ"}, asn1.ObjectIdentifier{2, 5, 4, 46}, asn1.TagPrintableString},
	{[]string{"EMAILADDRESS", "EMAIL"}, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, asn1.TagIA5String},
	{[]string{"DC"}, asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, asn1.TagIA5String},
	{[]string{"UID"}, asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, 0},
}

// parseDName parses a distinguished name into the RDN sequence to encode.
func parseDName(s string) (pkix.RDNSequence, error) {
	p := &dnParser{s: s}
	var rdns []pkix.RelativeDistinguishedNameSET
	for {
		rdn, err := p.rdn()
		if err != nil {
			return nil, fmt.Errorf("-dname %q: %w", s, err)
		}
		rdns = append(rdns, rdn)
		p.skipSpace()
		if p.eof() {
			break
		}
		if c := p.s[p.i]; c != ',' && c != ';' {
			return nil, fmt.Errorf("-dname %q: expected ',' at position %d", s, p.i+1)
		}
		p.i++
	}
	// Written most specific first; encoded most specific last.
	seq := make(pkix.RDNSequence, len(rdns))
	for i, r := range rdns {
		seq[len(rdns)-1-i] = r
	}
	return seq, nil
}

type dnParser struct {
	s string
	i int
}

func (p *dnParser) eof() bool { return p.i >= len(p.s) }

func (p *dnParser) skipSpace() {
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// rdn reads one RDN: attribute=value pairs joined by '+'.
func (p *dnParser) rdn() (pkix.RelativeDistinguishedNameSET, error) {
	var set pkix.RelativeDistinguishedNameSET
	for {
		atv, err := p.attribute()
		if err != nil {
			return nil, err
		}
		set = append(set, atv)
		p.skipSpace()
		if p.eof() || p.s[p.i] != '+' {
			return set, nil
		}
		p.i++
	}
}

func (p *dnParser) attribute() (pkix.AttributeTypeAndValue, error) {
	p.skipSpace()
	start := p.i
	for !p.eof() && p.s[p.i] != '=' && p.s[p.i] != ',' && p.s[p.i] != '+' {
		p.i++
	}
	if p.eof() || p.s[p.i] != '=' {
		return pkix.AttributeTypeAndValue{}, fmt.Errorf("expected KEYWORD=value at position %d", start+1)
	}
	keyword := strings.TrimSpace(p.s[start:p.i])
	p.i++
	oid, tag, err := lookupKeyword(keyword)
	if err != nil {
		return pkix.AttributeTypeAndValue{}, err
	}
	value, err := p.value()
	if err != nil {
		return pkix.AttributeTypeAndValue{}, fmt.Errorf("%s: %w", keyword, err)
	}
	if value == "" {
		return pkix.AttributeTypeAndValue{}, fmt.Errorf("%s has an empty value", keyword)
	}
	atv := pkix.AttributeTypeAndValue{Type: oid, Value: value}
	switch tag {
	case asn1.TagIA5String:
		if !isASCII(value) {
			return atv, fmt.Errorf("%s must be ASCII", keyword)
		}
		atv.Value = asn1.RawValue{Tag: tag, Bytes: []byte(value)}
	case asn1.TagPrintableString:
		if !isPrintable(value) {
			return atv, fmt.Errorf("%s=%q: only letters, digits, space and '()+,-./:=? are allowed", keyword, value)
		}
		atv.Value = asn1.RawValue{Tag: tag, Bytes: []byte(value)}
	}
	return atv, nil
}

func lookupKeyword(k string) (asn1.ObjectIdentifier, int, error) {
	up := strings.ToUpper(k)
	for _, kw := range dnKeywords {
		for _, n := range kw.names {
			if n == up {
				return kw.oid, kw.tag, nil
			}
		}
	}
	if oid, ok := parseOID(strings.TrimPrefix(up, "OID.")); ok {
		return oid, 0, nil
	}
	return nil, 0, fmt.Errorf("unknown attribute %q (CN, OU, O, L, ST, C, EMAILADDRESS, DC, ... or an OID)", k)
}

func parseOID(s string) (asn1.ObjectIdentifier, bool) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, false
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n := 0
		if p == "" || len(p) > 9 {
			return nil, false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return nil, false
			}
			n = n*10 + int(c-'0')
		}
		oid[i] = n
	}
	return oid, true
}

// value reads a quoted or escaped attribute value, trimming unescaped
// spaces at its ends.
func (p *dnParser) value() (string, error) {
	p.skipSpace()
	if !p.eof() && p.s[p.i] == '"' {
		p.i++
		var b strings.Builder
		for {
			if p.eof() {
				return "", errors.New("unterminated quoted value")
			}
			c := p.s[p.i]
			p.i++
			switch c {
			case '"':
				return b.String(), nil
			case '\\':
				if p.eof() {
					return "", errors.New("'\\' at the end")
				}
				b.WriteByte(p.s[p.i])
				p.i++
			default:
				b.WriteByte(c)
			}
		}
	}
	var b []byte
	keep := 0 // length up to the last escaped or non-space byte
	for !p.eof() {
		c := p.s[p.i]
		if c == ',' || c == '+' || c == ';' {
			break
		}
		p.i++
		if c == '\\' {
			if p.eof() {
				return "", errors.New("'\\' at the end")
			}
			if h, ok := hexPair(p.s[p.i:]); ok {
				b = append(b, h)
				p.i += 2
			} else {
				b = append(b, p.s[p.i])
				p.i++
			}
			keep = len(b)
			continue
		}
		b = append(b, c)
		if c != ' ' && c != '\t' {
			keep = len(b)
		}
	}
	v := string(b[:keep])
	if !utf8.ValidString(v) {
		return "", errors.New("the value is not valid UTF-8")
	}
	return v, nil
}

func hexPair(s string) (byte, bool) {
	if len(s) < 2 {
		return 0, false
	}
	b, err := hex.DecodeString(s[:2])
	if err != nil {
		return 0, false
	}
	return b[0], true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isPrintable(s string) bool {
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune(" '()+,-./:=?", c):
		default:
			return false
		}
	}
	return true
}

// formatName renders a DER name the way keytool prints it: most specific
// first, ", " between RDNs, JDK keywords.
func formatName(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return "(unreadable name)"
	}
	parts := make([]string, 0, len(seq))
	for i := len(seq) - 1; i >= 0; i-- {
		var atvs []string
		for _, atv := range seq[i] {
			atvs = append(atvs, keywordOf(atv.Type)+"="+escapeDNValue(fmt.Sprint(atv.Value)))
		}
		parts = append(parts, strings.Join(atvs, " + "))
	}
	return strings.Join(parts, ", ")
}

func keywordOf(oid asn1.ObjectIdentifier) string {
	for _, kw := range dnKeywords {
		if kw.oid.Equal(oid) {
			return kw.names[0]
		}
	}
	return "OID." + oid.String()
}

func escapeDNValue(v string) string {
	var b strings.Builder
	for i, c := range v {
		switch {
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\%02X", c) // control characters as hex pairs
			continue
		case strings.ContainsRune(`,+"\<>;`, c):
			b.WriteByte('\\')
		case c == ' ' && (i == 0 || i == len(v)-1), c == '#' && i == 0:
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// commonName returns the most specific CN of a DER name, or "".
func commonName(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	var name pkix.Name
	name.FillFromRDNSequence(&seq)
	return name.CommonName
}
