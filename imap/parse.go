package imap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// parser reads the arguments of one command in wire form: the command's
// lines joined by CRLF, each literal "{n}\r\n" followed by its n octets.
type parser struct {
	b []byte
	i int
	// spooled is a literal kept in a file instead of b (a large APPEND):
	// b holds its "{n}\r\n" and nothing of its data at offset spooledAt.
	spooled   *spooledLiteral
	spooledAt int
}

// spooledLiteral is a literal's data written to a temporary file.
type spooledLiteral struct {
	f    *os.File
	size int64
}

// errSpooled tells the caller that the literal is the spooled one.
var errSpooled = fmt.Errorf("%w: a literal this large is only accepted as an APPEND message", errSyntax)

// errSyntax marks a malformed command: the reply is a tagged BAD.
var errSyntax = errors.New("syntax error")

func (p *parser) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errSyntax, fmt.Sprintf(format, args...))
}

func (p *parser) atEnd() bool { return p.i >= len(p.b) }

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// end checks that nothing follows the last argument.
func (p *parser) end() error {
	if !p.atEnd() {
		return p.fail("unexpected %q after the last argument", clip(p.b[p.i:]))
	}
	return nil
}

func (p *parser) expect(c byte) error {
	if p.peek() != c || p.atEnd() {
		if p.atEnd() {
			return p.fail("expected %q, found end of command", c)
		}
		return p.fail("expected %q, found %q", c, clip(p.b[p.i:]))
	}
	p.i++
	return nil
}

func (p *parser) sp() error { return p.expect(' ') }

// accept consumes c if it is next.
func (p *parser) accept(c byte) bool {
	if !p.atEnd() && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func clip(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "..."
	}
	return string(b)
}

// isAtomChar reports ATOM-CHAR of RFC 3501 (any CHAR except atom-specials).
func isAtomChar(c byte) bool {
	if c <= 0x1f || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return true
}

// token reads a run of bytes accepted by ok; it fails on an empty run.
func (p *parser) token(what string, ok func(byte) bool) (string, error) {
	start := p.i
	for !p.atEnd() && ok(p.b[p.i]) {
		p.i++
	}
	if p.i == start {
		if p.atEnd() {
			return "", p.fail("expected %s, found end of command", what)
		}
		return "", p.fail("expected %s, found %q", what, clip(p.b[p.i:]))
	}
	return string(p.b[start:p.i]), nil
}

func (p *parser) atom() (string, error) { return p.token("atom", isAtomChar) }

// astring is an atom (']' allowed) or a string.
func (p *parser) astring() (string, error) {
	switch p.peek() {
	case '"', '{':
		return p.str()
	}
	// 8-bit octets are not ATOM-CHARs, but clients send UTF-8 search
	// terms and names unquoted often enough to be worth accepting.
	return p.token("astring", func(c byte) bool { return isAtomChar(c) || c == ']' || c >= 0x80 })
}

// nstring is a string or NIL.
func (p *parser) nstring() (string, bool, error) {
	switch p.peek() {
	case '"', '{':
		s, err := p.str()
		return s, true, err
	}
	a, err := p.atom()
	if err != nil {
		return "", false, err
	}
	if !strings.EqualFold(a, "NIL") {
		return "", false, p.fail("expected string or NIL, found %q", a)
	}
	return "", false, nil
}

// str reads a quoted string or a literal.
func (p *parser) str() (string, error) {
	b, err := p.strBytes()
	return string(b), err
}

func (p *parser) strBytes() ([]byte, error) {
	switch p.peek() {
	case '"':
		return p.quoted()
	case '{':
		return p.literal()
	}
	if p.atEnd() {
		return nil, p.fail("expected string, found end of command")
	}
	return nil, p.fail("expected string, found %q", clip(p.b[p.i:]))
}

func (p *parser) quoted() ([]byte, error) {
	p.i++ // opening quote
	var out []byte
	for !p.atEnd() {
		c := p.b[p.i]
		p.i++
		switch c {
		case '"':
			return out, nil
		case '\\':
			if p.atEnd() || (p.b[p.i] != '"' && p.b[p.i] != '\\') {
				return nil, p.fail("bad escape in quoted string")
			}
			out = append(out, p.b[p.i])
			p.i++
		case '\r', '\n', 0:
			return nil, p.fail("line break in quoted string")
		default:
			out = append(out, c)
		}
	}
	return nil, p.fail("unterminated quoted string")
}

// literalHeader parses "{n}" or "{n+}" (without the CRLF).
func literalHeader(b []byte) (n int64, nonSync bool, ok bool) {
	if len(b) < 3 || b[0] != '{' || b[len(b)-1] != '}' {
		return 0, false, false
	}
	digits := b[1 : len(b)-1]
	if len(digits) > 0 && digits[len(digits)-1] == '+' {
		nonSync = true
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	return n, nonSync, err == nil
}

func (p *parser) literal() ([]byte, error) {
	end := bytes.IndexByte(p.b[p.i:], '}')
	if end < 0 {
		return nil, p.fail("unterminated literal")
	}
	n, _, ok := literalHeader(p.b[p.i : p.i+end+1])
	if !ok {
		return nil, p.fail("bad literal %q", clip(p.b[p.i:p.i+end+1]))
	}
	p.i += end + 1
	if !bytes.HasPrefix(p.b[p.i:], []byte("\r\n")) {
		return nil, p.fail("literal announcement not followed by CRLF")
	}
	p.i += 2
	if p.spooled != nil && p.i == p.spooledAt {
		return nil, errSpooled
	}
	if n > int64(len(p.b)-p.i) {
		return nil, p.fail("literal shorter than announced")
	}
	out := p.b[p.i : p.i+int(n)]
	p.i += int(n)
	return out, nil
}

func (p *parser) number() (int64, error) {
	s, err := p.token("number", func(c byte) bool { return c >= '0' && c <= '9' })
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > 1<<53 {
		return 0, p.fail("number %s out of range", s)
	}
	return n, nil
}

// nzNumber is a number above zero that fits an IMAP uint32.
func (p *parser) nzNumber() (uint32, error) {
	n, err := p.number()
	if err != nil {
		return 0, err
	}
	if n == 0 || n > 0xffffffff {
		return 0, p.fail("number %d out of range", n)
	}
	return uint32(n), nil
}

// list reads "(" item *(SP item) ")" (or "()") calling item for each.
func (p *parser) list(item func() error) error {
	if err := p.expect('('); err != nil {
		return err
	}
	if p.accept(')') {
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if p.accept(')') {
			return nil
		}
		if err := p.sp(); err != nil {
			return err
		}
	}
}

// flag reads a flag: "\Atom" or a keyword atom.
func (p *parser) flag() (string, error) {
	if p.accept('\\') {
		a, err := p.atom()
		return "\\" + a, err
	}
	return p.atom()
}

func (p *parser) flagList() ([]string, error) {
	var flags []string
	err := p.list(func() error {
		f, err := p.flag()
		flags = append(flags, f)
		return err
	})
	return flags, err
}
