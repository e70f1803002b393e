package beans

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// The tests in this file feed broken input and check that every problem is
// reported, at the right line, with the definitions that could be read.

func TestMalformedXML(t *testing.T) {
	tests := []struct {
		name, xml string
		line      int
		msg       string
	}{
		{"unclosed element", "<beans>\n<bean id=\"a\">\n</beans>", 3, "element <bean> closed by </beans>"},
		{"truncated", "<beans>\n<bean id=\"a\"/>\n", 3, "unexpected EOF"},
		{"unquoted attribute", "<beans>\n\n<bean id=a/>\n</beans>", 3, "unquoted or missing attribute value in element"},
		{"text after root", "<beans/>\ntrailing", 2, "text outside the root element"},
		{"two roots", "<beans/>\n\n<beans/>", 3, "second root element <beans>: a file holds one root element"},
		{"repeated attribute", "<beans>\n\n<bean id=\"a\" id=\"b\"/></beans>", 3, `attribute "id" appears twice in <bean>`},
		{"empty file", "", 1, "no root element"},
		{"unknown encoding", "<?xml version=\"1.0\" encoding=\"EBCDIC\"?>\n<beans/>", 1, `xml: opening charset "EBCDIC": unsupported encoding "EBCDIC": save the file as UTF-8`},
		{"undefined entity", "<beans>\n<bean id=\"&nbsp;\"/></beans>", 2, "invalid character entity &nbsp;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeXML(t, tt.xml)
			d, problems := Load(path, testOpts())
			want := []string{path + ":" + itoa(tt.line) + ": malformed XML: " + tt.msg}
			if got := rendered(problems, diag.Error); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
			if d == nil || len(d.Beans) != 0 {
				t.Errorf("definitions = %+v", d)
			}
		})
	}
}

func TestNotABeansFile(t *testing.T) {
	path := writeXML(t, "<?xml version=\"1.0\"?>\n<ehcache/>")
	_, problems := Load(path, testOpts())
	requireProblem(t, problems, diag.Error, path+`:2: root element is <ehcache>; a Spring bean file has <beans xmlns="http://www.springframework.org/schema/beans">`)
}

func TestDuplicateID(t *testing.T) {
	xml := beans(`	<bean id="dup" class="x.First"/>
	<bean id="other" class="x.Other"/>
	<bean id="dup" class="x.Second"/>
	<bean id="named" name="other" class="x.Third"/>
	<bean id="outer" class="x.O"><property name="p"><bean id="dup" class="x.Inner"/></property></bean>`)
	path := writeXML(t, xml)
	d, problems := Load(path, testOpts())
	want := []string{
		path + `:7: bean "dup": name "dup" is already used by the bean at ` + path + `:5; give one of them another id`,
		path + `:8: bean "named": name "other" is already used by the bean at ` + path + `:6; give one of them another id`,
		path + `:9: bean "outer": property "p": inner bean "dup": name "dup" is already used by the bean at ` + path + `:5; give one of them another id`,
	}
	if got := rendered(problems, diag.Error); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	if b := mustBean(t, d, "dup"); b.Class != "x.First" {
		t.Errorf("dup is %s, want the first definition", b.Class)
	}
	if got := ids(d.Beans); !reflect.DeepEqual(got, []string{"dup", "other", "outer"}) {
		t.Errorf("beans = %v", got)
	}
}

func TestImportCycle(t *testing.T) {
	root := writeConf(t, []string{"a.xml"}, map[string]string{
		"a.xml": beans(`	<bean id="a" class="x.A"/>
	<import resource="b.xml"/>`),
		"b.xml": beans(`	<bean id="b" class="x.B"/>
	<import resource="file:conf/a.xml"/>
	<import resource="b.xml"/>`),
	})
	d, problems := Load(root, testOpts())
	conf := filepath.Dir(root)
	a, b := filepath.Join(conf, "a.xml"), filepath.Join(conf, "b.xml")
	want := []string{
		b + `:6: import "file:conf/a.xml": import cycle: ` + a + " → " + b + " → " + a + "; remove one of these imports",
		b + `:7: import "b.xml": import cycle: ` + b + " → " + b + "; remove one of these imports",
	}
	if got := rendered(problems, diag.Error); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	if got := ids(d.Beans); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("beans = %v", got)
	}
}

func TestMissingFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf", "none.xml")
	d, problems := Load(path, testOpts())
	if got, want := rendered(problems, diag.Error), []string{path + ": cannot read bean definitions: no such file"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if d == nil || d.File != path {
		t.Errorf("definitions = %+v", d)
	}

	xml := beans(`	<import resource="gone.xml"/>
	<import resource="http://example.org/remote.xml"/>
	<import resource="${NOT_SET}/x.xml"/>
	<import resource="missing-*.xml"/>
	<bean id="still" class="x.S"/>`)
	path = writeXML(t, xml)
	d, problems = Load(path, testOpts())
	gone := filepath.Join(filepath.Dir(path), "gone.xml")
	want := []string{
		path + `:5: import "gone.xml": cannot read ` + gone + `: no such file`,
		path + `:6: import "http://example.org/remote.xml": only file: and classpath: resources can be read, not "http://example.org/remote.xml"`,
		path + `:7: import "${NOT_SET}/x.xml": unresolved placeholder ${NOT_SET} (imports see only ${app.home}, Java system properties and environment variables)`,
	}
	if got := rendered(problems, diag.Error); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	mustBean(t, d, "still")
}

func TestUnknownElementsAndAttributes(t *testing.T) {
	xml := beans(`	<bena id="typo" class="x.T"/>
	<bean id="b" clas="x.B" lazy-init="yes" autowire="sometimes">
		<proprety name="p" value="v"/>
		<property name="list"><lst/></property>
		<property name="text" value="t" vlaue="oops"/>
	</bean>
	<task:schedular id="s"/>
	<unbound:thing/>`)
	path := writeXML(t, xml)
	d, problems := Load(path, testOpts())
	at := func(marker string) string { return path + ":" + itoa(lineOf(t, xml, marker)) + ": " }
	want := []string{
		at("<bena") + `unknown element <bena> in <beans>; did you mean "bean"?`,
		at("clas=") + `bean "b": <bean> has no attribute "clas"; did you mean "class"?`,
		at("clas=") + `bean "b": lazy-init="yes": use true or false`,
		at("clas=") + `bean "b": autowire="sometimes": use one of default, no, byName, byType, constructor, autodetect`,
		at("<proprety") + `bean "b": unknown element <proprety> in <bean>; did you mean "property"?`,
		at("<lst") + `bean "b": property "list": <lst> is not a value element; did you mean "list"?`,
		at("vlaue") + `bean "b": <property> has no attribute "vlaue"; did you mean "value"?`,
		at("schedular") + `unknown element <task:schedular>; did you mean "scheduler"?`,
		at("unbound:") + `<unbound:thing> uses the undeclared prefix "unbound"`,
	}
	if got := rendered(problems, diag.Error); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if b := mustBean(t, d, "b"); mustProp(t, b, "text").Value.Text != "t" {
		t.Error("the valid parts of bean b were not kept")
	}
}

func TestBeanContentErrors(t *testing.T) {
	xml := beans(`	<bean id="t" class="x.T"/>
	<bean id="e" class="x.E">
		<property value="nameless"/>
		<property name="both" value="v" ref="t"/>
		<property name="none"/>
		<property name="twice" value="1"/>
		<property name="twice" value="2"/>
		<property name="two"><value>a</value><value>b</value></property>
		<property name="emptyRef" ref=" "/>
		<constructor-arg index="x" value="1"/>
		<constructor-arg index="-1" value="1"/>
		<constructor-arg index="0" value="1"/>
		<constructor-arg index="0" value="2"/>
		<property name="ref"><ref/></property>
		<property name="parent"><ref parent="t"/></property>
		<property name="local"><ref local="elsewhere"/></property>
		<property name="idref"><idref/></property>
		<property name="map"><map><entry value="v"/><entry key="k" key-ref="t" value="v"/><entry key="k"/><foo/></map></property>
		<property name="props"><props><prop>v</prop></props></property>
		<property name="value"><value>text<b/></value></property>
		stray text
	</bean>
	<bean abstract="true"/>
	<task:scheduler pool-size="1"/>
	<task:executor id="ex" rejection-policy="DROP"/>
	<task:scheduled-tasks scheduler="ex">
		<task:scheduled ref="t"/>
		<task:scheduled ref="t" method="m" cron="* * * * * *" fixed-rate="5"/>
	</task:scheduled-tasks>
	<alias name="t"/>`)
	path := writeXML(t, xml)
	d, problems := Load(path, testOpts())
	at := func(marker string) string { return path + ":" + itoa(lineOf(t, xml, marker)) + ": " }
	e := `bean "e": `
	want := []string{
		at("nameless") + e + "<property> needs a name",
		at(`"both"`) + e + `property "both": <property> may have a ref attribute, a value attribute or a value element, but only one of them`,
		at(`"none"`) + e + `property "none": <property> has no value: give it a value or ref attribute, or an element such as <value> or <ref>`,
		at(`value="2"`) + e + `property "twice" is set twice (first at line ` + itoa(lineOf(t, xml, `value="1"`)) + `)`,
		at(`"two"`) + e + `property "two": <property> holds one value element, and <value> is a second one`,
		at(`"emptyRef"`) + e + `property "emptyRef": ref is empty; name the bean to use`,
		at(`index="x"`) + e + `constructor-arg index "x" is not a number`,
		at(`index="-1"`) + e + `constructor-arg index -1 is negative`,
		at(`index="0" value="2"`) + e + `two constructor-args have index 0 (first at line ` + itoa(lineOf(t, xml, `index="0"`)) + `)`,
		at(`"ref"><ref/>`) + e + `property "ref": <ref> needs bean="name of a bean"`,
		at(`parent="t"`) + e + `property "parent": <ref parent="t">: hedwig runs one context, with no parent context to look in; use bean="t"`,
		at(`"idref"`) + e + `property "idref": <idref> needs bean="name of a bean"`,
		at(`<entry value`) + e + `property "map": entry 1: <entry> has no key: give it a key or key-ref attribute`,
		at(`<entry value`) + e + `property "map": entry "k": <entry> may have a key attribute, a key-ref attribute or a key element, but only one of them`,
		at(`<entry value`) + e + `property "map": entry "k": <entry> has no value: give it a value or value-ref attribute`,
		at(`<entry value`) + e + `property "map": <map> holds <entry> elements, not <foo>`,
		at(`<prop>`) + e + `property "props": <prop> needs a key`,
		at(`text<b/>`) + e + `property "value": <value> holds text only, not <b>`,
		at("stray text") + e + `unexpected text "stray text" inside <bean>`,
		at(`<bean abstract`) + `bean: a bean without id or name needs a class, parent or factory-bean`,
		at(`pool-size="1"`) + `<task:scheduler>: needs an id: other beans refer to it by that name`,
		at(`DROP`) + `bean "ex": rejection-policy="DROP": use one of ABORT, CALLER_RUNS, DISCARD, DISCARD_OLDEST`,
		at(`<task:scheduled ref="t"/>`) + `bean "task:scheduled-tasks#0": task 1: <task:scheduled> needs ref (the bean) and method (what to call on it)`,
		at(`fixed-rate="5"`) + `bean "task:scheduled-tasks#0": task 1: <task:scheduled> needs exactly one of cron, fixed-delay, fixed-rate or trigger, not 2`,
		at(`<alias name="t"/>`) + `<alias>: alias must not be empty`,
		at(`local="elsewhere"`) + e + `property "local": <ref>: local="elsewhere" names no bean id of this file; use bean="elsewhere" to refer to a bean of another file`,
	}
	got := rendered(problems, diag.Error)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// What was valid is kept.
	eb := mustBean(t, d, "e")
	if len(eb.ConstructorArgs) != 1 || eb.ConstructorArgs[0].Value.Text != "1" || mustProp(t, eb, "twice").Value.Text != "1" {
		t.Errorf("bean e kept %d args, twice=%v", len(eb.ConstructorArgs), eb.Property("twice"))
	}
	if d.Bean("ex") == nil || d.Bean("task:scheduled-tasks#0") == nil {
		t.Errorf("beans = %v", ids(d.Beans))
	}
}

func TestOverridesAndAliasWarnings(t *testing.T) {
	root := writeConf(t, []string{"app.xml"}, map[string]string{
		"app.xml": beans(`	<bean id="svc" class="x.Old"/>
	<import resource="later.xml"/>
	<alias name="svc" alias="a1"/>
	<alias name="nobody" alias="a2"/>
	<alias name="a1" alias="svc2"/>
	<alias name="svc2" alias="a1"/>`),
		"later.xml": beans(`	<bean id="svc" class="x.New"/>`),
	})
	d, problems := Load(root, testOpts())
	later := filepath.Join(filepath.Dir(root), "later.xml")
	requireProblem(t, problems, diag.Warning, later+`:5: bean "svc": overrides the bean defined at `+root+`:5 (Spring keeps the later definition)`)
	requireProblem(t, problems, diag.Warning, root+`:8: alias "a2": stands for "nobody", which is no bean`)
	requireProblem(t, problems, diag.Error, root+`:10: alias "a1": alias cycle: "svc2" already stands for "a1"`)
	if b := mustBean(t, d, "a1"); b.Class != "x.New" || !reflect.DeepEqual(b.Aliases, []string{"a1", "svc2"}) {
		t.Errorf("svc = %s aliases %v", b.Class, b.Aliases)
	}
}
