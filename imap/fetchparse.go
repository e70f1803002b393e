package imap

import (
	"strconv"
	"strings"
)

// section addresses part of a message: BODY[1.2.HEADER.FIELDS (Subject)].
type section struct {
	part      []int  // 1-based part numbers; empty: the whole message
	specifier string // "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME
	fields    []string
}

func (s section) String() string {
	var b strings.Builder
	for i, n := range s.part {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	if s.specifier != "" {
		if len(s.part) > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.specifier)
	}
	if len(s.fields) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(s.fields, " "))
		b.WriteByte(')')
	}
	return b.String()
}

// fetchItem is one fetch-att.
type fetchItem struct {
	name    string // FLAGS, UID, ENVELOPE, BODYSTRUCTURE, BODY (no section), BODY[], RFC822, ...
	peek    bool
	section section
	partial bool
	offset  int64
	count   int64
}

type fetchArgs struct {
	set          seqSet
	items        []fetchItem
	changedSince int64
	vanished     bool // QRESYNC: report expunged UIDs too
}

func parseFetch(p *parser) (any, error) {
	var a fetchArgs
	var err error
	if a.set, err = setArg(p); err != nil {
		return nil, err
	}
	if err = p.sp(); err != nil {
		return nil, err
	}
	if p.peek() == '(' {
		err = p.list(func() error {
			it, err := p.fetchItem()
			a.items = append(a.items, it)
			return err
		})
	} else {
		var name string
		if name, err = p.fetchName(); err != nil {
			return nil, err
		}
		switch strings.ToUpper(name) {
		case "ALL":
			a.items = items("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE")
		case "FAST":
			a.items = items("FLAGS", "INTERNALDATE", "RFC822.SIZE")
		case "FULL":
			a.items = items("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY")
		default:
			p.i -= len(name)
			var it fetchItem
			it, err = p.fetchItem()
			a.items = append(a.items, it)
		}
	}
	if err != nil {
		return nil, err
	}
	if p.accept(' ') {
		err = p.list(func() error {
			name, err := p.atom()
			if err != nil {
				return err
			}
			switch strings.ToUpper(name) {
			case "CHANGEDSINCE":
				if err = p.sp(); err != nil {
					return err
				}
				a.changedSince, err = p.number()
				return err
			case "VANISHED":
				a.vanished = true
				return nil
			}
			return p.fail("unknown FETCH modifier %s", name)
		})
	}
	return a, err
}

func items(names ...string) []fetchItem {
	out := make([]fetchItem, len(names))
	for i, n := range names {
		out[i] = fetchItem{name: n}
	}
	return out
}

func (p *parser) fetchName() (string, error) {
	return p.token("fetch item", func(c byte) bool { return isAtomChar(c) && c != '[' })
}

func (p *parser) fetchItem() (fetchItem, error) {
	name, err := p.fetchName()
	if err != nil {
		return fetchItem{}, err
	}
	it := fetchItem{name: strings.ToUpper(name)}
	switch it.name {
	case "FLAGS", "UID", "ENVELOPE", "INTERNALDATE", "RFC822", "RFC822.HEADER", "RFC822.SIZE", "RFC822.TEXT", "BODYSTRUCTURE", "MODSEQ":
		return it, nil
	case "BODY", "BODY.PEEK":
		if p.peek() != '[' {
			if it.name == "BODY.PEEK" {
				return it, p.fail("BODY.PEEK needs a section")
			}
			return it, nil
		}
	default:
		return it, p.fail("unknown fetch item %s", name)
	}
	it.peek = it.name == "BODY.PEEK"
	it.name = "BODY[]"
	p.i++ // '['
	if it.section, err = p.section(); err != nil {
		return it, err
	}
	if err = p.expect(']'); err != nil {
		return it, err
	}
	if p.accept('<') {
		it.partial = true
		if it.offset, err = p.number(); err != nil {
			return it, err
		}
		if err = p.expect('.'); err != nil {
			return it, err
		}
		if it.count, err = p.number(); err != nil {
			return it, err
		}
		if it.count == 0 {
			return it, p.fail("partial fetch of zero octets")
		}
		if err = p.expect('>'); err != nil {
			return it, err
		}
	}
	return it, nil
}

func (p *parser) section() (section, error) {
	var s section
	for p.peek() >= '1' && p.peek() <= '9' {
		n, err := p.number()
		if err != nil {
			return s, err
		}
		if n > 10000 {
			return s, p.fail("part number %d out of range", n)
		}
		s.part = append(s.part, int(n))
		if !p.accept('.') {
			return s, nil
		}
	}
	if p.peek() == ']' {
		if len(s.part) > 0 {
			return s, p.fail("section ends with a dot")
		}
		return s, nil
	}
	spec, err := p.token("section", func(c byte) bool { return isAtomChar(c) && c != '[' })
	if err != nil {
		return s, err
	}
	s.specifier = strings.ToUpper(spec)
	switch s.specifier {
	case "HEADER", "TEXT":
	case "MIME":
		if len(s.part) == 0 {
			return s, p.fail("MIME needs a part number")
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if err := p.sp(); err != nil {
			return s, err
		}
		err := p.list(func() error {
			f, err := p.astring()
			s.fields = append(s.fields, f) // echoed as sent; compared without case
			return err
		})
		if err == nil && len(s.fields) == 0 {
			err = p.fail("empty header list")
		}
		return s, err
	default:
		return s, p.fail("unknown section %s", spec)
	}
	return s, nil
}
