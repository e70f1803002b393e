package daemon

import (
	"crypto/x509"
	"encoding/pem"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The shipped configuration serves the admin pages on loopback over HTTPS:
// curl logs in as the configured administrator, sees every listener with
// its certificate, edits a bean through the checked editor (a bad value is
// refused, a good one saved with a backup), and scrapes /metrics with Basic
// credentials.
func TestAdminPagesWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed (Debian package curl)")
	}
	home := shippedHome(t)
	addUsers(t, home, "postmaster@localhost", "admin-secret", "alice@localhost", "wonderland")
	r := serve(t, home)
	base := "https://" + r.addr(10443)
	jar := filepath.Join(t.TempDir(), "cookies")
	// -k: the shipped certificate is self-signed, made on first start.
	curlAs := func(session bool, args ...string) (string, string) {
		t.Helper()
		all := []string{"-sS", "-k", "-w", "\n%{http_code}"}
		if session {
			all = append(all, "-b", jar, "-c", jar)
		}
		all = append(all, args...)
		out, err := exec.Command(curl, all...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		i := strings.LastIndexByte(string(out), '\n')
		return string(out[:i]), string(out[i+1:])
	}
	run := func(args ...string) (string, string) { t.Helper(); return curlAs(true, args...) }
	origin := []string{"-H", "Origin: " + base}

	if body, code := run("-L", base+"/"); !strings.Contains(body, `name="password"`) {
		t.Fatalf("unauthenticated / did not lead to the login form (%s):\n%s", code, body)
	}
	// A mail user who is not an administrator is refused.
	if _, code := run(append(origin, "-d", "user=alice@localhost&password=wonderland", base+"/login")...); code != "403" {
		t.Fatalf("non-administrator login: HTTP %s", code)
	}
	if _, code := run(append(origin, "-L", "-d", "user=postmaster@localhost&password=admin-secret", base+"/login")...); code != "200" {
		t.Fatalf("administrator login: HTTP %s", code)
	}
	listeners, _ := run(base + "/")
	cert := selfSignedSubject(t, home)
	for _, want := range []string{"imaps.server", "submission.server", "lmtp.server", "implicit TLS", "STARTTLS", "accepting", html.EscapeString(cert), "days left"} {
		if !strings.Contains(listeners, want) {
			t.Errorf("listeners page lacks %q", want)
		}
	}

	edit, _ := run(base + "/beans/edit?id=imap.server")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(edit)
	field := regexp.MustCompile(`name="(set:port)" value="10143"`).FindStringSubmatch(edit)
	was := regexp.MustCompile(`name="(was:port)" value="10143"`).FindStringSubmatch(edit)
	if csrf == nil || field == nil || was == nil {
		t.Fatalf("edit form of imap.server:\n%s", edit)
	}
	post := func(port string) (string, string) {
		return run(append(origin, "--data-urlencode", "id=imap.server", "--data-urlencode", "csrf="+csrf[1],
			"--data-urlencode", field[1]+"="+port, "--data-urlencode", was[1]+"=10143", base+"/beans/edit")...)
	}
	conf := filepath.Join(home, "conf", "applicationContext.xml")
	before, _ := os.ReadFile(conf)
	if body, code := post("imap"); code != "422" || !strings.Contains(body, "Not saved") || !strings.Contains(body, "applicationContext.xml:") {
		t.Fatalf("bad port: HTTP %s\n%s", code, body)
	}
	if after, _ := os.ReadFile(conf); string(after) != string(before) {
		t.Fatal("a refused edit changed the file")
	}
	if body, code := post("11143"); code != "200" || !strings.Contains(body, "Saved") {
		t.Fatalf("good port: HTTP %s\n%s", code, body)
	}
	if after, _ := os.ReadFile(conf); !strings.Contains(string(after), `<property name="port" value="11143" />`) {
		t.Fatal("saved edit not in the file")
	}
	if bak, err := os.ReadFile(conf + ".bak"); err != nil || string(bak) != string(before) {
		t.Fatalf("backup: %v", err)
	}

	metrics, code := curlAs(false, "-u", "postmaster@localhost:admin-secret", base+"/metrics")
	if code != "200" || !strings.Contains(metrics, `hedwig_listener_accepted_total{bean="imaps.server"`) {
		t.Fatalf("metrics: HTTP %s\n%s", code, metrics)
	}
	if _, code := curlAs(false, "-u", "postmaster@localhost:wrong", base+"/metrics"); code != "401" {
		t.Fatalf("metrics with a wrong password: HTTP %s", code)
	}
}

// selfSignedSubject is the subject of the certificate made on first start.
func selfSignedSubject(t *testing.T, home string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(home, "data", "tls", "hedwig.crt"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("hedwig.crt holds no PEM block")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.Subject.String()
}
