package james

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := []struct {
		in   string
		unit byte
		want int64
	}{
		{"0", 'K', 0}, {"100", 'K', 102400}, {"100", 'B', 100}, {"1K", 'B', 1024}, {"1k", 'B', 1024},
		{"10M", 'K', 10 << 20}, {"10m", 'K', 10 << 20}, {"2G", 'K', 2 << 30}, {"30B", 'K', 30}, {" 64K ", 'B', 65536},
		{"unlimited", 'K', 0}, {"8589934591G", 'B', 8589934591 << 30},
	}
	for _, c := range good {
		got, err := ParseSize(c.in, c.unit)
		if err != nil || got != c.want {
			t.Errorf("ParseSize(%q, %c) = %d, %v; want %d", c.in, c.unit, got, err, c.want)
		}
	}
	for _, in := range []string{"", "K", "10MB", "1.5M", "-1", "10T", "ten", "9223372036854775807K", "8589934592G"} {
		if got, err := ParseSize(in, 'K'); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseBinds(t *testing.T) {
	good := map[string][]string{
		"0.0.0.0:25":                    {"0.0.0.0:25"},
		"127.0.0.1:24":                  {"127.0.0.1:24"},
		"0.0.0.0:143,127.0.0.1:1143":    {"0.0.0.0:143", "127.0.0.1:1143"},
		" 10.0.0.1 : 25 , [::]:587 ":    {"10.0.0.1:25", "[::]:587"}, // James trims host and port
		"[2001:db8::1]:465,localhost:0": {"[2001:db8::1]:465", "localhost:0"},
		"mail.example.com:25":           {"mail.example.com:25"},
		"10.0.0.1:25, [::]:587":         {"10.0.0.1:25", "[::]:587"},
		"0.0.0.0:65535":                 {"0.0.0.0:65535"},
		"0.0.0.0:65536":                 nil,
		"0.0.0.0":                       nil,
		"0.0.0.0:25,":                   nil,
		":25":                           nil,
		"bad host:25":                   nil,
		"0.0.0.0:-1":                    nil,
		"::1:25":                        nil,
		"0.0.0.0:25,127.0.0.1:smtp":     nil,
	}
	for in, want := range good {
		got, err := ParseBinds(in)
		if want == nil {
			if err == nil {
				t.Errorf("ParseBinds(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseBinds(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestParseNetwork(t *testing.T) {
	good := map[string]string{
		"127.0.0.0/8": "127.0.0.0/8", "127.0.0.1": "127.0.0.1/32", "10.1.2.3/255.255.0.0": "10.1.0.0/16",
		"192.168.1.*": "192.168.1.0/24", "10.*": "10.0.0.0/8", "2001:db8::/32": "2001:db8::/32", "::1": "::1/128",
		"::ffff:10.0.0.1": "10.0.0.1/32",
	}
	for in, want := range good {
		got, err := ParseNetwork(in)
		if err != nil || got != netip.MustParsePrefix(want) {
			t.Errorf("ParseNetwork(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"mail.example.com", "*", "10.0.0.0/33", "10.0.0.0/255.0.255.0", "300.1.*", "10.*.1", "2001:db8::/255.0.0.0", ""} {
		if got, err := ParseNetwork(in); err == nil {
			t.Errorf("ParseNetwork(%q) = %v, want an error", in, got)
		}
	}
}

func TestNearest(t *testing.T) {
	known := map[string]element{}
	for _, m := range []map[string]element{commonServerElements, protocolElements["smtp"]} {
		for k, v := range m {
			known[k] = v
		}
	}
	cases := map[string]string{
		"maxMessageSize": "maxmessagesize", "connectionTimeout": "connectiontimeout", "bnd": "bind",
		"smtpgreeting": "smtpGreeting", "helloname": "helloName", "completelyDifferent": "",
	}
	for in, want := range cases {
		if got := nearest(in, known); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := nearest(strings.Repeat("x", 10000), known); got != "" {
		t.Errorf("long name matched %q", got)
	}
}
