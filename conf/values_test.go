package conf

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want Age
		note bool // Hedwig reads it differently from how it looks
		err  bool
	}{
		{"3m", Age{3, Months}, false, false},
		{"1d", Age{1, Days}, false, false},
		{"12H", Age{12, Hours}, false, false},
		{"2y", Age{2, Years}, false, false},
		{"0d", Age{0, Days}, false, false},
		{"3min", Age{3, Months}, true, false},
		{"2days", Age{2, Days}, true, false},
		{"3", Age{}, false, true},
		{"m", Age{}, false, true},
		{"-1d", Age{}, false, true},
		{"3w", Age{}, false, true},
		{"", Age{}, false, true},
		{"99999999999999999999d", Age{}, false, true},
	}
	for _, tt := range tests {
		got, note, err := parseAge(tt.in)
		if (err != nil) != tt.err || got != tt.want || (note != "") != tt.note {
			t.Errorf("parseAge(%q) = %v, %q, %v; want %v, note %v, err %v", tt.in, got, note, err, tt.want, tt.note, tt.err)
		}
	}
}

func TestAgeBeforeUsesCalendar(t *testing.T) {
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	tests := map[Age]time.Time{
		{3, Hours}:  time.Date(2024, 3, 31, 9, 0, 0, 0, time.UTC),
		{1, Days}:   time.Date(2024, 3, 30, 12, 0, 0, 0, time.UTC),
		{1, Months}: time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC), // Feb 31 normalises, as in Go
		{1, Years}:  time.Date(2023, 3, 31, 12, 0, 0, 0, time.UTC),
	}
	for age, want := range tests {
		if got := age.Before(now); !got.Equal(want) {
			t.Errorf("%v.Before = %v, want %v", age, got, want)
		}
	}
	if (Age{}).String() != "" || (Age{3, Months}).String() != "3m" {
		t.Errorf("String: %q %q", Age{}.String(), Age{3, Months}.String())
	}
}

func TestParseRunLimitMIsMinutes(t *testing.T) {
	for in, want := range map[string]time.Duration{"2h": 2 * time.Hour, "30m": 30 * time.Minute, "45M": 45 * time.Minute} {
		if got, _, err := parseRunLimit(in); err != nil || got != want {
			t.Errorf("parseRunLimit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"2d", "2", "h"} {
		if _, _, err := parseRunLimit(in); err == nil {
			t.Errorf("parseRunLimit(%q) accepted", in)
		}
	}
}

func TestParseExpungeRules(t *testing.T) {
	rules, notes, err := parseExpungeRules("INBOX 3m  Trash 2d\tJunk 1y")
	want := []ExpungeRule{{"INBOX", Age{3, Months}}, {"Trash", Age{2, Days}}, {"Junk", Age{1, Years}}}
	if err != nil || len(notes) != 0 || !slices.Equal(rules, want) {
		t.Errorf("got %v, %q, %v", rules, notes, err)
	}
	if _, _, err := parseExpungeRules("INBOX 3x"); err == nil || !strings.Contains(err.Error(), "mailbox INBOX") {
		t.Errorf("bad age: %v", err)
	}
}

func TestParseNetworks(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"127.0.0.0/8", []string{"127.0.0.0/8"}},
		{"192.168.1.77/24", []string{"192.168.1.0/24"}},
		{"0.0.0.0/0.0.0.0", []string{"0.0.0.0/0"}},
		{"10.0.0.0/255.255.240.0", []string{"10.0.0.0/20"}},
		{"10.1.2.3", []string{"10.1.2.3/32"}},
		{"010.001.002.003", []string{"10.1.2.3/32"}},
		{"127.0.0.0/8, 10.0.0.0/8 192.168.0.0/16,,", []string{"127.0.0.0/8", "10.0.0.0/8", "192.168.0.0/16"}},
		{"2001:db8::1/32 ::1", []string{"2001:db8::/32", "::1/128"}},
		{"::ffff:10.0.0.1", []string{"10.0.0.1/32"}},
	}
	for _, tt := range tests {
		got, err := parseNetworks(tt.in)
		if err != nil {
			t.Errorf("parseNetworks(%q): %v", tt.in, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if !slices.Equal(s, tt.want) {
			t.Errorf("parseNetworks(%q) = %v, want %v", tt.in, s, tt.want)
		}
	}
	for _, bad := range []string{"10.0.0", "10.0.0.256", "10.0.0.0/-1", "10.0.0.0/x", "10.0.0.0/255.255.0.255",
		"::1/255.0.0.0", "fe80::1%eth0", "+1.2.3.4", "host.example"} {
		if _, err := parseNetworks(bad); err == nil {
			t.Errorf("parseNetworks(%q) accepted", bad)
		}
	}
}

func TestLocalNetworksStartWithLoopback(t *testing.T) {
	nets, err := localNetworks()
	if err != nil {
		t.Skipf("no interfaces to list here: %v", err)
	}
	if nets[0] != netip.MustParsePrefix("127.0.0.0/8") {
		t.Errorf("got %v", nets)
	}
	for _, p := range nets {
		if !p.Addr().Is4() || p != p.Masked() {
			t.Errorf("%v: Hedwig's default lists masked IPv4 networks only", p)
		}
	}
}

func TestParseSpamAction(t *testing.T) {
	tests := map[string]SpamAction{
		`fileinto "Junk"`:        {"fileinto", "Junk"},
		`fileinto`:               {"fileinto", "Junk"},
		`fileinto "Spam Folder"`: {"fileinto", "Spam Folder"},
		`reject`:                 {"reject", "Email rejected. Looks like spam."},
		"reject\t\"go away\"":    {"reject", "go away"},
		`discard`:                {"discard", ""},
		``:                       {},
	}
	for in, want := range tests {
		if got, err := parseSpamAction(in); err != nil || got != want {
			t.Errorf("parseSpamAction(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"Discard", "bounce"} {
		if _, err := parseSpamAction(bad); err == nil {
			t.Errorf("parseSpamAction(%q) accepted", bad)
		}
	}
}

func TestParseRestrictions(t *testing.T) {
	got, err := parseRestrictions("smtpd_recipient_restrictions", " permit_mynetworks ,, reject_unlisted_recipient,check_recipient_access /etc/x ")
	want := []Restriction{{Name: "permit_mynetworks"}, {Name: "reject_unlisted_recipient"}, {Name: "check_recipient_access", Args: []string{"/etc/x"}}}
	if err != nil || !equalValues(got, want) {
		t.Errorf("got %+v, %v", got, err)
	}
	if _, err := parseRestrictions("smtpd_client_restrictions", "reject_rbl_clients"); err == nil {
		t.Error("reject_rbl_clients without a list accepted")
	}
	if got, err := parseRestrictions("smtpd_sender_restrictions", " "); err != nil || got != nil {
		t.Errorf("blank: %+v, %v", got, err)
	}
}

func TestScanCountsPhysicalLines(t *testing.T) {
	for in, want := range map[string]int{"": 1, "a": 1, "a\n": 1, "a\nb": 2, "a\r\nb\r\n": 2, "a\rb\r\nc\nd": 4, "\n\n": 2} {
		if got := countPhysicalLines(in); got != want {
			t.Errorf("countPhysicalLines(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestSystemProperties(t *testing.T) {
	sys := SystemProperties("testdata/..")
	if !strings.HasPrefix(sys["app.home"], "/") || strings.Contains(sys["app.home"], "..") {
		t.Errorf("app.home = %q, want an absolute clean path", sys["app.home"])
	}
	if sys["java.io.tmpdir"] == "" || sys["file.separator"] != "/" {
		t.Errorf("sys = %v", sys)
	}
	if _, ok := SystemProperties("")["app.home"]; ok {
		t.Error("empty app home must be left out, so that Load derives it")
	}
}
