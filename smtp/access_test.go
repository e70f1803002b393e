package smtp

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

const sampleAccess = `# Hedwig access table
spammer@example.net     REJECT
example.net             OK
postmaster@             OK
discard.example         DISCARD
Loud@Example.ORG        REJECT  go away
192.0.2.7               REJECT
198.51.100.0/24         REJECT
203.0.113.*             REJECT
bogus@example.com       MAYBE
default.example
`

func TestAccessTable(t *testing.T) {
	var problems diag.List
	tab, err := parseAccessTable(strings.NewReader(sampleAccess), "recipient_access", &problems)
	if err != nil {
		t.Fatal(err)
	}
	warnings := problems.Filter(diag.Warning)
	if len(warnings) != 1 || warnings[0].Pos.Line != 10 || !strings.Contains(warnings[0].Error(), `unknown action "MAYBE"`) {
		t.Fatalf("problems = %v, want one warning for line 10", problems.All())
	}
	for _, tt := range []struct {
		addr string
		want accessAction
		text string
	}{
		{"spammer@example.net", accessReject, ""},
		{"someone@example.net", accessOK, ""},      // by domain
		{"postmaster@elsewhere.org", accessOK, ""}, // by "user@"
		{"x@discard.example", accessDiscard, ""},
		{"loud@example.org", accessReject, "go away"}, // patterns are case-insensitive
		{"x@default.example", accessReject, ""},       // no action: REJECT
		{"bogus@example.com", accessNone, ""},         // the bad line was skipped
		{"nobody@nowhere.example", accessNone, ""},
	} {
		e := tab.lookupAddress(tt.addr)
		if e.action != tt.want || e.text != tt.text {
			t.Errorf("%s: got %v %q, want %v %q", tt.addr, e.action, e.text, tt.want, tt.text)
		}
	}
	for _, tt := range []struct {
		ip   string
		want accessAction
	}{
		{"192.0.2.7", accessReject}, {"192.0.2.8", accessNone},
		{"198.51.100.200", accessReject}, {"203.0.113.9", accessReject}, {"203.0.114.9", accessNone},
	} {
		if e := tab.lookupClient(netip.MustParseAddr(tt.ip)); e.action != tt.want {
			t.Errorf("%s: got %v, want %v", tt.ip, e.action, tt.want)
		}
	}
}

// Hedwig ships recipient_access empty; it must load and match nothing.
func TestAccessTableHedwigFixture(t *testing.T) {
	var problems diag.List
	f, err := openAccessFile("testdata/recipient_access", &problems)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := f.current()
	if err != nil || len(problems.All()) != 0 {
		t.Fatalf("err %v, problems %v", err, problems.All())
	}
	if e := tab.lookupAddress("anyone@hedwig.org"); e.action != accessNone {
		t.Fatalf("empty table matched: %v", e)
	}
}

func TestAccessFileReloadsWhenChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sender_access")
	write := func(content string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	write("a@example.com REJECT\n", base)
	f, err := openAccessFile(path, &diag.List{})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(addr string) accessAction {
		t.Helper()
		tab, err := f.current()
		if err != nil {
			t.Fatalf("reload while the file is there: %v", err)
		}
		return tab.lookupAddress(addr).action
	}
	if got := lookup("a@example.com"); got != accessReject {
		t.Fatalf("before change: %v", got)
	}
	write("a@example.com OK\n", base.Add(time.Second))
	if got := lookup("a@example.com"); got != accessOK {
		t.Fatalf("after change: %v, want OK", got)
	}
	// A removed file keeps the last good table, and says so once.
	os.Remove(path)
	if _, err := f.current(); err == nil {
		t.Fatal("no error for a vanished file")
	}
	if tab, err := f.current(); err != nil || tab.lookupAddress("a@example.com").action != accessOK {
		t.Fatalf("second lookup: err %v (want silence), table kept: %v", err, tab.lookupAddress("a@example.com"))
	}
}

func FuzzParseAccessTable(f *testing.F) {
	f.Add(sampleAccess)
	f.Add("# only a comment\n\n")
	f.Add("10.0.0.0/99 REJECT\n*.* OK\n[ DISCARD\n")
	f.Fuzz(func(t *testing.T, content string) {
		var problems diag.List
		tab, err := parseAccessTable(strings.NewReader(content), "fuzz", &problems)
		if err != nil {
			return
		}
		tab.lookupAddress("user@example.com")
		tab.lookupClient(netip.MustParseAddr("192.0.2.1"))
		for _, p := range problems.All() {
			if p.Pos.Line <= 0 || p.Pos.File != "fuzz" {
				t.Fatalf("problem without a line: %v", p)
			}
		}
	})
}
