package keytool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-frobnicate"}, `unknown command "-frobnicate"`},
		{[]string{"-keystore", "x"}, "the command comes first"},
		{[]string{"-list", "-keyalg", "RSA"}, "illegal option for -list: -keyalg"},
		{[]string{"-list", "-keystore"}, "option -keystore needs an argument"},
		{[]string{"-list", "-alias", "a", "-alias", "b"}, "option -alias given twice"},
		{[]string{"-list", "stray"}, "illegal argument: stray"},
		{[]string{"-list", "-storepass:env", "HEDWIG_TEST_UNSET_VARIABLE"}, "is not set"},
		{[]string{"-list", "-keystore:env", "X"}, "only passwords take :env or :file"},
		{[]string{"-list", "-storepass:web", "x"}, "only :env and :file"},
		{[]string{"-list"}, "-keystore is required"},
		{[]string{"-delete", "-keystore", "x"}, "-delete needs -alias"},
	} {
		wantFail(t, 64, "", tc.args, tc.want)
	}
}

func TestHelp(t *testing.T) {
	r := mustRun(t, "")
	for _, c := range []string{"-genkeypair", "-certreq", "-importcert", "-list", "-exportcert", "-importkeystore"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("help lacks %s:\n%s", c, r.stdout)
		}
	}
	r = mustRun(t, "", "-genkey", "-help")
	if !strings.Contains(r.stdout, "-dname <name>") || !strings.Contains(r.stdout, "Also spelled: -genkey") {
		t.Errorf("-genkey -help:\n%s", r.stdout)
	}
}

// TestCommandSpellings accepts the JDK's old names and commands without
// a dash; the command comes first.
func TestCommandSpellings(t *testing.T) {
	mustRun(t, "", "-list", "-keystore", "testdata/hedwig.jks", "-storepass", "secret")
	mustRun(t, "", "list", "-keystore", "testdata/hedwig.jks", "-storepass", "secret")
	r := keytool(t, "", "-keystore", "testdata/hedwig.jks", "-list", "-storepass", "secret")
	if r.code != 64 {
		t.Errorf("an option before the command: exit %d", r.code)
	}
	mustRun(t, "", "-export", "-alias", "hedwig", "-keystore", "testdata/hedwig.jks", "-storepass", "secret", "-rfc")
}

// TestPasswordSources reads passwords from the environment, a file and
// standard input; never requiring them on the command line.
func TestPasswordSources(t *testing.T) {
	t.Setenv("HEDWIG_TEST_STOREPASS", "secret")
	mustRun(t, "", "-list", "-keystore", "testdata/hedwig.jks", "-storepass:env", "HEDWIG_TEST_STOREPASS")
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("storepass1\nignored second line\n"), 0o600)
	mustRun(t, "", "-list", "-keystore", "testdata/james-keypass.jks", "-storepass:file", pwFile)
	r := mustRun(t, "secret\n", "-list", "-keystore", "testdata/jdk-modern.p12")
	if !strings.Contains(r.stderr, "Enter keystore password:") {
		t.Errorf("no prompt on stderr: %q", r.stderr)
	}
	if strings.Contains(r.stdout, "Enter keystore password") {
		t.Error("the prompt went to stdout")
	}
	// The key password of james-keypass.jks, asked for after the store
	// password failed to open the key.
	r = mustRun(t, "storepass1\nkeypass1\n", "-certreq", "-alias", "james", "-keystore", "testdata/james-keypass.jks")
	if !strings.Contains(r.stderr, "Enter key password for <james>") || !strings.Contains(r.stdout, "BEGIN CERTIFICATE REQUEST") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	wantFail(t, 1, "storepass1\nwrong\n", []string{"-certreq", "-alias", "james", "-keystore", "testdata/james-keypass.jks"}, "key password is wrong")
	// A new keystore's password is asked twice and must match.
	ks := filepath.Join(dir, "new.p12")
	wantFail(t, 1, "secret1\nsecret2\nabc\nsecret3\nsecret4\n", []string{"-genkeypair", "-keystore", ks, "-dname", "CN=x"}, "They don't match", "too short", "too many failures")
}
