package james

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

const (
	confDir  = "testdata/conf"      // James 3.9's sample conf/
	tlsTests = "testdata/tls-tests" // James 3.9's own TLS test inputs
)

// render lists problems one per line for failure messages.
func render(l *diag.List) string {
	var b strings.Builder
	for _, p := range l.All() {
		b.WriteString("\n\t" + p.Severity.String() + " " + p.Error())
	}
	return b.String()
}

// find returns the first problem of severity sev whose rendering
// contains every part.
func find(l *diag.List, sev diag.Severity, parts ...string) *diag.Problem {
next:
	for _, p := range l.Filter(sev) {
		s := p.Error()
		for _, part := range parts {
			if !strings.Contains(s, part) {
				continue next
			}
		}
		return p
	}
	return nil
}

// lineOf returns the 1-based line of the first line of file holding s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no %q", file, s)
	return 0
}

// variant copies the real fixture src into a temporary directory as
// name, with each old→new replacement applied (each must match), and
// copies the key files beside it. It returns the new file's path.
func variant(t *testing.T, src, name string, replacements ...string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(replacements); i += 2 {
		if !strings.Contains(text, replacements[i]) {
			t.Fatalf("%s has no %q to replace", src, replacements[i])
		}
		text = strings.Replace(text, replacements[i], replacements[i+1], 1)
	}
	dir := t.TempDir()
	copyKeys(t, dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// copyKeys copies James's test keystores and PEM files into dir.
func copyKeys(t *testing.T, dir string) {
	t.Helper()
	for _, f := range []string{"keystore", "keystore.jks", "keystore.p12", "private.key", "private.nopass.key", "certs.self-signed.csr"} {
		data, err := os.ReadFile(filepath.Join(tlsTests, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// loadOne loads a single server file whose paths resolve beside it.
func loadOne(t *testing.T, path string) (Server, *diag.List) {
	t.Helper()
	dir := filepath.Dir(path)
	servers, l := LoadServers(path, dirsFor(dir))
	if len(servers) != 1 {
		t.Fatalf("%s: %d servers, want 1:%s", path, len(servers), render(l))
	}
	return servers[0], l
}
