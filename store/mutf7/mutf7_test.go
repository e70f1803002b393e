package mutf7

import (
	"testing"
	"unicode/utf8"
)

func TestKnownNames(t *testing.T) {
	cases := map[string]string{
		"INBOX":              "INBOX",
		"Entwürfe":           "Entw&APw-rfe",
		"Tom & Jerry":        "Tom &- Jerry",
		"~peter/mail/台北/日本語": "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
		"보낸 편지함":             "&vPSwuA- &07jJwNVo-",
	}
	for utf, m := range cases {
		if got := Encode(utf); got != m {
			t.Errorf("Encode(%q) = %q, want %q", utf, got, m)
		}
		if got, err := Decode(m); err != nil || got != utf {
			t.Errorf("Decode(%q) = %q, %v, want %q", m, got, err, utf)
		}
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, bad := range []string{"&", "&Jjo", "&AGE-", "a\x80b", "&Jjo!-"} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("Entwürfe")
	f.Add("&U,BTFw-")
	f.Add("a&-b")
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := Decode(s); err == nil {
			if again, err := Decode(Encode(d)); err != nil || again != d {
				t.Fatalf("Decode(%q)=%q re-encodes to %q -> %q, %v", s, d, Encode(d), again, err)
			}
		}
		if utf8.ValidString(s) {
			if got, err := Decode(Encode(s)); err != nil || got != s {
				t.Fatalf("round trip of %q = %q, %v", s, got, err)
			}
		}
	})
}
