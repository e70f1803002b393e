package beans

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// Spring class names this package knows.
const (
	classPlaceholderConfigurer = "org.springframework.beans.factory.config.PropertyPlaceholderConfigurer"
	classPropertySources       = "org.springframework.context.support.PropertySourcesPlaceholderConfigurer"
	classPropertiesFactoryBean = "org.springframework.beans.factory.config.PropertiesFactoryBean"
)

// The pseudo-classes of beans made from task namespace elements.
const (
	ClassTaskScheduler      = "task:scheduler"
	ClassTaskExecutor       = "task:executor"
	ClassTaskScheduledTasks = "task:scheduled-tasks"
	ClassTaskScheduled      = "task:scheduled"
)

// parseTask turns a task namespace element into a bean, its attributes
// literal properties (named as the attributes are), so that the graph sees
// a scheduler or executor like any other bean.
func (p *fileParser) parseTask(el *etree.Element) {
	switch el.Tag {
	case "scheduler":
		p.parseTaskPool(el, ClassTaskScheduler, "pool-size")
	case "executor":
		p.parseTaskPool(el, ClassTaskExecutor, "pool-size", "queue-capacity", "keep-alive", "rejection-policy")
	case "scheduled-tasks":
		p.parseScheduledTasks(el)
	case "annotation-driven":
		p.infof(p.pos(el), scope{}, "<%s> ignored: hedwig schedules nothing by annotation", el.FullTag())
	default:
		p.errorf(p.pos(el), scope{}, "unknown element <%s>%s", el.FullTag(),
			suggest(el.Tag, []string{"scheduler", "executor", "scheduled-tasks", "annotation-driven"}))
	}
}

// parseTaskPool reads <task:scheduler id pool-size> or <task:executor id
// pool-size queue-capacity keep-alive rejection-policy>.
func (p *fileParser) parseTaskPool(el *etree.Element, class string, attrs ...string) {
	pos := p.pos(el)
	id := attrValue(el, "id")
	sc := scope{subject: fmt.Sprintf("bean %q", id)}
	if id == "" {
		sc = scope{subject: "<" + el.FullTag() + ">"}
	}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, append([]string{"id"}, attrs...)...))
	p.enumAttr(el, sc, "rejection-policy", "ABORT", "CALLER_RUNS", "DISCARD", "DISCARD_OLDEST")
	p.checkNoText(el, sc)
	for _, ch := range el.ChildElements() {
		p.errorf(p.pos(ch), sc, "<%s> holds no elements, not <%s>", el.FullTag(), ch.FullTag())
	}
	if id == "" {
		p.errorf(pos, sc, "needs an id: other beans refer to it by that name")
		return
	}
	b := &Bean{ID: id, Class: class, Pos: pos}
	for _, name := range attrs {
		if v, ok := attr(el, name); ok {
			b.Properties = append(b.Properties, &Property{Name: name, Value: &Value{Kind: Literal, Text: v, Raw: v, Pos: pos}, Pos: pos})
		}
	}
	p.l.registerBean(b)
}

// parseScheduledTasks reads <task:scheduled-tasks scheduler="..."> and its
// <task:scheduled> children, which become inner beans in a "tasks" list.
func (p *fileParser) parseScheduledTasks(el *etree.Element) {
	pos := p.pos(el)
	id := attrValue(el, "id")
	generated := id == ""
	if generated {
		id = p.l.generateName(ClassTaskScheduledTasks)
	}
	sc := scope{subject: fmt.Sprintf("bean %q", id)}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "id", "scheduler"))
	p.checkNoText(el, sc)
	b := &Bean{ID: id, Generated: generated, Class: ClassTaskScheduledTasks, Pos: pos}
	if s, ok := attr(el, "scheduler"); ok {
		b.Properties = append(b.Properties, &Property{Name: "scheduler", Value: &Value{Kind: Ref, Ref: s, Raw: s, Pos: pos}, Pos: pos})
	}
	tasks := &Value{Kind: List, Pos: pos}
	for _, ch := range el.ChildElements() {
		ns, _ := elemNS(ch)
		if ns != nsTask || ch.Tag != "scheduled" {
			p.errorf(p.pos(ch), sc, "<%s> holds <task:scheduled> elements, not <%s>", el.FullTag(), ch.FullTag())
			continue
		}
		if t := p.parseScheduled(ch, sc.in("task %d", len(tasks.Items)+1)); t != nil {
			tasks.Items = append(tasks.Items, &Value{Kind: InnerBean, Bean: t, Pos: t.Pos})
		}
	}
	b.Properties = append(b.Properties, &Property{Name: "tasks", Value: tasks, Pos: pos})
	p.l.registerBean(b)
}

var triggerAttrs = []string{"cron", "fixed-delay", "fixed-rate", "trigger"}

// parseScheduled reads <task:scheduled ref method cron|fixed-delay|fixed-rate|trigger initial-delay>.
func (p *fileParser) parseScheduled(el *etree.Element, sc scope) *Bean {
	pos := p.pos(el)
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "ref", "method", "cron", "fixed-delay", "fixed-rate", "trigger", "initial-delay"))
	p.checkNoText(el, sc)
	ref, method := attrValue(el, "ref"), attrValue(el, "method")
	var triggers []string
	for _, t := range triggerAttrs {
		if _, ok := attr(el, t); ok {
			triggers = append(triggers, t)
		}
	}
	switch {
	case ref == "" || method == "":
		p.errorf(pos, sc, "<task:scheduled> needs ref (the bean) and method (what to call on it)")
		return nil
	case len(triggers) != 1:
		p.errorf(pos, sc, "<task:scheduled> needs exactly one of cron, fixed-delay, fixed-rate or trigger, not %d", len(triggers))
		return nil
	}
	b := &Bean{Class: ClassTaskScheduled, Inner: true, Pos: pos}
	b.Properties = append(b.Properties, &Property{Name: "ref", Value: &Value{Kind: Ref, Ref: ref, Raw: ref, Pos: pos}, Pos: pos})
	for _, name := range []string{"method", "cron", "fixed-delay", "fixed-rate", "trigger", "initial-delay"} {
		v, ok := attr(el, name)
		if !ok {
			continue
		}
		value := &Value{Kind: Literal, Text: v, Raw: v, Pos: pos}
		if name == "trigger" {
			value = &Value{Kind: Ref, Ref: v, Raw: v, Pos: pos}
		}
		b.Properties = append(b.Properties, &Property{Name: name, Value: value, Pos: pos})
	}
	return b
}

// parsePropertyPlaceholder turns <context:property-placeholder> into the
// PropertyPlaceholderConfigurer bean Spring 3.0 makes of it.
func (p *fileParser) parsePropertyPlaceholder(el *etree.Element) {
	pos := p.pos(el)
	id := attrValue(el, "id")
	generated := id == ""
	if generated {
		id = p.l.generateName(classPlaceholderConfigurer)
	}
	sc := scope{subject: fmt.Sprintf("bean %q", id)}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "id", "location", "properties-ref", "file-encoding", "order",
		"ignore-resource-not-found", "ignore-unresolvable", "local-override", "system-properties-mode"))
	p.checkNoText(el, sc)
	b := &Bean{ID: id, Generated: generated, Class: classPlaceholderConfigurer, Pos: pos}
	literal := func(name, v string) {
		b.Properties = append(b.Properties, &Property{Name: name, Value: &Value{Kind: Literal, Text: v, Raw: v, Pos: pos}, Pos: pos})
	}
	if loc, ok := attr(el, "location"); ok {
		list := &Value{Kind: List, Pos: pos}
		for _, part := range strings.Split(loc, ",") {
			part = strings.TrimSpace(part)
			list.Items = append(list.Items, &Value{Kind: Literal, Text: part, Raw: part, Pos: pos})
		}
		b.Properties = append(b.Properties, &Property{Name: "locations", Value: list, Pos: pos})
	}
	if ref, ok := attr(el, "properties-ref"); ok {
		b.Properties = append(b.Properties, &Property{Name: "properties", Value: &Value{Kind: Ref, Ref: ref, Raw: ref, Pos: pos}, Pos: pos})
	}
	for _, m := range [][2]string{
		{"file-encoding", "fileEncoding"},
		{"order", "order"},
		{"ignore-resource-not-found", "ignoreResourceNotFound"},
		{"ignore-unresolvable", "ignoreUnresolvablePlaceholders"},
		{"local-override", "localOverride"},
	} {
		if v, ok := attr(el, m[0]); ok {
			literal(m[1], v)
		}
	}
	if mode, ok := p.enumAttr(el, sc, "system-properties-mode", "ENVIRONMENT", "NEVER", "FALLBACK", "OVERRIDE"); ok {
		if mode == "ENVIRONMENT" {
			mode = "OVERRIDE" // Spring 3.1's environment mode puts system properties first
		}
		literal("systemPropertiesModeName", "SYSTEM_PROPERTIES_MODE_"+mode)
	}
	p.l.registerBean(b)
}
