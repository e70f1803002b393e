package pop3

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line string
		want command
		err  error
	}{
		{"STAT", command{name: "STAT"}, nil},
		{"list 3", command{name: "LIST", args: []string{"3"}, rest: "3"}, nil},
		{"TOP 1 10", command{name: "TOP", args: []string{"1", "10"}, rest: "1 10"}, nil},
		{"PASS two words ", command{name: "PASS", args: []string{"two", "words"}, rest: "two words "}, nil},
		{"AUTH PLAIN AGFsaWNlAHNlY3JldA==", command{name: "AUTH", args: []string{"PLAIN", "AGFsaWNlAHNlY3JldA=="}, rest: "PLAIN AGFsaWNlAHNlY3JldA=="}, nil},
		{"UIDL  1", command{name: "UIDL", args: []string{"1"}, rest: " 1"}, nil},
		{"", command{}, errEmptyCommand},
		{"   ", command{}, errEmptyCommand},
		{"XY", command{}, errBadKeyword},
		{"RETRIEVE 1", command{}, errBadKeyword},
		{"RE1R 1", command{}, errBadKeyword},
		{" STAT", command{}, errBadKeyword},
		{"STAT\x00", command{}, errBadCharacter},
		{"USER a\rb", command{}, errBadCharacter},
	}
	for _, tt := range tests {
		got, err := parseCommand(tt.line)
		if err != tt.err {
			t.Errorf("parseCommand(%q) error = %v, want %v", tt.line, err, tt.err)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCommand(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestParseCommandArgumentCap(t *testing.T) {
	got, err := parseCommand("LIST" + strings.Repeat(" 1", 1000))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.args) != maxArgs {
		t.Errorf("got %d arguments, want at most %d", len(got.args), maxArgs)
	}
}

func TestParseMsgNumber(t *testing.T) {
	good := map[string]int{"1": 1, "42": 42, "007": 7, "999999999": 999999999}
	for s, want := range good {
		if n, err := parseMsgNumber(s); err != nil || n != want {
			t.Errorf("parseMsgNumber(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"", "0", "-1", "+1", "1a", "0x1", "1.0", "1000000000", "99999999999999999999"} {
		if n, err := parseMsgNumber(s); err == nil {
			t.Errorf("parseMsgNumber(%q) = %d, want an error", s, n)
		}
	}
	if n, err := parseLineCount("0"); err != nil || n != 0 {
		t.Errorf("parseLineCount(0) = %d, %v", n, err)
	}
	if _, err := parseLineCount("-5"); err == nil {
		t.Error("parseLineCount(-5) succeeded")
	}
}

// FuzzParseCommand checks that any line either fails cleanly or yields a
// 3-4 letter upper-case keyword and at most maxArgs arguments, none empty.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"STAT", "list 1", "TOP 1 0", "PASS a b c", "AUTH PLAIN =", "\x00", "ÄÖÜ x", "USER \t x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, err := parseCommand(line)
		if err != nil {
			return
		}
		if len(cmd.name) < 3 || len(cmd.name) > 4 || strings.ToUpper(cmd.name) != cmd.name {
			t.Fatalf("keyword %q from %q", cmd.name, line)
		}
		if len(cmd.args) > maxArgs {
			t.Fatalf("%d arguments from %q", len(cmd.args), line)
		}
		for _, a := range cmd.args {
			if a == "" || strings.ContainsAny(a, " \t") {
				t.Fatalf("argument %q from %q", a, line)
			}
		}
		if !strings.HasSuffix(line, cmd.rest) {
			t.Fatalf("rest %q is not the end of %q", cmd.rest, line)
		}
	})
}
