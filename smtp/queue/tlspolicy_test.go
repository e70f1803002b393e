package queue

import "testing"

func TestParseServerTLSRules(t *testing.T) {
	rules, err := ParseServerTLSRules("Example.ORG. VERIFY:128, .example.net ENCR:256\nbank.example verify")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"example.org VERIFY:128", ".example.net ENCR:256", "bank.example VERIFY"}
	for i, r := range rules {
		if r.String() != want[i] {
			t.Errorf("rule %d = %q, want %q", i, r, want[i])
		}
	}
	for domain, want := range map[string]string{
		"example.org": "example.org VERIFY:128", "mx.example.net": ".example.net ENCR:256",
		"example.net": "", "sub.example.org": "", "BANK.example.": "bank.example VERIFY",
	} {
		r, ok := serverTLSRule(rules, domain)
		if got := map[bool]string{true: r.String(), false: ""}[ok]; got != want {
			t.Errorf("%s: rule %q, want %q", domain, got, want)
		}
	}
	for _, bad := range []string{"example.org", "example.org ENCR", "example.org ENCR:0", "a@b VERIFY", ". VERIFY", "x.example TRUST:1"} {
		if _, err := ParseServerTLSRules(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseServerTLSRules(f *testing.F) {
	f.Add("example.org VERIFY:128, .example.net ENCR:256")
	f.Add("a VERIFY\nb ENCR:1")
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseServerTLSRules(s)
		if err != nil {
			return
		}
		for _, r := range rules {
			again, err := ParseServerTLSRules(r.String())
			if err != nil || len(again) != 1 || again[0] != r {
				t.Fatalf("%q does not read back: %v %v", r.String(), again, err)
			}
		}
	})
}

func TestServerTLSRuleCatchAll(t *testing.T) {
	rules := []ServerTLSRule{{Domain: "*", MinCipherBits: 128}, {Domain: ".example.org", Verify: true}, {Domain: "mx.example.net", MinCipherBits: 256}}
	for domain, want := range map[string]string{
		"mail.example.org": ".example.org",
		"mx.example.net":   "mx.example.net",
		"elsewhere.test":   "*",
	} {
		r, ok := serverTLSRule(rules, domain)
		if !ok || r.Domain != want {
			t.Errorf("%s: rule %q (%v), want %q", domain, r.Domain, ok, want)
		}
	}
	if _, ok := serverTLSRule(rules[1:], "elsewhere.test"); ok {
		t.Error("a rule matched without a catch-all")
	}
}
