package imap

import (
	"bufio"
	"strconv"
	"strings"
)

// writeString writes s as a quoted string when it can be one, else as a
// literal.
func writeString(w *bufio.Writer, s string) {
	if needsLiteral(s) {
		w.WriteString("{" + strconv.Itoa(len(s)) + "}\r\n")
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			w.WriteByte('\\')
		}
		w.WriteByte(s[i])
	}
	w.WriteByte('"')
}

func needsLiteral(s string) bool {
	if len(s) > 1024 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 || c >= 0x80 {
			return true
		}
	}
	return false
}

// writeNString writes s, or NIL when it is empty.
func writeNString(w *bufio.Writer, s string) {
	if s == "" {
		w.WriteString("NIL")
		return
	}
	writeString(w, s)
}

// writeLiteral writes b as a literal.
func writeLiteral(w *bufio.Writer, b []byte) {
	w.WriteString("{" + strconv.Itoa(len(b)) + "}\r\n")
	w.Write(b)
}

// writeAString writes a mailbox name: an atom when it is one, else a string.
func writeAString(w *bufio.Writer, s string) {
	if s != "" && !strings.EqualFold(s, "NIL") {
		atom := true
		for i := 0; i < len(s); i++ {
			if !isAtomChar(s[i]) {
				atom = false
				break
			}
		}
		if atom {
			w.WriteString(s)
			return
		}
	}
	writeString(w, s)
}
