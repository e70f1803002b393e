package imap

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseCommand feeds arbitrary command text to the parser: it must
// return a command or a syntax error, never panic, and a parsed command
// must have a tag and a known name.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"a LOGIN alice s3cret",
		"a LOGIN {5}\r\nalice {6}\r\ns3cret",
		"a UID FETCH 1:*,7 (UID FLAGS BODY.PEEK[1.2.HEADER.FIELDS (Subject From)]<0.100> BODYSTRUCTURE)",
		`a STORE 1 (UNCHANGEDSINCE 5) +FLAGS.SILENT (\Seen $Junk)`,
		`a SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM "bob" SINCE 1-Feb-2026) NOT UID 3:5 HEADER X-Spam yes`,
		`a APPEND INBOX (\Draft) " 5-Nov-2026 09:30:00 +0100" {3+}` + "\r\nabc",
		`a LIST "" "%"`, "a STATUS INBOX (MESSAGES UIDNEXT)", "a AUTHENTICATE PLAIN =", `a ID ("name" "x")`,
		"a ENABLE CONDSTORE", "a RENAME a b", "a UID EXPUNGE 1:3", "a MOVE 1 Trash",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, err := parseCommand(b)
		if cmd == nil {
			t.Fatal("nil command")
		}
		if err != nil {
			if !errors.Is(err, errSyntax) {
				t.Fatalf("error %v is not a syntax error", err)
			}
			return
		}
		if cmd.tag == "" {
			t.Fatal("parsed a command without a tag")
		}
		if _, ok := commands[cmd.name]; !ok {
			t.Fatalf("parsed unknown command %q", cmd.name)
		}
	})
}

// FuzzMessageStructure parses arbitrary messages and renders what FETCH
// derives from them: nothing may panic, the section bytes must lie inside
// the message, and the rendered BODYSTRUCTURE must balance its parentheses
// outside strings.
func FuzzMessageStructure(f *testing.F) {
	f.Add(sampleMessage("seed"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nhi\r\n--b--\r\n"))
	f.Add([]byte("From: \"A\" <a@b>, broken\r\nTo: undisclosed-recipients:;\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		root := parseMessage(raw)
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		writeBodyStructure(w, root, true)
		w.WriteByte(' ')
		writeEnvelope(w, root)
		w.Flush()
		if depth := parenDepth(b.String()); depth != 0 {
			t.Fatalf("unbalanced structure (%d): %s", depth, b.String())
		}
		for _, sec := range []section{{}, {specifier: "HEADER"}, {specifier: "TEXT"}, {part: []int{1}}, {part: []int{1, 1}, specifier: "MIME"},
			{part: []int{2, 1}, specifier: "HEADER.FIELDS", fields: []string{"SUBJECT"}}} {
			got := sectionBytes(raw, root, sec)
			if sec.specifier != "HEADER.FIELDS" && len(got) > 0 && !bytes.Contains(raw, got) {
				t.Fatalf("section %s is not part of the message", sec)
			}
		}
	})
}

// parenDepth counts parentheses outside quoted strings and literals.
func parenDepth(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '{':
			if n, _, ok := trailingLiteral(s[i:min(len(s), strings.IndexByte(s[i:], '}')+i+1)]); ok && strings.IndexByte(s[i:], '}') >= 0 {
				i += strings.IndexByte(s[i:], '}') + 2 + int(n)
			}
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	return depth
}
