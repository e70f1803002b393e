package container

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/schedule"
)

// hedwigHome copies the real Hedwig 0.7 conf/ into a temp app.home and
// applies edits (old → new) to its files, as an administrator would.
func hedwigHome(t *testing.T, edits map[string][][2]string) string {
	t.Helper()
	home := t.TempDir()
	dst := filepath.Join(home, "conf")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("testdata", "hedwig-0.7", "conf")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		crlf := bytes.Contains(data, []byte("\r\n")) // Hedwig's files have Windows line ends
		for _, ed := range edits[e.Name()] {
			old, repl := []byte(ed[0]), []byte(ed[1])
			if crlf {
				old = bytes.ReplaceAll(old, []byte("\n"), []byte("\r\n"))
				repl = bytes.ReplaceAll(repl, []byte("\n"), []byte("\r\n"))
			}
			if !bytes.Contains(data, old) {
				t.Fatalf("%s does not contain %q", e.Name(), old)
			}
			data = bytes.ReplaceAll(data, old, repl)
		}
		mode := os.FileMode(0o644)
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

// sqliteProps points Hedwig's jdbc.* lines at SQLite: the only change the
// issue allows to the shipped file.
var sqliteProps = [][2]string{
	{"jdbc.driver=oracle.jdbc.driver.OracleDriver", "jdbc.driver=org.sqlite.JDBC"},
	{"jdbc.url=jdbc:oracle:thin:@127.0.0.1:1521:XE", "jdbc.url=jdbc:sqlite:data/hedwig.db"},
}

// uncomment removes the comment markers around Hedwig's disabled beans.
var uncommentServers = [][2]string{
	{"<!-- \n\t<bean id=\"imaps.server\"", "<bean id=\"imaps.server\""},
	{"</bean>\n\t-->\n\n\t<!-- =================================================================== -->\n\t<!-- DATA CACHE", "</bean>\n\n\t<!-- =================================================================== -->\n\t<!-- DATA CACHE"},
	{"<!-- \n\t<bean id=\"smtps.server\"", "<bean id=\"smtps.server\""},
	{"</bean>\n\t-->\n\n\t<bean id=\"smtp.taskExecutor\"", "</bean>\n\n\t<bean id=\"smtp.taskExecutor\""},
	{"<!-- \n\t<bean id=\"pop3.server\"", "<bean id=\"pop3.server\""},
	{"</bean>\n\t-->\n\n\t<!-- Use the following to enable SSL/TLS for POP3 -->\n\t<!-- \n\t<bean id=\"pop3s.server\"", "</bean>\n\n\t<bean id=\"pop3s.server\""},
	{"</bean>\n\t-->\n\n</beans>", "</bean>\n\n</beans>"},
}

func load(t *testing.T, home string, opts Options) *Container {
	t.Helper()
	opts.CheckOnly = true
	opts.Env = func(string) (string, bool) { return "", false }
	return Load(filepath.Join(home, "conf", "applicationContext.xml"), opts)
}

func report(c *Container) string {
	var b bytes.Buffer
	c.WriteReport(&b)
	return b.String()
}

func TestHedwigConfigurationChecks(t *testing.T) {
	home := hedwigHome(t, map[string][][2]string{"default.properties": sqliteProps})
	c := load(t, home, Options{})
	out := report(c)
	if c.Problems.HasErrors() {
		t.Fatalf("errors on Hedwig's own configuration:\n%s", out)
	}
	servers := c.Servers()
	got := map[string]string{}
	for _, s := range servers {
		got[s.ID] = s.Protocol + " " + s.Addr + " " + s.TLSMode.String() + " " + s.Executor
	}
	want := map[string]string{
		"imap.server": "imap :143 none ",
		"smtp.server": "smtp :25 none smtp.taskExecutor",
	}
	if len(got) != len(want) || got["imap.server"] != want["imap.server"] || got["smtp.server"] != want["smtp.server"] {
		t.Fatalf("servers = %v, want %v\n%s", got, want, out)
	}
	// Infrastructure beans are accepted with one info line each.
	infos := c.Problems.Filter(diag.Info)
	if len(infos) == 0 || !strings.Contains(report(c), "log4j") {
		t.Fatalf("no info line for the log4j bean:\n%s", out)
	}
}

func TestHedwigConfigurationWithTLSListeners(t *testing.T) {
	props := append(append([][2]string{}, sqliteProps...),
		[2]string{"# tls_keystore=${app.home}\\\\conf\\\\hedwig.jks", "tls_keystore=${app.home}/conf/hedwig.jks"},
		[2]string{"# tls_keypass=secret", "tls_keypass=secret"},
		[2]string{"# tls_storepass=secret", "tls_storepass=secret"},
	)
	home := hedwigHome(t, map[string][][2]string{"default.properties": props, "applicationContext.xml": uncommentServers})
	c := load(t, home, Options{PortOffset: 10000})
	out := report(c)
	if c.Problems.HasErrors() {
		t.Fatalf("errors:\n%s", out)
	}
	rows := map[string]*regexp.Regexp{
		"imap.server":  regexp.MustCompile(`imap\.server\s+imap\s+:10143\s+STARTTLS\s+\(own\)`),
		"imaps.server": regexp.MustCompile(`imaps\.server\s+imap\s+:10993\s+implicit TLS\s+\(own\)\s+\S.*20\d\d`),
		"smtp.server":  regexp.MustCompile(`smtp\.server\s+smtp\s+:10025\s+STARTTLS\s+smtp\.taskExecutor`),
		"smtps.server": regexp.MustCompile(`smtps\.server\s+smtp\s+:10465\s+implicit TLS\s+smtp\.taskExecutor`),
		"pop3.server":  regexp.MustCompile(`pop3\.server\s+pop3\s+:10110\s+STARTTLS\s+smtp\.taskExecutor`),
		"pop3s.server": regexp.MustCompile(`pop3s\.server\s+pop3\s+:10995\s+implicit TLS\s+smtp\.taskExecutor`),
	}
	for id, re := range rows {
		if !re.MatchString(out) {
			t.Errorf("no row for %s matching %s in\n%s", id, re, out)
		}
	}
}

func TestOracleURLIsOneClearSentence(t *testing.T) {
	home := hedwigHome(t, nil)
	c := load(t, home, Options{})
	errs := c.Problems.Filter(diag.Error)
	if len(errs) != 1 {
		t.Fatalf("want exactly one error, got:\n%s", report(c))
	}
	msg := errs[0].Error()
	for _, want := range []string{"Oracle", "jdbc:mysql", "jdbc:postgresql", "jdbc:sqlite"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

// Each broken input gives a clear message with file and line.
func TestBrokenInputs(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		edits [][2]string
		want  []string // substrings of one error
	}{
		{"unknown class", "applicationContext.xml",
			[][2]string{{`class="com.hs.mail.imap.server.ImapServer"
		depends-on="config">
		<property name="port" value="143" />`, `class="com.hs.mail.imap.server.ImapSrever"
		depends-on="config">
		<property name="port" value="143" />`}},
			[]string{"applicationContext.xml:104:", `bean "imap.server"`, `unknown class "com.hs.mail.imap.server.ImapSrever"`, "com.hs.mail.imap.server.ImapServer"}},
		{"unknown property", "applicationContext.xml",
			[][2]string{{`<property name="port" value="143" />`, `<property name="prot" value="143" />`}},
			[]string{"applicationContext.xml:106:", `bean "imap.server"`, `unknown property "prot"`, `did you mean "port"`}},
		{"missing ref", "applicationContext.xml",
			[][2]string{{`<property name="taskExecutor" ref="smtp.taskExecutor"/>
	</bean>

	<!-- Use the following to enable SSL/TLS for SMTP -->`, `<property name="taskExecutor" ref="smtp.taskExecuter"/>
	</bean>

	<!-- Use the following to enable SSL/TLS for SMTP -->`}},
			[]string{"applicationContext.xml:155:", `bean "smtp.server"`, `"smtp.taskExecuter": no such bean`, `did you mean "smtp.taskExecutor"`}},
		{"cycle", "applicationContext.xml",
			[][2]string{{`<bean id="config" class="com.hs.mail.container.config.Config"
		depends-on="log4jInitialization">`, `<bean id="config" class="com.hs.mail.container.config.Config"
		depends-on="imap.server">`}},
			[]string{"dependency cycle", `"config"`, `"imap.server"`, "applicationContext.xml:39", "applicationContext.xml:104"}},
		{"bad number", "applicationContext.xml",
			[][2]string{{`<property name="port" value="143" />`, `<property name="port" value="14x3" />`}},
			[]string{"applicationContext.xml:106:", `bean "imap.server"`, `"14x3" is not an integer`}},
		{"missing placeholder", "applicationContext.xml",
			[][2]string{{`value="${jdbc.maxIdle}"`, `value="${jdbc.maxIdel}"`}},
			[]string{"applicationContext.xml:", "jdbc.maxIdel"}},
		{"malformed XML", "applicationContext.xml",
			[][2]string{{`<bean id="dns.server" class="com.hs.mail.dns.DnsServer" />`, `<bean id="dns.server" class="com.hs.mail.dns.DnsServer">`}},
			[]string{"applicationContext.xml:"}},
		{"Windows path", "default.properties",
			[][2]string{{"# tls_keystore=${app.home}\\\\conf\\\\hedwig.jks", "tls_keystore=d:\\\\hedwig\\\\conf\\\\hedwig.jks"}},
			[]string{"default.properties:", "tls_keystore", "Windows"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			edits := map[string][][2]string{"default.properties": sqliteProps}
			edits[tc.file] = append(edits[tc.file], tc.edits...)
			c := load(t, hedwigHome(t, edits), Options{})
			out := report(c)
			for _, p := range c.Problems.Filter(diag.Error) {
				msg := p.Error()
				ok := true
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						ok = false
					}
				}
				if ok {
					if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic") {
						t.Fatalf("stack trace in the report:\n%s", out)
					}
					return
				}
			}
			t.Fatalf("no error containing %q in:\n%s", tc.want, out)
		})
	}
}

func TestHedwigNightlyJobIsScheduled(t *testing.T) {
	home := hedwigHome(t, map[string][][2]string{"default.properties": sqliteProps})
	c := load(t, home, Options{})
	var jobs []string
	for _, inst := range c.Instances() {
		if s, ok := inst.Value.(*schedule.Scheduler); ok && inst.ID == "scheduler" {
			for _, j := range s.Jobs() {
				jobs = append(jobs, j.Name+" "+j.Cron.String())
			}
		}
	}
	if len(jobs) != 1 || jobs[0] != "diskCleanupJob.execute 0 0 3 * * ?" {
		t.Fatalf("scheduled jobs = %q\n%s", jobs, report(c))
	}
}

func TestBadCronAndMethod(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`cron="0 0 3 * * ?"`, `cron="0 0 25 * * ?"`, "applicationContext.xml:140: task:scheduled: cron \"0 0 25 * * ?\": field 3 (hour)"},
		{`method="execute"`, `method="run"`, `applicationContext.xml:140: task:scheduled: bean "diskCleanupJob" has no method "run" (it has: execute)`},
	} {
		home := hedwigHome(t, map[string][][2]string{"default.properties": sqliteProps, "applicationContext.xml": {{tc.old, tc.new}}})
		c := load(t, home, Options{})
		if !strings.Contains(report(c), tc.want) {
			t.Errorf("no %q in\n%s", tc.want, report(c))
		}
	}
}

// <task:executor> bounds sessions like a ThreadPoolTaskExecutor bean.
func TestTaskExecutorNamespace(t *testing.T) {
	home := hedwigHome(t, map[string][][2]string{
		"default.properties": sqliteProps,
		"applicationContext.xml": {{`<task:scheduler id="scheduler" />`,
			`<task:scheduler id="scheduler" /><task:executor id="pool" pool-size="2-4" queue-capacity="7" />`},
			{`<property name="taskExecutor" ref="smtp.taskExecutor"/>
	</bean>

	<!-- Use the following to enable SSL/TLS for SMTP -->`, `<property name="taskExecutor" ref="pool"/>
	</bean>

	<!-- Use the following to enable SSL/TLS for SMTP -->`}},
	})
	c := load(t, home, Options{})
	if c.Problems.HasErrors() {
		t.Fatalf("errors:\n%s", report(c))
	}
	for _, inst := range c.Instances() {
		if inst.ID == "pool" {
			cfg := inst.Value.(*Executor).Config()
			if cfg.CorePoolSize != 2 || cfg.MaxPoolSize != 4 || cfg.QueueCapacity != 7 || cfg.QueueUnbounded {
				t.Fatalf("task:executor config %+v", cfg)
			}
		}
	}
	if !regexp.MustCompile(`smtp\.server\s+smtp\s+:25\s+none\s+pool`).MatchString(report(c)) {
		t.Fatalf("smtp.server does not use the task:executor:\n%s", report(c))
	}
}
