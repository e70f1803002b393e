package beans

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// The tests in this file read Hedwig 0.7's own configuration files.

func TestHedwigApplicationContext(t *testing.T) {
	d, problems := loadFixture(t, "applicationContext.xml")
	if len(problems.All()) != 0 {
		t.Fatalf("problems with the real file: %v", problems.Err())
	}
	want := []string{
		"org.springframework.beans.factory.config.PropertyPlaceholderConfigurer#0",
		"log4jInitialization", "componentManager", "config", "def.props", "jaasLoginConfig",
		"userManager", "mailboxManager", "dataSource", "txManager", "daoFactory", "imap.server",
		"cacheManager", "fdCache", "hdCache", "task:scheduled-tasks#0", "scheduler", "diskCleanupJob",
		"smtp.server", "smtp.taskExecutor", "smtp.spool", "smtp.consumer", "mailetContext",
		"deliver.local", "deliver.remote", "dns.server",
	}
	if got := ids(d.Beans); !reflect.DeepEqual(got, want) {
		t.Fatalf("beans:\n got %v\nwant %v", got, want)
	}
	// Commented-out beans are how Hedwig users switch servers off.
	for _, off := range []string{"imaps.server", "smtps.server", "pop3.server", "pop3s.server"} {
		if d.Bean(off) != nil {
			t.Errorf("commented-out bean %q was read", off)
		}
	}

	home, _ := filepath.Abs("testdata/hedwig-0.7")
	if d.AppHome != home {
		t.Errorf("AppHome = %q, want %q", d.AppHome, home)
	}
	if want := []string{filepath.Join(home, "conf", "default.properties")}; !reflect.DeepEqual(d.PropertyFiles, want) {
		t.Errorf("PropertyFiles = %v, want %v", d.PropertyFiles, want)
	}
	if d.Placeholders["jdbc.url"] != "jdbc:oracle:thin:@127.0.0.1:1521:XE" || d.Placeholders["mydomain"] != "hedwig.org" {
		t.Errorf("Placeholders = %v", d.Placeholders)
	}

	ppc := mustBean(t, d, "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer")
	if !ppc.Generated || ppc.Pos.Line != 10 {
		t.Errorf("placeholder configurer: generated=%v line %d, want generated at line 10", ppc.Generated, ppc.Pos.Line)
	}
	// Its own location is resolved from system properties, as Spring's
	// ResourceEditor does before any configurer runs.
	if loc := mustProp(t, ppc, "locations").Value; loc.Pos.Line != 13 || loc.Raw != "file:${app.home}/conf/default.properties" ||
		loc.Text != "file:"+home+"/conf/default.properties" {
		t.Errorf("configurer location = %+v", loc)
	}

	ds := mustBean(t, d, "dataSource")
	if ds.Class != "org.apache.commons.dbcp.BasicDataSource" || ds.Pos.Line != 73 {
		t.Errorf("dataSource: %s at line %d", ds.Class, ds.Pos.Line)
	}
	for name, want := range map[string]string{
		"driverClassName": "oracle.jdbc.driver.OracleDriver",
		"url":             "jdbc:oracle:thin:@127.0.0.1:1521:XE",
		"username":        "hedwig",
		"maxActive":       "8",
		"maxWait":         "10000",
	} {
		if v := mustProp(t, ds, name).Value; v.Kind != Literal || v.Text != want {
			t.Errorf("dataSource.%s = %v %q, want %q", name, v.Kind, v.Text, want)
		}
	}
	url := mustProp(t, ds, "url")
	if url.Pos.Line != 75 || url.Value.Raw != "${jdbc.url}" {
		t.Errorf("url at line %d, raw %q", url.Pos.Line, url.Value.Raw)
	}

	args := mustProp(t, mustBean(t, d, "log4jInitialization"), "arguments").Value
	if args.Kind != List || len(args.Items) != 1 || args.Items[0].Pos.Line != 26 ||
		args.Items[0].Text != "file:"+home+"/conf/log4j.properties" {
		t.Errorf("log4j arguments = %+v", args.Items[0])
	}

	config := mustBean(t, d, "config")
	if !reflect.DeepEqual(config.DependsOn, []string{"log4jInitialization"}) || !reflect.DeepEqual(config.Refs(), []string{"def.props"}) {
		t.Errorf("config: depends-on %v, refs %v", config.DependsOn, config.Refs())
	}

	dao := mustBean(t, d, "daoFactory")
	if dao.FactoryMethod != "getInstance" || len(dao.ConstructorArgs) != 1 {
		t.Fatalf("daoFactory: factory-method %q, %d args", dao.FactoryMethod, len(dao.ConstructorArgs))
	}
	if a := dao.ConstructorArgs[0]; a.Index != -1 || a.Value.Kind != Ref || a.Value.Ref != "dataSource" || a.Pos.Line != 98 {
		t.Errorf("daoFactory arg = %+v %+v", a, a.Value)
	}

	if got := mustBean(t, d, "smtp.consumer").Refs(); !reflect.DeepEqual(got, []string{"mailetContext", "deliver.local", "deliver.remote"}) {
		t.Errorf("smtp.consumer refs = %v", got)
	}

	mailets := mustProp(t, mustBean(t, d, "deliver.local"), "mailets").Value
	var inner []string
	for _, it := range mailets.Items {
		if it.Kind != InnerBean || !it.Bean.Inner {
			t.Fatalf("mailet item %+v is not an inner bean", it)
		}
		inner = append(inner, it.Bean.Class)
		if it.Pos.Line != it.Bean.Pos.Line {
			t.Errorf("inner bean value line %d, bean line %d", it.Pos.Line, it.Bean.Pos.Line)
		}
	}
	// The SpamAssassin mailet on line 208 is commented out.
	if want := []string{"com.hs.mail.mailet.AliasingForwarding", "com.hs.mail.mailet.ToRepository"}; !reflect.DeepEqual(inner, want) {
		t.Errorf("inner mailets = %v, want %v", inner, want)
	}
	if mailets.Items[0].Pos.Line != 209 || mailets.Items[1].Pos.Line != 210 {
		t.Errorf("inner mailets at lines %d, %d", mailets.Items[0].Pos.Line, mailets.Items[1].Pos.Line)
	}
}

func TestHedwigScheduler(t *testing.T) {
	d, _ := loadFixture(t, "applicationContext.xml")
	tasks := mustBean(t, d, "task:scheduled-tasks#0")
	if tasks.Class != ClassTaskScheduledTasks || tasks.Pos.Line != 138 || !tasks.Generated {
		t.Errorf("scheduled-tasks: %+v", tasks)
	}
	if got := tasks.Refs(); !reflect.DeepEqual(got, []string{"scheduler", "diskCleanupJob"}) {
		t.Errorf("scheduled-tasks refs = %v", got)
	}
	list := mustProp(t, tasks, "tasks").Value
	if len(list.Items) != 1 {
		t.Fatalf("%d scheduled tasks", len(list.Items))
	}
	job := list.Items[0].Bean
	if job.Class != ClassTaskScheduled || !job.Inner || job.Pos.Line != 140 {
		t.Errorf("task:scheduled = %+v", job)
	}
	for name, want := range map[string]string{"method": "execute", "cron": "0 0 3 * * ?"} {
		if v := mustProp(t, job, name).Value; v.Text != want {
			t.Errorf("task:scheduled %s = %q, want %q", name, v.Text, want)
		}
	}
	if v := mustProp(t, job, "ref").Value; v.Kind != Ref || v.Ref != "diskCleanupJob" {
		t.Errorf("task:scheduled ref = %+v", v)
	}
	if s := mustBean(t, d, "scheduler"); s.Class != ClassTaskScheduler || s.Pos.Line != 144 || len(s.Properties) != 0 {
		t.Errorf("task:scheduler = %+v", s)
	}
}

func TestHedwigSmtpContext(t *testing.T) {
	d, problems := loadFixture(t, "smtpContext.xml")
	requireNoProblems(t, problems)
	if len(d.Beans) != 19 {
		t.Errorf("%d beans, want 19: %v", len(d.Beans), ids(d.Beans))
	}
	// The placeholder configurer comes after the beans that use it.
	if url := mustProp(t, mustBean(t, d, "dataSource"), "url").Value; url.Text != "jdbc:oracle:thin:@127.0.0.1:1521:XE" || url.Pos.Line != 141 {
		t.Errorf("url = %q at line %d", url.Text, url.Pos.Line)
	}
	if b := mustBean(t, d, "smtp.server"); b.Pos.Line != 17 || mustProp(t, b, "port").Value.Text != "25" {
		t.Errorf("smtp.server at line %d", b.Pos.Line)
	}
}

func TestHedwigImapContext(t *testing.T) {
	d, problems := loadFixture(t, "imapContext.xml")
	requireNoProblems(t, problems)
	if len(d.Beans) != 18 {
		t.Errorf("%d beans, want 18: %v", len(d.Beans), ids(d.Beans))
	}
	quartz := mustBean(t, d, "org.springframework.scheduling.quartz.SchedulerFactoryBean#0")
	if quartz.Pos.Line != 131 || d.Bean("org.springframework.scheduling.quartz.SchedulerFactoryBean") != quartz {
		t.Errorf("quartz scheduler at line %d, class alias %v", quartz.Pos.Line, quartz.Aliases)
	}
	props := mustProp(t, quartz, "quartzProperties").Value
	if props.Kind != Props || props.Pos.Line != 133 || len(props.Entries) != 2 {
		t.Fatalf("quartzProperties = %+v", props)
	}
	wantProps := [][3]string{
		{"org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool", "134"},
		{"org.quartz.threadPool.threadCount", "2", "135"},
	}
	for i, e := range props.Entries {
		got := [3]string{e.Key.Text, e.Value.Text, itoa(e.Pos.Line)}
		if got != wantProps[i] {
			t.Errorf("prop %d = %v, want %v", i, got, wantProps[i])
		}
	}
	if got := quartz.Refs(); !reflect.DeepEqual(got, []string{"cronTrigger"}) {
		t.Errorf("quartz refs = %v", got)
	}
	jobData := mustProp(t, mustBean(t, d, "diskCleanupJob"), "jobDataAsMap").Value
	if jobData.Kind != Map || len(jobData.Entries) != 1 {
		t.Fatalf("jobDataAsMap = %+v", jobData)
	}
	e := jobData.Entries[0]
	if e.Key.Kind != Literal || e.Key.Text != "mailboxManager" || e.Value.Kind != Ref || e.Value.Ref != "mailboxManager" || e.Pos.Line != 155 {
		t.Errorf("entry = %+v key %+v value %+v", e, e.Key, e.Value)
	}
	if got := jobData.Refs(); !reflect.DeepEqual(got, []string{"mailboxManager"}) {
		t.Errorf("map refs = %v", got)
	}
	if v := mustProp(t, mustBean(t, d, "cacheManager"), "configLocation").Value; !strings.HasSuffix(v.Text, "hedwig-0.7/conf/ehcache-failsafe.xml") {
		t.Errorf("configLocation = %q", v.Text)
	}
}

func TestHedwigJMX(t *testing.T) {
	d, problems := loadFixture(t, "jmx.xml")
	requireNoProblems(t, problems)
	if got, want := ids(d.Beans), []string{"mbeanServer", "exporter", "registry", "serverConnector"}; !reflect.DeepEqual(got, want) {
		t.Errorf("beans = %v, want %v", got, want)
	}
	exporter := mustBean(t, d, "exporter")
	m := mustProp(t, exporter, "beans").Value
	if len(m.Entries) != 1 || m.Entries[0].Key.Text != "bean:name=imap.server" || m.Entries[0].Value.Ref != "imap.server" {
		t.Errorf("exporter beans = %+v", m.Entries)
	}
	if got := exporter.Refs(); !reflect.DeepEqual(got, []string{"imap.server", "mbeanServer"}) {
		t.Errorf("exporter refs = %v", got)
	}
	if len(d.PropertyFiles) != 0 || len(d.Placeholders) != 0 {
		t.Errorf("jmx.xml has no configurer, yet files %v placeholders %v", d.PropertyFiles, d.Placeholders)
	}
}

// TestHedwigImportJMX enables JMX the Spring way: a root file importing
// Hedwig's applicationContext.xml and jmx.xml.
func TestHedwigImportJMX(t *testing.T) {
	conf := copyFixtures(t, t.TempDir())
	root := filepath.Join(conf, "hedwig.xml")
	xml := beans(`	<import resource="applicationContext.xml"/>
	<import resource="classpath:jmx.xml"/>
	<bean id="after" class="x.After"/>`)
	if err := os.WriteFile(root, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	d, problems := Load(root, testOpts())
	requireNoProblems(t, problems)
	if len(d.Beans) != 26+4+1 {
		t.Fatalf("%d beans: %v", len(d.Beans), ids(d.Beans))
	}
	if d.Beans[0].ID != "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer#0" ||
		d.Beans[26].ID != "mbeanServer" || d.Beans[30].ID != "after" {
		t.Errorf("imports not inlined in place: %v", ids(d.Beans))
	}
	exporter := mustBean(t, d, "exporter")
	if exporter.Pos != (diag.Pos{File: filepath.Join(conf, "jmx.xml"), Line: 12}) {
		t.Errorf("exporter at %v", exporter.Pos)
	}
	if ds := mustBean(t, d, "dataSource"); ds.Pos != (diag.Pos{File: filepath.Join(conf, "applicationContext.xml"), Line: 73}) {
		t.Errorf("dataSource at %v", ds.Pos)
	}
	if after := mustBean(t, d, "after"); after.Pos.File != root || after.Pos.Line != 7 {
		t.Errorf("after at %v", after.Pos)
	}
}

// TestHedwigImportOverride imports two real files that define the same
// beans: as in Spring, the later definition wins and keeps the first
// one's place.
func TestHedwigImportOverride(t *testing.T) {
	conf := copyFixtures(t, t.TempDir())
	root := filepath.Join(conf, "both.xml")
	if err := os.WriteFile(root, []byte(beans(`<import resource="smtpContext.xml"/><import resource="imapContext.xml"/>`)), 0o644); err != nil {
		t.Fatal(err)
	}
	d, problems := Load(root, testOpts())
	if problems.HasErrors() {
		t.Fatal(problems.Err())
	}
	smtp, imap := filepath.Join(conf, "smtpContext.xml"), filepath.Join(conf, "imapContext.xml")
	requireProblem(t, problems, diag.Warning,
		imap+`:53: bean "config": overrides the bean defined at `+smtp+`:110 (Spring keeps the later definition)`)
	config := mustBean(t, d, "config")
	if config.Pos.File != imap {
		t.Errorf("config from %s, want the later file", config.Pos.File)
	}
	if i := indexOf(ids(d.Beans), "config"); i != 11 {
		t.Errorf("config at position %d, want 11 (its first place)", i)
	}
	// Two anonymous configurers get #0 and #1; only the first is aliased
	// by its class name.
	second := mustBean(t, d, "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer#1")
	if second.Pos.File != imap || len(second.Aliases) != 0 {
		t.Errorf("second configurer %v aliases %v", second.Pos, second.Aliases)
	}
	if first := d.Bean("org.springframework.beans.factory.config.PropertyPlaceholderConfigurer"); first == nil || first.Pos.File != smtp {
		t.Errorf("class alias names %+v, want the first configurer", first)
	}
}

// TestHedwigLines checks, for every bean, property, value and entry read
// from the real files, that its line holds the start tag it came from.
func TestHedwigLines(t *testing.T) {
	for _, name := range []string{"applicationContext.xml", "smtpContext.xml", "imapContext.xml", "jmx.xml"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtureConf, name))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			at := func(p Pos) string {
				if p.Line < 1 || p.Line > len(lines) {
					t.Fatalf("line %d out of range", p.Line)
				}
				return lines[p.Line-1]
			}
			expect := func(p Pos, what string, wants ...string) {
				line := at(p)
				for _, w := range wants {
					if strings.Contains(line, w) {
						return
					}
				}
				t.Errorf("%s at line %d: %q holds none of %q", what, p.Line, line, wants)
			}
			d, _ := loadFixture(t, name)
			var checkBean func(b *Bean)
			var checkValue func(v *Value)
			checkBean = func(b *Bean) {
				if b.Generated || b.Inner {
					expect(b.Pos, b.Subject(), "<bean", "<task:")
				} else {
					expect(b.Pos, b.Subject(), `id="`+b.ID+`"`)
				}
				for _, p := range b.Properties {
					if !strings.HasPrefix(b.Class, "task:") {
						expect(p.Pos, "property "+p.Name, `<property name="`+p.Name+`"`)
					}
					checkValue(p.Value)
				}
				for _, a := range b.ConstructorArgs {
					expect(a.Pos, "constructor-arg", "<constructor-arg")
					checkValue(a.Value)
				}
			}
			checkValue = func(v *Value) {
				switch v.Kind {
				case Literal:
					// A task attribute's value sits on its element's start line.
					expect(v.Pos, "literal "+v.Raw, "<value>"+v.Raw, `value="`+v.Raw+`"`, `key="`+v.Raw+`"`, ">"+v.Raw+"</prop>", `="`+v.Raw+`"`, "<task:")
				case Ref:
					expect(v.Pos, "ref "+v.Ref, `ref="`+v.Ref+`"`, `bean="`+v.Ref+`"`, `scheduler="`+v.Ref+`"`)
				case List:
					expect(v.Pos, "list", "<list", "<task:scheduled-tasks")
				case Map:
					expect(v.Pos, "map", "<map")
				case Props:
					expect(v.Pos, "props", "<props")
				case InnerBean:
					checkBean(v.Bean)
				}
				for _, it := range v.Items {
					checkValue(it)
				}
				for _, e := range v.Entries {
					expect(e.Pos, "entry", "<entry", "<prop ")
					checkValue(e.Key)
					checkValue(e.Value)
				}
			}
			for _, b := range d.Beans {
				checkBean(b)
			}
		})
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
