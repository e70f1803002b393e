package beans

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// The tests in this file cover each construct of the Spring bean XML one
// by one, in small files written for the purpose.

func TestNamesAndAliases(t *testing.T) {
	xml := beans(`
	<bean id="plain" class="x.Plain"/>
	<bean name="first,second; third fourth" class="x.Named"/>
	<bean id="both" name="b1 b2" class="x.Both"/>
	<alias name="both" alias="b3"/>
	<alias name="b3" alias="b4"/>
	<bean class="x.Anon"/>
	<bean class="x.Anon"/>
	<bean parent="plain"/>
	<bean factory-bean="plain" factory-method="make"/>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	want := []string{"plain", "first", "both", "x.Anon#0", "x.Anon#1", "plain$child#0", "plain$created#0"}
	if got := ids(d.Beans); !reflect.DeepEqual(got, want) {
		t.Fatalf("names = %v, want %v", got, want)
	}
	named := mustBean(t, d, "first")
	if !reflect.DeepEqual(named.Aliases, []string{"second", "third", "fourth"}) || named.Generated {
		t.Errorf("first: aliases %v generated %v", named.Aliases, named.Generated)
	}
	both := mustBean(t, d, "both")
	if !reflect.DeepEqual(both.Aliases, []string{"b1", "b2", "b3", "b4"}) {
		t.Errorf("both aliases = %v", both.Aliases)
	}
	for _, alias := range []string{"b1", "b3", "b4"} {
		if d.Bean(alias) != both {
			t.Errorf("Bean(%q) is not both", alias)
		}
	}
	if d.CanonicalName("b4") != "both" || d.Aliases["b4"] != "b3" {
		t.Errorf("b4 → %q (alias of %q)", d.CanonicalName("b4"), d.Aliases["b4"])
	}
	anon0, anon1 := mustBean(t, d, "x.Anon#0"), mustBean(t, d, "x.Anon#1")
	if !anon0.Generated || d.Bean("x.Anon") != anon0 || len(anon1.Aliases) != 0 {
		t.Errorf("x.Anon#0 generated %v, class alias → %v, #1 aliases %v", anon0.Generated, d.Bean("x.Anon"), anon1.Aliases)
	}
	if d.Bean("nothing") != nil {
		t.Error("Bean of an unknown name is not nil")
	}
}

func TestBeanAttributes(t *testing.T) {
	xml := beans(`
	<beans default-lazy-init="true" default-init-method="start" default-destroy-method="stop" default-autowire="byName">
		<bean id="defaults" class="x.D"/>
		<bean id="own" class="x.O" lazy-init="false" init-method="open" destroy-method="" autowire="no"/>
	</beans>
	<bean id="base" abstract="true" scope="prototype"/>
	<bean id="child" parent="base" class="x.Child" scope="singleton" lazy-init="true"
		depends-on="a, b;c d" factory-method="create" factory-bean="maker"
		init-method="init" destroy-method="close" autowire="constructor"/>
	<bean id="a" class="x.A"/><bean id="b" class="x.A"/><bean id="c" class="x.A"/><bean id="d" class="x.A"/>
	<bean id="maker" class="x.Maker"/>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)

	def := mustBean(t, d, "defaults")
	if !def.Lazy || def.InitMethod != "start" || !def.InitFromDefault || def.DestroyMethod != "stop" || !def.DestroyFromDefault || def.Autowire != "byName" {
		t.Errorf("defaults = %+v", def)
	}
	own := mustBean(t, d, "own")
	if own.Lazy || own.InitMethod != "open" || own.InitFromDefault || own.DestroyMethod != "" || own.DestroyFromDefault || own.Autowire != "no" {
		t.Errorf("own = %+v", own)
	}
	base := mustBean(t, d, "base")
	if !base.Abstract || base.Scope != "prototype" || base.Class != "" || base.Lazy || base.Autowire != "no" {
		t.Errorf("base = %+v", base)
	}
	child := mustBean(t, d, "child")
	want := &Bean{ID: "child", Class: "x.Child", Parent: "base", Scope: "singleton", Lazy: true, Autowire: "constructor",
		DependsOn: []string{"a", "b", "c", "d"}, FactoryMethod: "create", FactoryBean: "maker",
		InitMethod: "init", DestroyMethod: "close", Pos: Pos{File: child.Pos.File, Line: lineOf(t, xml, `id="child"`)}}
	if !reflect.DeepEqual(child, want) {
		t.Errorf("child =\n %+v\nwant\n %+v", child, want)
	}
}

func TestPropertyValues(t *testing.T) {
	xml := beans(`
	<bean id="target" class="x.T"/>
	<bean id="v" class="x.V">
		<description>
			Every kind of value.
		</description>
		<property name="attr" value="plain"/>
		<property name="attrRef" ref="target"/>
		<property name="text"><value>  spaced &amp; <![CDATA[<raw>]]><!-- gone -->text </value></property>
		<property name="typed"><value type="java.lang.Integer">7</value></property>
		<property name="ref"><ref bean="target"/></property>
		<property name="local"><ref local="target"/></property>
		<property name="idref"><idref bean="target"/></property>
		<property name="nothing"><null/></property>
		<property name="list">
			<list value-type="int" merge="true">
				<value>1</value>
				<ref bean="target"/>
				<null/>
			</list>
		</property>
		<property name="set"><set><value>a</value><value>b</value></set></property>
		<property name="array"><array><value>z</value></array></property>
		<property name="map">
			<map key-type="java.lang.String" value-type="java.lang.Long">
				<entry key="k1" value="v1"/>
				<entry key-ref="target" value-ref="target"/>
				<entry>
					<key><value>k3</value></key>
					<list><value>v3</value></list>
				</entry>
				<entry key="k4"><bean class="x.InMap"><property name="p" ref="target"/></bean></entry>
			</map>
		</property>
		<property name="props">
			<props>
				<prop key="one">
					1
				</prop>
				<prop key="empty"></prop>
			</props>
		</property>
	</bean>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	v := mustBean(t, d, "v")
	if v.Description != "Every kind of value." {
		t.Errorf("description = %q", v.Description)
	}
	line := func(marker string) int { return lineOf(t, xml, marker) }
	value := func(name string) *Value {
		p := mustProp(t, v, name)
		if p.Pos.Line != line(`name="`+name+`"`) {
			t.Errorf("property %s at line %d, want %d", name, p.Pos.Line, line(`name="`+name+`"`))
		}
		return p.Value
	}
	check := func(name string, got *Value, want Value) {
		t.Helper()
		g := *got
		g.Items, g.Entries, g.Bean = nil, nil, nil
		if !reflect.DeepEqual(g, want) {
			t.Errorf("%s =\n %+v\nwant\n %+v", name, g, want)
		}
	}
	at := func(line int) Pos { return Pos{File: v.Pos.File, Line: line} }
	check("attr", value("attr"), Value{Kind: Literal, Text: "plain", Raw: "plain", Pos: at(line(`name="attr"`))})
	check("attrRef", value("attrRef"), Value{Kind: Ref, Ref: "target", Raw: "target", Pos: at(line(`name="attrRef"`))})
	check("text", value("text"), Value{Kind: Literal, Text: "  spaced & <raw>text ", Raw: "  spaced & <raw>text ", Pos: at(line(`name="text"`))})
	check("typed", value("typed"), Value{Kind: Literal, Text: "7", Raw: "7", Type: "java.lang.Integer", Pos: at(line(`name="typed"`))})
	check("ref", value("ref"), Value{Kind: Ref, Ref: "target", Raw: "target", Pos: at(line(`name="ref"`))})
	check("local", value("local"), Value{Kind: Ref, Ref: "target", Raw: "target", Pos: at(line(`name="local"`))})
	check("idref", value("idref"), Value{Kind: IDRef, Ref: "target", Raw: "target", Pos: at(line(`name="idref"`))})
	check("nothing", value("nothing"), Value{Kind: Null, Pos: at(line(`name="nothing"`))})

	list := value("list")
	check("list", list, Value{Kind: List, Type: "int", Merge: true, Pos: at(line("<list"))})
	if len(list.Items) != 3 {
		t.Fatalf("list has %d items", len(list.Items))
	}
	check("list[0]", list.Items[0], Value{Kind: Literal, Text: "1", Raw: "1", Type: "int", Pos: at(line("<value>1<"))})
	check("list[1]", list.Items[1], Value{Kind: Ref, Ref: "target", Raw: "target", Pos: at(line("<value>1<") + 1)})
	check("list[2]", list.Items[2], Value{Kind: Null, Pos: at(line("<value>1<") + 2)})

	if set := value("set"); set.Kind != Set || len(set.Items) != 2 || set.Items[1].Text != "b" {
		t.Errorf("set = %+v", set)
	}
	if arr := value("array"); arr.Kind != Array || len(arr.Items) != 1 || arr.Items[0].Text != "z" {
		t.Errorf("array = %+v", arr)
	}

	m := value("map")
	check("map", m, Value{Kind: Map, KeyType: "java.lang.String", Type: "java.lang.Long", Pos: at(line("<map"))})
	if len(m.Entries) != 4 {
		t.Fatalf("map has %d entries", len(m.Entries))
	}
	e0, e1, e2, e3 := m.Entries[0], m.Entries[1], m.Entries[2], m.Entries[3]
	check("k1", e0.Key, Value{Kind: Literal, Text: "k1", Raw: "k1", Type: "java.lang.String", Pos: at(line(`key="k1"`))})
	check("v1", e0.Value, Value{Kind: Literal, Text: "v1", Raw: "v1", Type: "java.lang.Long", Pos: at(line(`key="k1"`))})
	check("key-ref", e1.Key, Value{Kind: Ref, Ref: "target", Raw: "target", Pos: at(line(`key-ref`))})
	check("value-ref", e1.Value, Value{Kind: Ref, Ref: "target", Raw: "target", Pos: at(line(`key-ref`))})
	check("<key>", e2.Key, Value{Kind: Literal, Text: "k3", Raw: "k3", Type: "java.lang.String", Pos: at(line(`<key>`))})
	if e2.Pos.Line != line(`<key>`)-1 || e2.Value.Kind != List || e2.Value.Items[0].Text != "v3" {
		t.Errorf("entry 3 at line %d, value %+v", e2.Pos.Line, e2.Value)
	}
	if e3.Value.Kind != InnerBean || e3.Value.Bean.Class != "x.InMap" || !e3.Value.Bean.Inner || e3.Value.Bean.Pos.Line != line("x.InMap") {
		t.Errorf("entry 4 = %+v", e3.Value)
	}

	props := value("props")
	if props.Kind != Props || len(props.Entries) != 2 {
		t.Fatalf("props = %+v", props)
	}
	if p := props.Entries[0]; p.Key.Text != "one" || p.Value.Text != "1" || p.Pos.Line != line(`key="one"`) {
		t.Errorf("prop one = %q=%q at line %d", p.Key.Text, p.Value.Text, p.Pos.Line)
	}
	if p := props.Entries[1]; p.Key.Text != "empty" || p.Value.Text != "" {
		t.Errorf("prop empty = %q=%q", p.Key.Text, p.Value.Text)
	}

	// The idref names target without needing it, so it is no edge.
	if got := v.Refs(); !reflect.DeepEqual(got, []string{"target"}) {
		t.Errorf("refs = %v", got)
	}
}

func TestConstructorArgs(t *testing.T) {
	xml := beans(`
	<bean id="dep" class="x.Dep"/>
	<bean id="made" class="x.Made" factory-method="of">
		<constructor-arg index="1" type="int" value="42"/>
		<constructor-arg index="0" ref="dep"/>
		<constructor-arg name="label"><value>hi</value></constructor-arg>
		<constructor-arg><bean class="x.Inner" depends-on="late"><constructor-arg ref="dep2"/></bean></constructor-arg>
	</bean>
	<bean id="dep2" class="x.Dep"/><bean id="late" class="x.Late"/>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	made := mustBean(t, d, "made")
	if len(made.ConstructorArgs) != 4 {
		t.Fatalf("%d args", len(made.ConstructorArgs))
	}
	a0, a1, a2, a3 := made.ConstructorArgs[0], made.ConstructorArgs[1], made.ConstructorArgs[2], made.ConstructorArgs[3]
	if a0.Index != 1 || a0.Type != "int" || a0.Value.Text != "42" || a0.Pos.Line != lineOf(t, xml, `index="1"`) {
		t.Errorf("arg 0 = %+v", a0)
	}
	if a1.Index != 0 || a1.Value.Ref != "dep" {
		t.Errorf("arg 1 = %+v", a1)
	}
	if a2.Index != -1 || a2.Name != "label" || a2.Value.Text != "hi" {
		t.Errorf("arg 2 = %+v", a2)
	}
	if a3.Value.Kind != InnerBean || a3.Value.Bean.Class != "x.Inner" {
		t.Errorf("arg 3 = %+v", a3.Value)
	}
	// An inner bean is built with its outer one: its refs and depends-on
	// are the outer bean's edges.
	if got := made.Refs(); !reflect.DeepEqual(got, []string{"dep", "late", "dep2"}) {
		t.Errorf("refs = %v", got)
	}
}

func TestInnerBeanScope(t *testing.T) {
	xml := beans(`
	<bean id="outer" class="x.O" scope="prototype">
		<property name="a"><bean class="x.A"/></property>
		<property name="b"><bean id="named" class="x.B" scope="singleton"/></property>
	</bean>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	outer := mustBean(t, d, "outer")
	a, b := mustProp(t, outer, "a").Value.Bean, mustProp(t, outer, "b").Value.Bean
	if a.Scope != "prototype" || a.ID != "" || !a.Inner {
		t.Errorf("inner a = %+v", a)
	}
	if b.Scope != "singleton" || b.ID != "named" {
		t.Errorf("inner b = %+v", b)
	}
	if d.Bean("named") != nil {
		t.Error("an inner bean's id was registered")
	}
}

func TestShortcutNamespaces(t *testing.T) {
	xml := beans(`
	<bean id="dep" class="x.Dep"/>
	<bean id="short" class="x.S" p:max-pool-size="10" p:helper-ref="dep" c:_0="zero" c:_1-ref="dep" c:label="l">
		<property name="other" value="o"/>
	</bean>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	s := mustBean(t, d, "short")
	var props []string
	for _, p := range s.Properties {
		props = append(props, p.Name+"="+p.Value.Kind.String())
	}
	if want := []string{"other=literal", "maxPoolSize=literal", "helper=ref"}; !reflect.DeepEqual(props, want) {
		t.Errorf("properties = %v, want %v", props, want)
	}
	if len(s.ConstructorArgs) != 3 || s.ConstructorArgs[0].Index != 0 || s.ConstructorArgs[1].Value.Ref != "dep" || s.ConstructorArgs[2].Name != "label" {
		t.Errorf("args = %+v", s.ConstructorArgs)
	}
}

func TestTaskNamespace(t *testing.T) {
	xml := beans(`
	<task:scheduler id="sched" pool-size="${pool}"/>
	<task:executor id="exec" pool-size="5-10" queue-capacity="25" keep-alive="60" rejection-policy="CALLER_RUNS"/>
	<task:scheduled-tasks id="jobs" scheduler="sched">
		<task:scheduled ref="worker" method="run" fixed-delay="5000" initial-delay="1000"/>
		<task:scheduled ref="worker" method="sweep" fixed-rate="60000"/>
	</task:scheduled-tasks>
	<task:annotation-driven/>
	<bean id="worker" class="x.W"/>
	<context:property-placeholder location="classpath:pool.properties"/>`)
	d, problems := Load(writeXML(t, xml, "pool.properties", "pool=4\n"), testOpts())
	requireNoProblems(t, problems)
	requireProblem(t, problems, diag.Info, mustBean(t, d, "worker").Pos.File+":"+
		itoa(lineOf(t, xml, "annotation-driven"))+": <task:annotation-driven> ignored: hedwig schedules nothing by annotation")

	sched := mustBean(t, d, "sched")
	if sched.Class != ClassTaskScheduler || mustProp(t, sched, "pool-size").Value.Text != "4" {
		t.Errorf("scheduler = %+v", sched)
	}
	exec := mustBean(t, d, "exec")
	got := map[string]string{}
	for _, p := range exec.Properties {
		got[p.Name] = p.Value.Text
	}
	if want := map[string]string{"pool-size": "5-10", "queue-capacity": "25", "keep-alive": "60", "rejection-policy": "CALLER_RUNS"}; !reflect.DeepEqual(got, want) {
		t.Errorf("executor properties = %v", got)
	}
	jobs := mustBean(t, d, "jobs")
	if jobs.Generated || jobs.Class != ClassTaskScheduledTasks {
		t.Errorf("jobs = %+v", jobs)
	}
	if refs := jobs.Refs(); !reflect.DeepEqual(refs, []string{"sched", "worker"}) {
		t.Errorf("jobs refs = %v", refs)
	}
	tasks := mustProp(t, jobs, "tasks").Value.Items
	if len(tasks) != 2 {
		t.Fatalf("%d tasks", len(tasks))
	}
	first := tasks[0].Bean
	if first.Pos.Line != lineOf(t, xml, `method="run"`) || mustProp(t, first, "fixed-delay").Value.Text != "5000" ||
		mustProp(t, first, "initial-delay").Value.Text != "1000" || mustProp(t, first, "method").Value.Text != "run" {
		t.Errorf("first task = %+v", first)
	}
	if mustProp(t, tasks[1].Bean, "fixed-rate").Value.Text != "60000" {
		t.Errorf("second task = %+v", tasks[1].Bean)
	}
}

func TestForeignElementsIgnored(t *testing.T) {
	xml := `<?xml version="1.0"?>
<beans xmlns="http://www.springframework.org/schema/beans"
	xmlns:aop="http://www.springframework.org/schema/aop"
	xmlns:context="http://www.springframework.org/schema/context"
	xmlns:tx="http://www.springframework.org/schema/tx">
	<aop:config><aop:aspect ref="profiler"/></aop:config>
	<context:annotation-config/>
	<tx:annotation-driven transaction-manager="txManager"/>
	<bean id="b" class="x.B"><aop:scoped-proxy/></bean>
</beans>`
	path := writeXML(t, xml)
	d, problems := Load(path, testOpts())
	requireNoProblems(t, problems)
	if got := ids(d.Beans); !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("beans = %v", got)
	}
	for line, tag := range map[int]string{6: "aop:config", 7: "context:annotation-config", 8: "tx:annotation-driven"} {
		requireProblem(t, problems, diag.Info, path+":"+itoa(line)+": <"+tag+"> ignored: no meaning in hedwig")
	}
	requireProblem(t, problems, diag.Info, path+`:9: bean "b": <aop:scoped-proxy> ignored: no meaning in hedwig`)
}

func TestNestedBeansAndProfiles(t *testing.T) {
	xml := beans(`
	<beans profile="test"><bean id="testOnly" class="x.T"/></beans>
	<beans profile="default, prod"><bean id="always" class="x.A"/></beans>
	<beans><bean id="nested" class="x.N"/></beans>`)
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	if got := ids(d.Beans); !reflect.DeepEqual(got, []string{"always", "nested"}) {
		t.Errorf("beans = %v", got)
	}
}

func TestDTDStyleFile(t *testing.T) {
	xml := `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE beans PUBLIC "-//SPRING//DTD BEAN 2.0//EN" "http://www.springframework.org/dtd/spring-beans-2.0.dtd">
<beans>
	<bean id="latin" class="x.L"><property name="name" value="caf` + "\xe9" + `"/></bean>
</beans>`
	d, problems := Load(writeXML(t, xml), testOpts())
	requireNoProblems(t, problems)
	if v := mustProp(t, mustBean(t, d, "latin"), "name").Value; v.Text != "café" || v.Pos.Line != 4 {
		t.Errorf("name = %q at line %d", v.Text, v.Pos.Line)
	}
}

func TestImports(t *testing.T) {
	root := writeConf(t, []string{"app.xml"}, map[string]string{
		"app.xml": beans(`
	<bean id="first" class="x.F"/>
	<import resource="sub/part.xml"/>
	<import resource="file:${app.home}/extra/abs.xml"/>
	<import resource="classpath:sub/part.xml"/>
	<bean id="last" class="x.L"/>`),
		"sub/part.xml": beans(`<bean id="part" class="x.P"/>
	<import resource="/deeper.xml"/>`),
		"sub/deeper.xml":   beans(`<bean id="deep" class="x.D"/>`),
		"../extra/abs.xml": beans(`<bean id="abs" class="x.A"/>`),
	})
	d, problems := Load(root, testOpts())
	requireNoProblems(t, problems)
	// part.xml is imported twice: the same definitions again, no override.
	if got, want := ids(d.Beans), []string{"first", "part", "deep", "abs", "last"}; !reflect.DeepEqual(got, want) {
		t.Errorf("beans = %v, want %v", got, want)
	}
	conf := filepath.Dir(root)
	if p := mustBean(t, d, "deep").Pos; p != (Pos{File: filepath.Join(conf, "sub", "deeper.xml"), Line: 5}) {
		t.Errorf("deep at %v", p)
	}
	if p := mustBean(t, d, "abs").Pos; p.File != filepath.Join(filepath.Dir(conf), "extra", "abs.xml") {
		t.Errorf("abs at %v", p)
	}
}
