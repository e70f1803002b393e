package imap

import (
	"bytes"
	"slices"
	"strings"
)

// sectionBytes returns the octets a section names, or nil when the
// message has no such part (an empty string per RFC 3501).
func sectionBytes(raw []byte, root *part, s section) []byte {
	if len(s.part) == 0 && s.specifier == "" {
		return raw
	}
	target := root
	for _, n := range s.part {
		if target = target.child(n); target == nil {
			return nil
		}
	}
	msg := target
	if len(s.part) > 0 && target.embedded != nil {
		msg = target.embedded
	}
	switch s.specifier {
	case "":
		return target.body
	case "MIME":
		return target.header
	case "HEADER":
		return msg.header
	case "TEXT":
		return msg.body
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		return filterFields(msg, s.fields, s.specifier == "HEADER.FIELDS.NOT")
	}
	return nil
}

// filterFields keeps (or, with not, drops) the named header fields, in
// message order, followed by the blank line.
func filterFields(p *part, names []string, not bool) []byte {
	var b bytes.Buffer
	for _, f := range p.fields {
		named := slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, f.name) })
		if named != not {
			b.Write(f.raw)
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// partial applies a <offset.count> range.
func partial(b []byte, it fetchItem) []byte {
	if !it.partial {
		return b
	}
	if it.offset >= int64(len(b)) {
		return nil
	}
	b = b[it.offset:]
	if it.count < int64(len(b)) {
		b = b[:it.count]
	}
	return b
}
