package beans

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// fixtureConf is the copy of Hedwig 0.7's conf/ directory.
const fixtureConf = "testdata/hedwig-0.7/conf"

// noEnv is an environment with nothing in it, so that tests do not depend
// on the machine's variables.
func noEnv(string) (string, bool) { return "", false }

// envOf returns an environment holding exactly vars.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// testOpts are options with an empty environment and only app.home as a
// system property.
func testOpts() Options {
	return Options{Env: noEnv, SystemProperties: map[string]string{}}
}

// loadFixture loads one of the real Hedwig files.
func loadFixture(t testing.TB, name string) (*Definitions, *diag.List) {
	t.Helper()
	return Load(filepath.Join(fixtureConf, name), testOpts())
}

// copyFixtures copies the real Hedwig conf files into dir/conf and returns
// that directory.
func copyFixtures(t testing.TB, dir string) string {
	t.Helper()
	conf := filepath.Join(dir, "conf")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(fixtureConf)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(fixtureConf, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(conf, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return conf
}

// writeConf writes files into a fresh app home's conf/ directory and
// returns the path of the first name given in order.
func writeConf(t testing.TB, order []string, files map[string]string) string {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "conf")
	for name, text := range files {
		path := filepath.Join(conf, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(conf, order[0])
}

// writeXML writes one bean file (plus optional extra files) and returns
// its path.
func writeXML(t testing.TB, xml string, extra ...string) string {
	t.Helper()
	files := map[string]string{"app.xml": xml}
	for i := 0; i+1 < len(extra); i += 2 {
		files[extra[i]] = extra[i+1]
	}
	return writeConf(t, []string{"app.xml"}, files)
}

// lineOf returns the 1-based line of the first occurrence of marker in
// text; the test fails if there is none.
func lineOf(t testing.TB, text, marker string) int {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("marker %q not in text", marker)
	}
	return strings.Count(text[:i], "\n") + 1
}

// beans wraps XML in a <beans> root with the usual namespaces; the body
// starts on line 5.
func beans(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
	xmlns:task="http://www.springframework.org/schema/task" xmlns:context="http://www.springframework.org/schema/context"
	xmlns:p="http://www.springframework.org/schema/p" xmlns:c="http://www.springframework.org/schema/c">
` + body + `
</beans>
`
}

// problems renders every problem of severity sev, for comparisons.
func rendered(l *diag.List, sev diag.Severity) []string {
	var out []string
	for _, p := range l.Filter(sev) {
		out = append(out, p.Error())
	}
	return out
}

// requireNoProblems fails on any error or warning.
func requireNoProblems(t testing.TB, l *diag.List) {
	t.Helper()
	for _, p := range l.All() {
		if p.Severity != diag.Info {
			t.Errorf("unexpected %s: %s", p.Severity, p.Error())
		}
	}
}

// requireProblem fails unless some problem of severity sev renders
// exactly as want.
func requireProblem(t testing.TB, l *diag.List, sev diag.Severity, want string) {
	t.Helper()
	got := rendered(l, sev)
	if !slices.Contains(got, want) {
		t.Errorf("missing %s\n  %s\ngot:\n  %s", sev, want, strings.Join(got, "\n  "))
	}
}

// ids returns the IDs of beans in order.
func ids(bs []*Bean) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

// mustBean returns the registered bean name or fails.
func mustBean(t testing.TB, d *Definitions, name string) *Bean {
	t.Helper()
	b := d.Bean(name)
	if b == nil {
		t.Fatalf("no bean %q; have %v", name, ids(d.Beans))
	}
	return b
}

// mustProp returns b's property name or fails.
func mustProp(t testing.TB, b *Bean, name string) *Property {
	t.Helper()
	p := b.Property(name)
	if p == nil {
		t.Fatalf("%s has no property %q", b.Subject(), name)
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }
