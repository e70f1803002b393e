package beans

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

func TestResolver(t *testing.T) {
	props := map[string]string{
		"a": "1", "b": "${a}2", "c": "${d}", "d": "${c}", "nest.x": "X", "key": "x",
		"e": "${missing}", "colon:key": "v", "self": "${self}",
	}
	lookup := func(name string) (string, bool) {
		v, ok := props[name]
		return v, ok
	}
	tests := []struct {
		in, want string
		ignore   bool
		err      error
	}{
		{in: "plain", want: "plain"},
		{in: "${a}", want: "1"},
		{in: "pre${a}post${b}", want: "pre1post12"},
		{in: "${nest.${key}}", want: "X"},
		{in: "${missing:dflt}", want: "dflt"},
		{in: "${missing:}", want: ""},
		{in: "${a:dflt}", want: "1"},
		{in: "${colon:key}", want: "v"},
		{in: "${missing:${a}}", want: "1"},
		{in: "${a}${a}${b}", want: "1112"},
		{in: "{${a}}", want: "{1}"},
		{in: "$ {a} $a", want: "$ {a} $a"},
		{in: "${unclosed", want: "${unclosed"},
		{in: "${a} ${unclosed", want: "1 ${unclosed"},
		{in: "${c}", err: &circularError{name: "c"}},
		{in: "${self}", err: &circularError{name: "self"}},
		{in: "${missing}", err: &unresolvedError{name: "missing"}},
		{in: "${e}", err: &unresolvedError{name: "missing"}},
		{in: "${nest.${missing}}", err: &unresolvedError{name: "missing"}},
		{in: "x${missing}y${a}", want: "x${missing}y1", ignore: true},
		{in: "${nest.${missing}}", want: "${nest.${missing}}", ignore: true},
		{in: "${e}", want: "${missing}", ignore: true},
	}
	for _, tt := range tests {
		r := resolver{syntax: defaultSyntax, lookup: lookup, ignoreUnresolvable: tt.ignore}
		got, err := r.resolve(tt.in)
		switch {
		case tt.err != nil:
			if err == nil || err.Error() != tt.err.Error() {
				t.Errorf("resolve(%q) error = %v, want %v", tt.in, err, tt.err)
			}
		case err != nil || got != tt.want:
			t.Errorf("resolve(%q, ignore=%v) = %q, %v; want %q", tt.in, tt.ignore, got, err, tt.want)
		}
	}
}

func TestResolverCustomSyntax(t *testing.T) {
	r := resolver{syntax: newSyntax("@[", "]", ""), lookup: func(n string) (string, bool) { return "<" + n + ">", n != "" }}
	got, err := r.resolve("@[a] ${b} @[c:d] @[x@[y]]")
	if want := "<a> ${b} <c:d> <x<y>>"; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

func TestResolverExpansionBound(t *testing.T) {
	props := map[string]string{"l30": "xxxxxxxx"}
	for i := 29; i >= 0; i-- {
		props[fmt.Sprintf("l%d", i)] = fmt.Sprintf("${l%d}${l%d}", i+1, i+1)
	}
	r := resolver{syntax: defaultSyntax, lookup: func(n string) (string, bool) { v, ok := props[n]; return v, ok }}
	if _, err := r.resolve("${l0}"); !errors.As(err, new(*expansionError)) {
		t.Errorf("doubling placeholders: error = %v, want an expansion error", err)
	}
}

// configurerXML is a PropertyPlaceholderConfigurer reading
// conf/app.properties, with extra properties, and a bean using its
// placeholders.
func configurerXML(settings, body string) string {
	return beans(`	<bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
		<property name="location" value="file:${app.home}/conf/app.properties"/>
` + settings + `
	</bean>
` + body)
}

func TestPlaceholderSources(t *testing.T) {
	body := `	<bean id="user" class="x.U">
		<property name="fromFile" value="${host}"/>
		<property name="fromEnv" value="${only.env}"/>
		<property name="home" value="${home.dir}"/>
	</bean>`
	properties := "host=file\nhome.dir=${app.home}/data\n"
	env := envOf(map[string]string{"host": "env", "only.env": "envonly", "app.home": "env-home"})
	tests := []struct {
		name, settings string
		want           [3]string
		errs           []string
	}{
		{name: "fallback (Spring's default)", want: [3]string{"file", "envonly", "HOME/data"}},
		{name: "override", settings: `<property name="systemPropertiesModeName" value="SYSTEM_PROPERTIES_MODE_OVERRIDE"/>`,
			want: [3]string{"env", "envonly", "HOME/data"}},
		{name: "override by number", settings: `<property name="systemPropertiesMode" value="2"/>`,
			want: [3]string{"env", "envonly", "HOME/data"}},
		{name: "never", settings: `<property name="systemPropertiesModeName" value="SYSTEM_PROPERTIES_MODE_NEVER"/>`,
			want: [3]string{"file", "${only.env}", "${home.dir}"},
			errs: []string{
				`property "fromEnv": unresolved placeholder ${only.env} (not in conf/app.properties)`,
				`property "home": unresolved placeholder ${app.home} (not in conf/app.properties)`,
			}},
		{name: "no environment search", settings: `<property name="searchSystemEnvironment" value="false"/>`,
			want: [3]string{"file", "${only.env}", "HOME/data"},
			errs: []string{`property "fromEnv": unresolved placeholder ${only.env} (not in conf/app.properties or the environment)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeXML(t, configurerXML(tt.settings, body), "app.properties", properties)
			d, problems := Load(path, Options{Env: env, SystemProperties: map[string]string{}})
			u := mustBean(t, d, "user")
			got := [3]string{mustProp(t, u, "fromFile").Value.Text, mustProp(t, u, "fromEnv").Value.Text, mustProp(t, u, "home").Value.Text}
			want := tt.want
			want[2] = strings.Replace(want[2], "HOME", d.AppHome, 1)
			if got != want {
				t.Errorf("values = %q, want %q", got, want)
			}
			var errs []string
			for _, p := range problems.Filter(diag.Error) {
				errs = append(errs, strings.TrimPrefix(p.Message, ""))
			}
			if !reflect.DeepEqual(errs, tt.errs) {
				t.Errorf("errors = %q, want %q", errs, tt.errs)
			}
		})
	}
}

func TestPlaceholderProcessEnvironment(t *testing.T) {
	t.Setenv("HEDWIG_BEANS_TEST_PORT", "2525")
	path := writeXML(t, configurerXML("", `<bean id="s" class="x.S" p:port="${HEDWIG_BEANS_TEST_PORT}"/>`), "app.properties", "")
	d, problems := Load(path, Options{}) // Env defaults to os.LookupEnv
	requireNoProblems(t, problems)
	if v := mustProp(t, mustBean(t, d, "s"), "port").Value.Text; v != "2525" {
		t.Errorf("port = %q", v)
	}
}

// TestUnresolvedPlaceholderInHedwigConf takes jdbc.url and jdbc.user out
// of Hedwig's real default.properties: each use is an error at its line.
func TestUnresolvedPlaceholderInHedwigConf(t *testing.T) {
	conf := copyFixtures(t, t.TempDir())
	propsPath := filepath.Join(conf, "default.properties")
	data, err := os.ReadFile(propsPath)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "jdbc.url=") && !strings.HasPrefix(line, "jdbc.user=") {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(propsPath, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(conf, "applicationContext.xml")
	d, problems := Load(root, testOpts())
	want := []string{
		root + `:75: bean "dataSource": property "url": unresolved placeholder ${jdbc.url} (not in conf/default.properties or the environment)`,
		root + `:76: bean "dataSource": property "username": unresolved placeholder ${jdbc.user} (not in conf/default.properties or the environment)`,
	}
	if got := rendered(problems, diag.Error); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	// The rest is still there, resolved.
	if len(d.Beans) != 26 || mustProp(t, mustBean(t, d, "dataSource"), "password").Value.Text != "hedwig" {
		t.Errorf("partial definitions: %d beans", len(d.Beans))
	}
}

func TestPlaceholderLocations(t *testing.T) {
	xml := beans(`	<bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
		<property name="locations">
			<list>
				<value>classpath:first.properties</value>
				<value>file:conf/second.properties</value>
				<value>file:${app.home}/conf/${CONF_NAME}.properties</value>
			</list>
		</property>
	</bean>
	<bean id="b" class="x.B" p:a="${a}" p:b="${b}" p:c="${c}"/>`)
	path := writeXML(t, xml,
		"first.properties", "a=first\nb=first\nc=first\n",
		"second.properties", "b=second\nc=second\n",
		"third.properties", "c=third\n")
	d, problems := Load(path, Options{Env: envOf(map[string]string{"CONF_NAME": "third"}), SystemProperties: map[string]string{}})
	requireNoProblems(t, problems)
	b := mustBean(t, d, "b")
	if got := [3]string{mustProp(t, b, "a").Value.Text, mustProp(t, b, "b").Value.Text, mustProp(t, b, "c").Value.Text}; got != [3]string{"first", "second", "third"} {
		t.Errorf("later files override earlier ones: got %q", got)
	}
	conf := filepath.Dir(path)
	want := []string{filepath.Join(conf, "first.properties"), filepath.Join(conf, "second.properties"), filepath.Join(conf, "third.properties")}
	if !reflect.DeepEqual(d.PropertyFiles, want) {
		t.Errorf("PropertyFiles = %v", d.PropertyFiles)
	}
	if !reflect.DeepEqual(d.Placeholders, map[string]string{"a": "first", "b": "second", "c": "third"}) {
		t.Errorf("Placeholders = %v", d.Placeholders)
	}
}

func TestMissingPropertiesFile(t *testing.T) {
	xml := beans(`	<bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
		<property name="locations">
			<list>
				<value>file:${app.home}/conf/missing.properties</value>
				<value>classpath:present.properties</value>
			</list>
		</property>
	</bean>
	<bean id="b" class="x.B" p:a="${a}"/>`)
	path := writeXML(t, xml, "present.properties", "a=1\n")
	d, problems := Load(path, testOpts())
	line := itoa(lineOf(t, xml, "missing.properties"))
	requireProblem(t, problems, diag.Error, path+":"+line+`: bean "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer#0": `+
		`location "file:${app.home}/conf/missing.properties": properties file conf/missing.properties not found`)
	if len(problems.Filter(diag.Error)) != 1 {
		t.Errorf("errors: %v", problems.Err())
	}
	if v := mustProp(t, mustBean(t, d, "b"), "a").Value.Text; v != "1" {
		t.Errorf("the present file was not read: a = %q", v)
	}

	ignoring := strings.Replace(xml, `<property name="locations">`, `<property name="ignoreResourceNotFound" value="true"/><property name="locations">`, 1)
	path = writeXML(t, ignoring, "present.properties", "a=1\n")
	_, problems = Load(path, testOpts())
	requireNoProblems(t, problems)
	requireProblem(t, problems, diag.Info, path+":"+line+`: bean "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer#0": `+
		`location "file:${app.home}/conf/missing.properties": properties file conf/missing.properties not found; skipped (ignoreResourceNotFound)`)
}

func TestLocationPlaceholderUnresolved(t *testing.T) {
	xml := configurerXML("", "")
	xml = strings.Replace(xml, "${app.home}/conf/app.properties", "${NO_SUCH_DIR}/app.properties", 1)
	path := writeXML(t, xml)
	_, problems := Load(path, testOpts())
	requireProblem(t, problems, diag.Error, path+`:6: bean "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer#0": `+
		`location "file:${NO_SUCH_DIR}/app.properties": unresolved placeholder ${NO_SUCH_DIR} `+
		`(locations see only ${app.home}, Java system properties and environment variables)`)
}

func TestIgnoreUnresolvablePlaceholders(t *testing.T) {
	xml := configurerXML(`<property name="ignoreUnresolvablePlaceholders" value="true"/>`,
		`<bean id="b" class="x.B" p:known="${k}" p:unknown="x-${nope}-${k}"/>`)
	d, problems := Load(writeXML(t, xml, "app.properties", "k=v"), testOpts())
	requireNoProblems(t, problems)
	b := mustBean(t, d, "b")
	if got := mustProp(t, b, "unknown").Value.Text; got != "x-${nope}-v" {
		t.Errorf("unknown = %q", got)
	}
}

// TestConfigurerOrder runs two configurers as Spring does: by order, each
// over all definitions; the first must ignore what only the second knows.
func TestConfigurerOrder(t *testing.T) {
	xml := beans(`
	<bean id="second" class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
		<property name="location" value="classpath:b.properties"/>
		<property name="order" value="2"/>
	</bean>
	<context:property-placeholder location="classpath:a.properties" order="1" ignore-unresolvable="true"/>
	<bean id="b" class="x.B" p:x="${x}" p:y="${y}"/>`)
	path := writeXML(t, xml, "a.properties", "x=A", "b.properties", "x=B\ny=B")
	d, problems := Load(path, testOpts())
	requireNoProblems(t, problems)
	b := mustBean(t, d, "b")
	if x, y := mustProp(t, b, "x").Value.Text, mustProp(t, b, "y").Value.Text; x != "A" || y != "B" {
		t.Errorf("x=%q y=%q, want A B", x, y)
	}
	if !reflect.DeepEqual(d.Placeholders, map[string]string{"x": "A", "y": "B"}) {
		t.Errorf("Placeholders = %v", d.Placeholders)
	}

	strict := strings.Replace(xml, ` ignore-unresolvable="true"`, "", 1)
	path = writeXML(t, strict, "a.properties", "x=A", "b.properties", "x=B\ny=B")
	_, problems = Load(path, testOpts())
	requireProblem(t, problems, diag.Error, path+`:11: bean "b": property "y": unresolved placeholder ${y} (not in conf/a.properties or the environment)`)
}

func TestPlaceholdersEverywhere(t *testing.T) {
	xml := configurerXML("", `
	<bean id="${not.resolved}" class="${cls}" parent="${par}" scope="${scope}" depends-on="${dep}" init-method="${init}">
		<constructor-arg value="${v}"/>
		<property name="ref" ref="${r}"/>
		<property name="idref"><idref bean="${r}"/></property>
		<property name="list"><list><value>${v}</value><bean class="${cls}.Inner"/></list></property>
		<property name="map"><map><entry key="${k}" value="${v}"/></map></property>
		<property name="props"><props><prop key="${k}">${v}</prop></props></property>
	</bean>
	<bean id="tmpl" abstract="true"/>
	<alias name="${not.resolved}" alias="${al}"/>`)
	props := "cls=x.Cls\npar=tmpl\nscope=prototype\nv=V\nr=tmpl\nk=K\nal=other\nnot.resolved=NR\n"
	path := writeXML(t, xml, "app.properties", props)
	d, problems := Load(path, testOpts())
	if problems.HasErrors() {
		t.Fatal(problems.Err())
	}
	// The id stays as written while the alias's target is resolved, so the
	// alias names no bean, as it would in Spring.
	requireProblem(t, problems, diag.Warning, path+":"+itoa(lineOf(t, xml, "<alias"))+`: alias "other": stands for "NR", which is no bean`)
	b := mustBean(t, d, "${not.resolved}")
	if b.Class != "x.Cls" || b.Parent != "tmpl" || b.Scope != "prototype" || b.DependsOn[0] != "${dep}" || b.InitMethod != "${init}" {
		t.Errorf("bean = %+v", b)
	}
	if b.ConstructorArgs[0].Value.Text != "V" || mustProp(t, b, "ref").Value.Ref != "tmpl" || mustProp(t, b, "idref").Value.Ref != "tmpl" {
		t.Error("constructor-arg, ref or idref not resolved")
	}
	list := mustProp(t, b, "list").Value
	if list.Items[0].Text != "V" || list.Items[1].Bean.Class != "x.Cls.Inner" {
		t.Errorf("list = %+v %+v", list.Items[0], list.Items[1].Bean)
	}
	for _, name := range []string{"map", "props"} {
		e := mustProp(t, b, name).Value.Entries[0]
		if e.Key.Text != "K" || e.Value.Text != "V" || e.Key.Raw != "${k}" {
			t.Errorf("%s entry = %+v → %+v", name, e.Key, e.Value)
		}
	}
	// Spring's resolveAliases resolves both sides of an alias.
	if d.Bean("other") != nil || d.Aliases["other"] != "NR" {
		t.Errorf("alias: %v", d.Aliases)
	}
}

func TestNoConfigurer(t *testing.T) {
	path := writeXML(t, beans(`<bean id="b" class="x.B" p:url="${jdbc.url}"/>`))
	d, problems := Load(path, testOpts())
	if v := mustProp(t, mustBean(t, d, "b"), "url").Value.Text; v != "${jdbc.url}" {
		t.Errorf("url = %q", v)
	}
	requireProblem(t, problems, diag.Warning, path+`:5: bean "b": property "url": ${jdbc.url} stays as written: no PropertyPlaceholderConfigurer is defined`)
}

func TestCircularPlaceholder(t *testing.T) {
	path := writeXML(t, configurerXML("", `<bean id="b" class="x.B">
		<property name="loop" value="${a}"/>
	</bean>`), "app.properties", "a=${b}\nb=x${a}")
	_, problems := Load(path, testOpts())
	requireProblem(t, problems, diag.Error, path+`:10: bean "b": property "loop": circular placeholder reference ${a}: its value leads back to itself`)
}

func TestConfigurerSettings(t *testing.T) {
	xml := configurerXML(`
		<property name="placeholderPrefix" value="@{"/>
		<property name="nullValue" value="NULL"/>
		<property name="valueSeparator" value="?"/>
		<property name="properties"><props><prop key="local">L</prop><prop key="both">local</prop></props></property>`,
		`<bean id="b" class="x.B" p:n="@{nothing}" p:s="${left} @{local} @{both}" p:d="@{missing?dflt}"/>`)
	d, problems := Load(writeXML(t, xml, "app.properties", "nothing=NULL\nboth=file"), testOpts())
	requireNoProblems(t, problems)
	b := mustBean(t, d, "b")
	if v := mustProp(t, b, "n").Value; v.Kind != Null || v.Raw != "@{nothing}" {
		t.Errorf("nullValue: %+v", v)
	}
	if v := mustProp(t, b, "s").Value.Text; v != "${left} L file" {
		t.Errorf("s = %q (files override local properties)", v)
	}
	if v := mustProp(t, b, "d").Value.Text; v != "dflt" {
		t.Errorf("d = %q", v)
	}

	override := strings.Replace(xml, `<property name="nullValue"`, `<property name="localOverride" value="yes"/><property name="nullValue"`, 1)
	d, problems = Load(writeXML(t, override, "app.properties", "nothing=NULL\nboth=file"), testOpts())
	requireNoProblems(t, problems)
	if v := mustProp(t, mustBean(t, d, "b"), "s").Value.Text; v != "${left} L local" {
		t.Errorf("with localOverride s = %q", v)
	}
}

func TestPropertiesFactoryBeanReference(t *testing.T) {
	xml := beans(`
	<bean id="defaults" class="org.springframework.beans.factory.config.PropertiesFactoryBean">
		<property name="location" value="classpath:defaults.properties"/>
		<property name="fileEncoding" value="UTF-8"/>
	</bean>
	<context:property-placeholder properties-ref="defaults" location="classpath:site.properties"/>
	<bean id="b" class="x.B" p:greeting="${greeting}" p:site="${site}"/>`)
	path := writeXML(t, xml, "defaults.properties", "greeting=grüß\nsite=default", "site.properties", "site=mine")
	d, problems := Load(path, testOpts())
	requireNoProblems(t, problems)
	b := mustBean(t, d, "b")
	if g, s := mustProp(t, b, "greeting").Value.Text, mustProp(t, b, "site").Value.Text; g != "grüß" || s != "mine" {
		t.Errorf("greeting=%q site=%q", g, s)
	}
}

func TestLatin1PropertiesByDefault(t *testing.T) {
	path := writeXML(t, configurerXML("", `<bean id="b" class="x.B" p:v="${v}"/>`), "app.properties", "v=caf\xe9")
	d, problems := Load(path, testOpts())
	requireNoProblems(t, problems)
	if v := mustProp(t, mustBean(t, d, "b"), "v").Value.Text; v != "café" {
		t.Errorf("v = %q", v)
	}
}

func TestReadPropertiesOption(t *testing.T) {
	var asked []string
	opts := testOpts()
	opts.ReadProperties = func(path string) (map[string]string, error) {
		asked = append(asked, filepath.Base(path))
		return map[string]string{"v": "from option"}, nil
	}
	d, problems := Load(writeXML(t, configurerXML("", `<bean id="b" class="x.B" p:v="${v}"/>`)), opts)
	requireNoProblems(t, problems)
	if v := mustProp(t, mustBean(t, d, "b"), "v").Value.Text; v != "from option" || !reflect.DeepEqual(asked, []string{"app.properties"}) {
		t.Errorf("v = %q, asked %v", v, asked)
	}
}
