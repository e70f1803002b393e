package imap

import (
	"bufio"
	"mime"
	"net/mail"
	"strings"
)

// writeEnvelope writes the ENVELOPE of a message entity (RFC 3501 §7.4.2).
func writeEnvelope(w *bufio.Writer, m *part) {
	from := m.field("From")
	sender := m.field("Sender")
	if sender == "" {
		sender = from
	}
	replyTo := m.field("Reply-To")
	if replyTo == "" {
		replyTo = from
	}
	w.WriteByte('(')
	writeNString(w, m.field("Date"))
	w.WriteByte(' ')
	writeNString(w, m.field("Subject"))
	for _, list := range []string{from, sender, replyTo, m.field("To"), m.field("Cc"), m.field("Bcc")} {
		w.WriteByte(' ')
		writeAddressList(w, list)
	}
	w.WriteByte(' ')
	writeNString(w, m.field("In-Reply-To"))
	w.WriteByte(' ')
	writeNString(w, m.field("Message-ID"))
	w.WriteByte(')')
}

// writeAddressList writes a parenthesized list of addresses, or NIL when
// the field is absent or cannot be parsed.
func writeAddressList(w *bufio.Writer, value string) {
	if strings.TrimSpace(value) == "" {
		w.WriteString("NIL")
		return
	}
	addrs, err := mail.ParseAddressList(value)
	if err != nil || len(addrs) == 0 {
		w.WriteString("NIL")
		return
	}
	w.WriteByte('(')
	for _, a := range addrs {
		local, domain := a.Address, ""
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			local, domain = a.Address[:i], a.Address[i+1:]
		}
		name := a.Name
		if needsLiteral(name) {
			// net/mail decoded RFC 2047 words; IMAP wants them encoded.
			name = mime.QEncoding.Encode("utf-8", name)
		}
		w.WriteByte('(')
		writeNString(w, name)
		w.WriteString(" NIL ")
		writeNString(w, local)
		w.WriteByte(' ')
		writeNString(w, domain)
		w.WriteByte(')')
	}
	w.WriteByte(')')
}
