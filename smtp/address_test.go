package smtp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParsePathArg(t *testing.T) {
	tests := []struct {
		arg, keyword string
		addr         string
		params       []param
		code         int // 0: accepted
	}{
		{"FROM:<alice@example.com>", "FROM", "alice@example.com", nil, 0},
		{"from:<alice@example.com> SIZE=100 BODY=8BITMIME", "FROM", "alice@example.com", []param{{"SIZE", "100"}, {"BODY", "8BITMIME"}}, 0},
		{"FROM:<>", "FROM", "", nil, 0},
		{"FROM: <alice@example.com>", "FROM", "alice@example.com", nil, 0},
		{"FROM:alice@example.com SIZE=5", "FROM", "alice@example.com", []param{{"SIZE", "5"}}, 0},
		{"TO:<@relay.example,@other.example:bob@example.org>", "TO", "bob@example.org", nil, 0},
		{`TO:<"odd>name"@example.org>`, "TO", `"odd>name"@example.org`, nil, 0},
		{"TO:<bob@example.org", "TO", "", nil, 501},
		{"TO:<bob@example.org>x", "TO", "", nil, 501},
		{"FROM<alice@example.com>", "FROM", "", nil, 501},
		{"TO:<@relay.example>", "TO", "", nil, 501},
	}
	for _, tt := range tests {
		p, bad := parsePathArg(tt.arg, tt.keyword)
		if tt.code != 0 {
			if bad == nil || bad.code != tt.code {
				t.Errorf("%q: got %+v, %+v; want reply %d", tt.arg, p, bad, tt.code)
			}
			continue
		}
		if bad != nil {
			t.Errorf("%q: refused: %+v", tt.arg, bad)
			continue
		}
		if p.addr != tt.addr || len(p.params) != len(tt.params) {
			t.Errorf("%q: got %q %v, want %q %v", tt.arg, p.addr, p.params, tt.addr, tt.params)
			continue
		}
		for i := range p.params {
			if p.params[i] != tt.params[i] {
				t.Errorf("%q: param %d = %v, want %v", tt.arg, i, p.params[i], tt.params[i])
			}
		}
	}
}

func TestCheckMailbox(t *testing.T) {
	tests := []struct {
		addr   string
		utf8   bool
		want   string
		code   int
		enhanc string
	}{
		{"Alice@Example.COM", false, "Alice@example.com", 0, ""},
		{"first.last+tag@sub.example.org", false, "first.last+tag@sub.example.org", 0, ""},
		{`"john doe"@example.org`, false, `"john doe"@example.org`, 0, ""},
		{"user@[192.0.2.1]", false, "user@[192.0.2.1]", 0, ""},
		{"user@[IPv6:2001:db8::1]", false, "user@[ipv6:2001:db8::1]", 0, ""},
		{"用户@例子.广告", true, "用户@例子.广告", 0, ""},
		{"用户@例子.广告", false, "", 553, "5.6.7"},
		{"no-at-sign", false, "", 553, "5.1.3"},
		{"a..b@example.org", false, "", 553, "5.1.3"},
		{".a@example.org", false, "", 553, "5.1.3"},
		{"a@-example.org", false, "", 553, "5.1.2"},
		{"a@exa mple.org", false, "", 553, "5.1.2"},
		{"a@[300.0.0.1]", false, "", 553, "5.1.2"},
		{"a@example..org", false, "", 553, "5.1.2"},
		{"a\x00b@example.org", false, "", 553, "5.1.3"},
	}
	for _, tt := range tests {
		got, bad := checkMailbox(tt.addr, tt.utf8)
		if tt.code != 0 {
			if bad == nil || bad.code != tt.code || bad.enhanced != tt.enhanc {
				t.Errorf("%q: got %q %+v, want %d %s", tt.addr, got, bad, tt.code, tt.enhanc)
			}
			continue
		}
		if bad != nil || got != tt.want {
			t.Errorf("%q: got %q %+v, want %q", tt.addr, got, bad, tt.want)
		}
	}
}

// FuzzParsePathArg: whatever a client sends, parsing neither panics nor
// accepts an address that could break a header or a queue file line.
func FuzzParsePathArg(f *testing.F) {
	for _, s := range []string{"FROM:<a@b.c> SIZE=1", "TO:<@x,@y:a@b>", `TO:<"a>b"@c>`, "FROM:<>", "TO:a@b"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, arg string, smtputf8 bool) {
		for _, kw := range []string{"FROM", "TO"} {
			p, bad := parsePathArg(arg, kw)
			if bad != nil || p.addr == "" {
				continue
			}
			addr, bad := checkMailbox(p.addr, smtputf8)
			if bad != nil {
				continue
			}
			if strings.ContainsAny(addr, "\r\n\x00<>") && !strings.HasPrefix(addr, `"`) {
				t.Fatalf("accepted %q from %q", addr, arg)
			}
			if strings.ContainsAny(addr, "\r\n") || !utf8.ValidString(addr) {
				t.Fatalf("accepted %q from %q", addr, arg)
			}
			if !smtputf8 && !isASCII(addr) {
				t.Fatalf("accepted non-ASCII %q without SMTPUTF8", addr)
			}
			if domainOf(addr) == "" {
				t.Fatalf("accepted %q without a domain", addr)
			}
		}
	})
}
