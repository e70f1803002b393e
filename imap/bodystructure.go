package imap

import (
	"bufio"
	"mime"
	"strconv"
	"strings"
)

// writeBodyStructure writes BODYSTRUCTURE (extended true) or BODY of a
// part (RFC 3501 §7.4.2).
func writeBodyStructure(w *bufio.Writer, p *part, extended bool) {
	w.WriteByte('(')
	if p.mediaType == "multipart" {
		if len(p.children) == 0 {
			// A multipart without parts is described as an empty text
			// part, since the grammar needs at least one.
			w.WriteString(`("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)`)
		}
		for _, c := range p.children {
			writeBodyStructure(w, c, extended)
		}
		w.WriteByte(' ')
		writeString(w, p.subType)
		if extended {
			w.WriteByte(' ')
			writeParams(w, p.params)
			writeExtension(w, p)
		}
		w.WriteByte(')')
		return
	}
	writeString(w, p.mediaType)
	w.WriteByte(' ')
	writeString(w, p.subType)
	w.WriteByte(' ')
	writeParams(w, p.params)
	w.WriteByte(' ')
	writeNString(w, p.field("Content-ID"))
	w.WriteByte(' ')
	writeNString(w, p.field("Content-Description"))
	w.WriteByte(' ')
	enc := strings.ToLower(strings.TrimSpace(p.field("Content-Transfer-Encoding")))
	if enc == "" {
		enc = "7bit"
	}
	writeString(w, enc)
	w.WriteString(" " + strconv.Itoa(len(p.body)))
	switch {
	case p.embedded != nil:
		w.WriteByte(' ')
		writeEnvelope(w, p.embedded)
		w.WriteByte(' ')
		writeBodyStructure(w, p.embedded, extended)
		w.WriteString(" " + strconv.Itoa(lines(p.body)))
	case p.mediaType == "text":
		w.WriteString(" " + strconv.Itoa(lines(p.body)))
	}
	if extended {
		w.WriteByte(' ')
		writeNString(w, p.field("Content-MD5"))
		writeExtension(w, p)
	}
	w.WriteByte(')')
}

func writeParams(w *bufio.Writer, params []param) {
	if len(params) == 0 {
		w.WriteString("NIL")
		return
	}
	w.WriteByte('(')
	for i, pr := range params {
		if i > 0 {
			w.WriteByte(' ')
		}
		writeString(w, pr.name)
		w.WriteByte(' ')
		writeString(w, pr.value)
	}
	w.WriteByte(')')
}

// writeExtension writes disposition, language and location.
func writeExtension(w *bufio.Writer, p *part) {
	w.WriteByte(' ')
	disp, params, err := mime.ParseMediaType(p.field("Content-Disposition"))
	if err != nil || disp == "" {
		w.WriteString("NIL")
	} else {
		w.WriteByte('(')
		writeString(w, disp)
		w.WriteByte(' ')
		var ps []param
		for _, k := range sortedKeys(params) {
			ps = append(ps, param{k, params[k]})
		}
		writeParams(w, ps)
		w.WriteByte(')')
	}
	w.WriteByte(' ')
	lang := strings.TrimSpace(p.field("Content-Language"))
	if lang == "" {
		w.WriteString("NIL")
	} else {
		w.WriteByte('(')
		for i, l := range strings.Split(lang, ",") {
			if i > 0 {
				w.WriteByte(' ')
			}
			writeString(w, strings.TrimSpace(l))
		}
		w.WriteByte(')')
	}
	w.WriteByte(' ')
	writeNString(w, p.field("Content-Location"))
}
