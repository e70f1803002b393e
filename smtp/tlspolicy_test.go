package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"net/netip"
	"strings"
	"testing"
)

func TestParseClientTLSRules(t *testing.T) {
	rules, err := ParseClientTLSRules("192.0.2.0/24 VERIFY:128, 2001:db8::/32 ENCR:256\n198.51.100.7 verify")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.0.2.0/24 VERIFY:128", "2001:db8::/32 ENCR:256", "198.51.100.7/32 VERIFY"}
	if len(rules) != len(want) {
		t.Fatalf("got %v", rules)
	}
	for i, r := range rules {
		if r.String() != want[i] {
			t.Errorf("rule %d = %q, want %q", i, r, want[i])
		}
	}
	for _, bad := range []string{"192.0.2.0/24", "192.0.2.0/24 ENCR", "192.0.2.0/24 ENCR:lots", "nonsense VERIFY", "10.0.0.0/8 TRUST"} {
		if _, err := ParseClientTLSRules(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestClientTLSRuleUnmet(t *testing.T) {
	rules, _ := ParseClientTLSRules("10.0.0.0/8 ENCR:128, 10.1.0.0/16 VERIFY:256")
	r, ok := clientTLSRule(rules, netip.MustParseAddr("10.1.2.3"))
	if !ok || !r.Verify {
		t.Fatalf("most specific rule not chosen: %v", r)
	}
	if _, ok := clientTLSRule(rules, netip.MustParseAddr("192.0.2.1")); ok {
		t.Fatal("rule for an unlisted network")
	}
	aes128 := &tls.ConnectionState{CipherSuite: tls.TLS_AES_128_GCM_SHA256}
	aes256 := &tls.ConnectionState{CipherSuite: tls.TLS_AES_256_GCM_SHA384, VerifiedChains: [][]*x509.Certificate{{}}}
	for _, tt := range []struct {
		st   *tls.ConnectionState
		want string
	}{
		{nil, "STARTTLS"},
		{aes128, "verified client certificate"},
		{&tls.ConnectionState{CipherSuite: tls.TLS_AES_128_GCM_SHA256, VerifiedChains: aes256.VerifiedChains}, "256 bits"},
		{aes256, ""},
	} {
		got := r.unmet(tt.st)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("unmet = %q, want %q", got, tt.want)
		}
	}
}

func FuzzParseClientTLSRules(f *testing.F) {
	f.Add("192.0.2.0/24 VERIFY:128, 2001:db8::/32 ENCR:256")
	f.Add("::ffff:10.0.0.0/104 ENCR:1")
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseClientTLSRules(s)
		if err != nil {
			return
		}
		for _, r := range rules {
			again, err := ParseClientTLSRules(r.String())
			if err != nil || len(again) != 1 || again[0] != r {
				t.Fatalf("%q does not read back: %v %v", r.String(), again, err)
			}
		}
	})
}
