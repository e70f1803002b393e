package pop3

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestDecodeSASLResponse(t *testing.T) {
	if _, err := decodeSASLResponse("*"); err != errSASLCancelled {
		t.Errorf("* gave %v", err)
	}
	if b, err := decodeSASLResponse("="); err != nil || len(b) != 0 {
		t.Errorf("= gave %q, %v", b, err)
	}
	if b, err := decodeSASLResponse("YWxpY2U="); err != nil || string(b) != "alice" {
		t.Errorf("YWxpY2U= gave %q, %v", b, err)
	}
	for _, bad := range []string{"not base64!", "YWxpY2U", "YWxpY2U=x", "YQ==YQ=="} {
		if b, err := decodeSASLResponse(bad); err == nil {
			t.Errorf("%q decoded to %q", bad, b)
		}
	}
}

func TestParsePlain(t *testing.T) {
	z, c, p, err := parsePlain([]byte("\x00alice@example.com\x00pass word"))
	if err != nil || z != "" || c != "alice@example.com" || p != "pass word" {
		t.Errorf("got %q %q %q %v", z, c, p, err)
	}
	z, _, _, err = parsePlain([]byte("admin\x00alice\x00pw"))
	if err != nil || z != "admin" {
		t.Errorf("authzid: %q %v", z, err)
	}
	for _, bad := range []string{"", "alice", "\x00alice", "\x00\x00pw", "a\x00b\x00c\x00d", "\x00\xff\x00pw"} {
		if _, _, _, err := parsePlain([]byte(bad)); err == nil {
			t.Errorf("parsePlain(%q) succeeded", bad)
		}
	}
}

// FuzzSASLPlain feeds arbitrary base64 lines through the AUTH PLAIN
// decoding: it must fail cleanly or give back what was encoded.
func FuzzSASLPlain(f *testing.F) {
	f.Add("AGFsaWNlAHNlY3JldA==")
	f.Add("*")
	f.Add("=")
	f.Add("YWRtaW4AYWxpY2UAcHc=")
	f.Fuzz(func(t *testing.T, line string) {
		b, err := decodeSASLResponse(line)
		if err != nil {
			return
		}
		z, c, p, err := parsePlain(b)
		if err != nil {
			return
		}
		if c == "" {
			t.Fatalf("empty authcid from %q", line)
		}
		again := []byte(z + "\x00" + c + "\x00" + p)
		if !bytes.Equal(again, b) {
			t.Fatalf("%q does not rebuild %q", again, b)
		}
		if enc := base64.StdEncoding.EncodeToString(b); len(b) > 0 && enc != strings.TrimSpace(line) {
			t.Fatalf("%q is not the canonical encoding %q", line, enc)
		}
	})
}
