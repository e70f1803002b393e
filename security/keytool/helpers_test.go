package keytool

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one Main call produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// keytool runs Main with args and stdin.
func keytool(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// mustRun runs keytool and fails the test unless it exits 0.
func mustRun(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	r := keytool(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("hedwig keytool %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// wantFail runs keytool and checks the exit code and that stderr holds
// every one of wants.
func wantFail(t testing.TB, code int, stdin string, args []string, wants ...string) result {
	t.Helper()
	r := keytool(t, stdin, args...)
	if r.code != code {
		t.Fatalf("hedwig keytool %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("hedwig keytool %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

// fixture copies a testdata file into dir (keystores are changed by tests)
// and returns the copy's path.
func fixture(t testing.TB, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tool returns the path of an external program, skipping the test when it
// is missing and naming the Debian package that has it.
func tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian package %s); skipping the cross-check", name, debianPackage)
	}
	return p
}

// jdkKeytool returns the JDK's keytool, or skips.
func jdkKeytool(t testing.TB) string { return tool(t, "keytool", "openjdk-17-jdk-headless") }

// openssl returns openssl, or skips.
func openssl(t testing.TB) string { return tool(t, "openssl", "openssl") }

// external runs an external program and returns its combined output,
// failing the test when it fails.
func external(t testing.TB, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// externalFails runs an external program that must fail.
func externalFails(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err == nil {
		t.Fatalf("%s %s succeeded, want a failure:\n%s", name, strings.Join(args, " "), out)
	}
	return string(out)
}

// mode returns a file's permission bits.
func mode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func lookPath(name string) (string, error) { return exec.LookPath(name) }

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func sha1New() hash.Hash { return sha1.New() }

func hexString(b []byte) string { return hex.EncodeToString(b) }
