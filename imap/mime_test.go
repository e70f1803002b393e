package imap

import "testing"

func TestBrokenContentTypeKeepsStructure(t *testing.T) {
	raw := []byte("Content-Type: multipart/mixed; boundary=\"b1\"; charset=\"unterminated\r\n\r\n--b1\r\n\r\none\r\n--b1\r\n\r\ntwo\r\n--b1--\r\n")
	root := parseMessage(raw)
	if root.mediaType != "multipart" || len(root.children) != 2 || string(root.children[1].body) != "two" {
		t.Fatalf("parsed %s/%s with %d parts", root.mediaType, root.subType, len(root.children))
	}
}
