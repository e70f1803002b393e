package conf

import (
	"os"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// FuzzReadProperties checks that no input makes the reader or the typed
// loader panic, that every key's line lies within the file, and that the
// Properties views agree with each other.
func FuzzReadProperties(f *testing.F) {
	real, err := os.ReadFile("testdata/default.properties")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add([]byte("a=b\\\r\n  c\n=v\n\\"))
	sys := map[string]string{"app.home": "/opt/hedwig", "user.home": "/home/h"}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseProperties("default.properties", data, sys)
		if err != nil {
			if _, ok := err.(*diag.Problem); !ok {
				t.Fatalf("error is %T, want *diag.Problem: %v", err, err)
			}
			return
		}
		seen := make(map[string]bool)
		for _, k := range p.Keys() {
			if seen[k] {
				t.Fatalf("Keys lists %q twice", k)
			}
			seen[k] = true
			if _, ok := p.Get(k); !ok {
				t.Fatalf("Get(%q) fails for a listed key", k)
			}
			if line := p.Line(k); line < 1 || line > p.lines {
				t.Fatalf("Line(%q) = %d, file has %d lines", k, line, p.lines)
			}
		}
		if len(p.entries) < len(p.order) {
			t.Fatalf("%d entries for %d keys", len(p.entries), len(p.order))
		}
		var diags diag.List
		if c := loadBytes("default.properties", data, sys, &diags); c == nil {
			t.Fatalf("Load failed where ReadProperties succeeded: %v", diags.Err())
		}
		for _, pr := range diags.All() {
			if pr.Pos.Line < 0 || pr.Pos.Line > p.lines {
				t.Fatalf("problem on line %d of %d: %v", pr.Pos.Line, p.lines, pr)
			}
		}
	})
}
