package imap

import (
	"bufio"
	"strings"
	"testing"
)

func TestBrokenContentTypeKeepsStructure(t *testing.T) {
	raw := []byte("Content-Type: multipart/mixed; boundary=\"b1\"; charset=\"unterminated\r\n\r\n--b1\r\n\r\none\r\n--b1\r\n\r\ntwo\r\n--b1--\r\n")
	root := parseMessage(raw)
	if root.mediaType != "multipart" || len(root.children) != 2 || string(root.children[1].body) != "two" {
		t.Fatalf("parsed %s/%s with %d parts", root.mediaType, root.subType, len(root.children))
	}
}

func envelopeOf(raw string) string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	writeEnvelope(w, parseMessage([]byte(raw)))
	w.Flush()
	return b.String()
}

func TestEnvelope(t *testing.T) {
	got := envelopeOf("From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\r\nTo: undisclosed-recipients:;\r\n" +
		"Cc: \"Last, First\" <lf@example.org>, plain@example.net\r\nSubject: hi \"there\"\r\n\r\nbody")
	want := `(NIL "hi \"there\"" (("=?utf-8?q?J=C3=B6rg?=" NIL "joerg" "example.de")) (("=?utf-8?q?J=C3=B6rg?=" NIL "joerg" "example.de")) ` +
		`(("=?utf-8?q?J=C3=B6rg?=" NIL "joerg" "example.de")) NIL (("Last, First" NIL "lf" "example.org")(NIL NIL "plain" "example.net")) NIL NIL NIL)`
	if got != want {
		t.Fatalf("envelope\n%s\nwant\n%s", got, want)
	}
	if got := envelopeOf("\r\n"); got != "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)" {
		t.Fatalf("envelope of an empty header: %s", got)
	}
}
