package smtp

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// pathArg is a parsed MAIL FROM or RCPT TO argument.
type pathArg struct {
	addr   string  // mailbox with the domain lower-cased; "" for <>
	params []param // ESMTP parameters after the path
}

type param struct {
	key   string // upper-cased
	value string
}

// parsePathArg parses `FROM:<a@b> SIZE=10` or `TO:<a@b>` (keyword "FROM"
// or "TO"). It is lenient where real clients differ and harmless (a space
// after the colon, a path without angle brackets, a source route, which
// is dropped as RFC 5321 §4.1.1.3 allows) and strict about the mailbox.
// A failure is the reply to send.
func parsePathArg(arg, keyword string) (pathArg, *reply) {
	var p pathArg
	if len(arg) < len(keyword)+1 || !strings.EqualFold(arg[:len(keyword)], keyword) || arg[len(keyword)] != ':' {
		return p, &reply{501, "5.5.4", "Syntax: " + keyword + ":<address>"}
	}
	rest := strings.TrimLeft(arg[len(keyword)+1:], " ")
	var path string
	if strings.HasPrefix(rest, "<") {
		end := closingBracket(rest)
		if end < 0 {
			return p, &reply{501, "5.1.7", "Bad address syntax: missing '>'"}
		}
		path, rest = rest[1:end], rest[end+1:]
	} else {
		path, rest, _ = strings.Cut(rest, " ")
		rest = " " + rest
	}
	if rest != "" && rest[0] != ' ' {
		return p, &reply{501, "5.5.4", "Syntax: a space must follow the address"}
	}
	if strings.HasPrefix(path, "@") { // source route: @a,@b:user@c
		_, after, ok := strings.Cut(path, ":")
		if !ok {
			return p, &reply{501, "5.1.7", "Bad address syntax: unterminated source route"}
		}
		path = after
	}
	p.addr = path
	for _, f := range strings.Fields(rest) {
		k, v, _ := strings.Cut(f, "=")
		p.params = append(p.params, param{strings.ToUpper(k), v})
	}
	return p, nil
}

// closingBracket finds the '>' that ends a path starting with '<', skipping
// quoted strings and backslash escapes in the local part.
func closingBracket(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case '>':
			if !quoted {
				return i
			}
		}
	}
	return -1
}

// checkMailbox validates addr (local@domain) and returns it with the domain
// lower-cased. utf8OK is true when the client gave SMTPUTF8 (RFC 6531).
func checkMailbox(addr string, utf8OK bool) (string, *reply) {
	if !utf8.ValidString(addr) {
		return "", &reply{553, "5.1.7", "Bad address syntax: not UTF-8"}
	}
	if !utf8OK && !isASCII(addr) {
		return "", &reply{553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter"}
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", &reply{553, "5.1.3", "Bad address syntax: want local-part@domain"}
	}
	local, domain := addr[:at], addr[at+1:]
	if !validLocalPart(local) {
		return "", &reply{553, "5.1.3", "Bad address syntax in the local part"}
	}
	if !validDomain(domain) {
		return "", &reply{553, "5.1.2", "Bad address syntax in the domain"}
	}
	return local + "@" + strings.ToLower(domain), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// validLocalPart accepts a Dot-string or a Quoted-string (RFC 5321
// §4.1.2), with UTF-8 allowed as RFC 6531 extends atext.
func validLocalPart(s string) bool {
	if strings.HasPrefix(s, `"`) {
		if len(s) < 2 || !strings.HasSuffix(s, `"`) {
			return false
		}
		inner := s[1 : len(s)-1]
		for i := 0; i < len(inner); i++ {
			c := inner[i]
			switch {
			case c == '\\':
				i++
				if i >= len(inner) || inner[i] < 32 || inner[i] == 127 {
					return false
				}
			case c == '"', c < 32, c == 127:
				return false
			}
		}
		return true
	}
	for _, atom := range strings.Split(s, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !isAtext(atom[i]) {
				return false
			}
		}
	}
	return true
}

func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain accepts a host name (letters, digits, hyphens, UTF-8 labels)
// or an address literal such as [192.0.2.1] or [IPv6:2001:db8::1].
func validDomain(s string) bool {
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		lit := s[1 : len(s)-1]
		if v6, ok := strings.CutPrefix(lit, "IPv6:"); ok {
			a, err := netip.ParseAddr(v6)
			return err == nil && a.Is6() && a.Zone() == ""
		}
		a, err := netip.ParseAddr(lit)
		return err == nil && a.Is4()
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 255 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80) {
				return false
			}
		}
	}
	return true
}

// domainOf returns the domain of a checked mailbox.
func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}
