package beans

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// FuzzLoad loads arbitrary bytes as a root XML file beside Hedwig's real
// conf files: it must never panic, and every position it reports must lie
// inside the file it names.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"applicationContext.xml", "smtpContext.xml", "imapContext.xml", "jmx.xml"} {
		data, err := os.ReadFile(filepath.Join(fixtureConf, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	conf := copyFixtures(f, f.TempDir())
	root := filepath.Join(conf, "fuzz.xml")
	lineCounts := map[string]int{}
	linesOf := func(t *testing.T, file string) int {
		if n, ok := lineCounts[file]; ok && file != root {
			return n
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return -1 // a file that could not be read has only line 0
		}
		n := strings.Count(string(data), "\n") + 1
		lineCounts[file] = n
		return n
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(root, data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, problems := Load(root, testOpts())
		if d == nil || problems == nil {
			t.Fatal("Load returned nil")
		}
		check := func(p diag.Pos, what string) {
			if p.Line == 0 {
				return
			}
			if n := linesOf(t, p.File); p.Line < 0 || p.Line > n {
				t.Fatalf("%s at %s: file has %d lines", what, p, n)
			}
		}
		for _, p := range problems.All() {
			check(p.Pos, p.Error())
		}
		var bean func(b *Bean)
		var value func(v *Value)
		bean = func(b *Bean) {
			check(b.Pos, b.Subject())
			for _, p := range b.Properties {
				check(p.Pos, "property "+p.Name)
				value(p.Value)
			}
			for _, a := range b.ConstructorArgs {
				check(a.Pos, "constructor-arg")
				value(a.Value)
			}
		}
		value = func(v *Value) {
			if v == nil {
				t.Fatal("nil value kept in the definitions")
			}
			check(v.Pos, "value "+v.Kind.String())
			for _, it := range v.Items {
				value(it)
			}
			for _, e := range v.Entries {
				check(e.Pos, "entry")
				value(e.Key)
				value(e.Value)
			}
			if v.Kind == InnerBean {
				bean(v.Bean)
			}
		}
		for _, b := range d.Beans {
			bean(b)
			b.Refs()
		}
	})
}
