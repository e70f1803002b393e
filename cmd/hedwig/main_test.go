package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/daemon"
)

func runCmd(args ...string) (int, string, string) {
	return runWithInput("", args...)
}

func runWithInput(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// shippedHome writes the shipped configuration into a temp app.home, as
// hedwig does on first start, and returns its applicationContext.xml.
func shippedHome(t *testing.T) (home, xml string) {
	t.Helper()
	home = t.TempDir()
	xml, err := daemon.ExtractShipped(home)
	if err != nil {
		t.Fatal(err)
	}
	return home, xml
}

func writeFile(t *testing.T, path, text string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), perm); err != nil {
		t.Fatal(err)
	}
}

func TestCheckShippedConfiguration(t *testing.T) {
	code, out, errs := runCmd("check", "-c", "../../conf/applicationContext.xml", "--port-offset", "1000")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"imaps.server", ":11993", "implicit TLS", "smtp.taskExecutor", "OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

// Every problem is listed, not only the first, and the exit code says so.
func TestCheckListsEveryError(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "conf")
	if err := os.Mkdir(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(conf, "default.properties"), "mydomain=example.com\nmessage_size_limit=10MB\n", 0o644)
	writeFile(t, filepath.Join(conf, "applicationContext.xml"), `<beans xmlns="http://www.springframework.org/schema/beans">
  <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
    <property name="location" value="file:${app.home}/conf/default.properties"/>
  </bean>
  <bean id="config" class="com.hs.mail.container.config.Config">
    <property name="properties" ref="def.props"/>
  </bean>
  <bean id="def.props" class="org.springframework.beans.factory.config.PropertiesFactoryBean">
    <property name="location" value="file:${app.home}/conf/default.properties"/>
  </bean>
  <bean id="imap.server" class="com.hs.mail.imap.server.ImapServr"/>
  <bean id="smtp.server" class="com.hs.mail.smtp.server.SmtpServer">
    <property name="port" value="25"/>
    <property name="taskExecutor" ref="nothere"/>
  </bean>
</beans>
`, 0o644)
	code, out, _ := runCmd("check", "-c", filepath.Join(conf, "applicationContext.xml"))
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		`applicationContext.xml:11: bean "imap.server": unknown class "com.hs.mail.imap.server.ImapServr"`,
		`applicationContext.xml:14: bean "smtp.server": reference to "nothere": no such bean`,
		`default.properties:2: message_size_limit: "10MB"`,
		"3 error(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageAndVersion(t *testing.T) {
	if code, _, errs := runCmd("frobnicate"); code != 64 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: exit %d, %q", code, errs)
	}
	if code, out, _ := runCmd("version"); code != 0 || !strings.HasPrefix(out, "hedwig ") {
		t.Fatalf("version: exit %d, %q", code, out)
	}
}

// The issue's own example: password on stdin, -c after the subcommand.
func TestUserAndAliasCommands(t *testing.T) {
	home, xml := shippedHome(t)
	if code, out, errs := runWithInput("s3cret\n", "user", "add", "-c", xml, "alice@localhost"); code != 0 {
		t.Fatalf("user add: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runWithInput("", "alias", "add", "-c", xml, "postmaster@localhost", "alice@localhost"); code != 0 {
		t.Fatalf("alias add: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := runWithInput("", "user", "list", "-c", xml)
	if code != 0 || !strings.Contains(out, "alice@localhost") {
		t.Fatalf("user list: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runWithInput("", "alias", "list", "-c", xml)
	if code != 0 || !strings.Contains(out, "postmaster@localhost") {
		t.Fatalf("alias list: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(home, "data", "hedwig.db")); err != nil {
		t.Fatalf("the SQLite store of the shipped configuration was not used: %v", err)
	}
}

// hedwig deliver, as a front MTA's pipe uses it: exit 0 delivered, 67 for
// an unknown user, 64 for a usage error.
func TestDeliver(t *testing.T) {
	_, xml := shippedHome(t)
	var out, errb bytes.Buffer
	if code := run([]string{"user", "add", "-c", xml, "alice@localhost"}, strings.NewReader("pw\n"), &out, &errb); code != 0 {
		t.Fatalf("user add: %d %s", code, errb.String())
	}
	msg := "From bob@example.org Sun Nov 22 10:00:00 2026\nSubject: piped\n\nhello\n"
	errb.Reset()
	if code := run([]string{"deliver", "-c", xml, "-f", "bob@example.org", "-r", "alice@localhost"}, strings.NewReader(msg), &out, &errb); code != 0 {
		t.Fatalf("deliver: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"deliver", "-c", xml, "-f", "bob@example.org", "-r", "nobody@localhost"}, strings.NewReader(msg), &out, &errb); code != 67 {
		t.Fatalf("deliver to an unknown user: exit %d, want 67: %s", code, errb.String())
	}
	if code := run([]string{"deliver", "-c", xml, "-f", "bob@example.org"}, strings.NewReader(msg), &out, &errb); code != 64 {
		t.Fatalf("deliver without recipient: exit %d, want 64", code)
	}
}

// A James 3 conf/ directory: its servers are listed, and with James's own
// test keystore in place of the missing conf/keystore, their key material
// loads.
func TestCheckJamesConfiguration(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "conf")
	src := filepath.Join("..", "..", "james", "testdata")
	if err := os.CopyFS(conf, os.DirFS(filepath.Join(src, "conf"))); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd("check", "-c", conf)
	if code != 1 || !strings.Contains(out, "smtpserver.xml:66: keystore:") {
		t.Fatalf("without a keystore: exit %d\n%s", code, out)
	}
	ks, err := os.ReadFile(filepath.Join(src, "tls-tests", "keystore"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(conf, "keystore"), string(ks), 0o600)
	code, out, _ = runCmd("check", "-c", conf, "--port-offset", "10000")
	if code != 0 {
		t.Fatalf("with James's test keystore: exit %d\n%s", code, out)
	}
	for _, want := range []string{"smtpserver-TLS", ":10465", "implicit TLS", "imapserver", ":10143", "STARTTLS"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
