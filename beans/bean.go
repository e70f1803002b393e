package beans

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

var beanAttrs = []string{"id", "name", "class", "parent", "scope", "abstract", "lazy-init", "autowire",
	"dependency-check", "depends-on", "autowire-candidate", "primary", "init-method", "destroy-method",
	"factory-method", "factory-bean"}

// parseBean reads a <bean> element's attributes and content. outer is the
// bean holding an inner bean, nil for a top-level one. The caller names and
// registers a top-level bean.
func (p *fileParser) parseBean(el *etree.Element, d *beansDefaults, outer *Bean, sc scope) *Bean {
	pos := p.pos(el)
	foreign := p.checkAttrs(el, sc, beanAttrs...)
	b := &Bean{
		Class:         attrValue(el, "class"),
		Parent:        attrValue(el, "parent"),
		Scope:         attrValue(el, "scope"),
		FactoryMethod: attrValue(el, "factory-method"),
		FactoryBean:   attrValue(el, "factory-bean"),
		DependsOn:     splitNames(attrValue(el, "depends-on")),
		Inner:         outer != nil,
		Pos:           pos,
	}
	if outer != nil {
		b.ID = attrValue(el, "id")
		p.claimName(b.ID, pos, sc)
		if _, ok := attr(el, "scope"); !ok {
			b.Scope = outer.Scope // Spring: an inner bean shares its outer bean's scope
		}
	}
	b.Abstract = p.boolAttr(el, sc, "abstract", false)
	b.Lazy = p.boolAttr(el, sc, "lazy-init", d.lazyInit)
	b.Autowire = d.autowire
	if v, ok := p.enumAttr(el, sc, "autowire", autowireModes...); ok && v != "default" {
		b.Autowire = v
	}
	p.enumAttr(el, sc, "dependency-check", "default", "none", "simple", "objects", "all")
	p.enumAttr(el, sc, "autowire-candidate", "default", "true", "false")
	p.boolAttr(el, sc, "primary", false)
	// An explicit init-method="" switches the default off, as in Spring.
	if v, ok := attr(el, "init-method"); ok {
		b.InitMethod = v
	} else if d.initMethod != "" {
		b.InitMethod, b.InitFromDefault = d.initMethod, true
	}
	if v, ok := attr(el, "destroy-method"); ok {
		b.DestroyMethod = v
	} else if d.destroyMethod != "" {
		b.DestroyMethod, b.DestroyFromDefault = d.destroyMethod, true
	}

	indexes := map[int]Pos{}
	for _, ch := range el.ChildElements() {
		ns, ok := elemNS(ch)
		switch {
		case !ok:
			p.errorf(p.pos(ch), sc, "<%s> uses the undeclared prefix %q", ch.FullTag(), ch.Space)
		case !isBeansNS(ns):
			p.infof(p.pos(ch), sc, "<%s> ignored: no meaning in hedwig", ch.FullTag())
		case ch.Tag == "description":
			b.Description = strings.TrimSpace(textOf(ch))
		case ch.Tag == "meta":
			p.checkAttrs(ch, sc, "key", "value")
		case ch.Tag == "property":
			p.parseProperty(ch, b, d, sc)
		case ch.Tag == "constructor-arg":
			p.parseConstructorArg(ch, b, d, sc, indexes)
		case ch.Tag == "qualifier":
			p.infof(p.pos(ch), sc, "<qualifier> ignored: hedwig wires beans by name, not by type")
		case ch.Tag == "lookup-method", ch.Tag == "replaced-method":
			p.warnf(p.pos(ch), sc, "<%s> is not supported by hedwig; ignored", ch.Tag)
		default:
			p.errorf(p.pos(ch), sc, "unknown element <%s> in <bean>%s", ch.FullTag(),
				suggest(ch.Tag, []string{"property", "constructor-arg", "description", "meta", "qualifier", "lookup-method", "replaced-method"}))
		}
	}
	p.checkNoText(el, sc)
	p.parseShortcutAttrs(el, b, sc, foreign, indexes)
	return b
}

// parseProperty reads <property name="..." value|ref="...">.
func (p *fileParser) parseProperty(el *etree.Element, b *Bean, d *beansDefaults, sc scope) {
	pos := p.pos(el)
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "name", "ref", "value"))
	name := attrValue(el, "name")
	if name == "" {
		p.errorf(pos, sc, "<property> needs a name")
		return
	}
	if prev := b.Property(name); prev != nil {
		p.errorf(pos, sc, "property %q is set twice (first at line %d)", name, prev.Pos.Line)
		return
	}
	if v := p.parseValueHolder(el, b, d, sc.in("property %q", name)); v != nil {
		b.Properties = append(b.Properties, &Property{Name: name, Value: v, Pos: pos})
	}
}

// parseConstructorArg reads <constructor-arg index type name value|ref>.
func (p *fileParser) parseConstructorArg(el *etree.Element, b *Bean, d *beansDefaults, sc scope, indexes map[int]Pos) {
	pos := p.pos(el)
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "index", "type", "name", "ref", "value"))
	arg := &Arg{Index: -1, Type: attrValue(el, "type"), Name: attrValue(el, "name"), Pos: pos}
	if s, ok := attr(el, "index"); ok {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			p.errorf(pos, sc, "constructor-arg index %q is not a number", s)
			return
		case n < 0:
			p.errorf(pos, sc, "constructor-arg index %d is negative", n)
			return
		}
		if first, dup := indexes[n]; dup {
			p.errorf(pos, sc, "two constructor-args have index %d (first at line %d)", n, first.Line)
			return
		}
		indexes[n] = pos
		arg.Index = n
	}
	if v := p.parseValueHolder(el, b, d, sc.in("%s", argLabel(arg, len(b.ConstructorArgs)))); v != nil {
		arg.Value = v
		b.ConstructorArgs = append(b.ConstructorArgs, arg)
	}
}

// argLabel names a constructor argument in diagnostics.
func argLabel(a *Arg, ordinal int) string {
	switch {
	case a.Index >= 0:
		return fmt.Sprintf("constructor-arg %d", a.Index)
	case a.Name != "":
		return fmt.Sprintf("constructor-arg %q", a.Name)
	}
	return fmt.Sprintf("constructor-arg #%d", ordinal+1)
}

// parseShortcutAttrs turns p:name="v", p:name-ref="b", c:name="v" and
// c:_0-ref="b" attributes into properties and constructor arguments, and
// notes other namespaces' attributes as ignored.
func (p *fileParser) parseShortcutAttrs(el *etree.Element, b *Bean, sc scope, attrs []foreignAttr, indexes map[int]Pos) {
	pos := p.pos(el)
	for _, a := range attrs {
		if a.ns != nsP && a.ns != nsC {
			p.infof(pos, sc, "attribute %q of %s ignored: no meaning in hedwig", a.key, a.ns)
			continue
		}
		key, isRef := strings.CutSuffix(a.key, "-ref")
		v := &Value{Kind: Literal, Text: a.val, Raw: a.val, Pos: pos}
		if isRef {
			v = &Value{Kind: Ref, Ref: a.val, Raw: a.val, Pos: pos}
		}
		if a.ns == nsP {
			name := attributeToPropertyName(key)
			if b.Property(name) != nil {
				p.errorf(pos, sc, "property %q is set both by <property> and by p:%s; keep one", name, a.key)
				continue
			}
			b.Properties = append(b.Properties, &Property{Name: name, Value: v, Pos: pos})
			continue
		}
		arg := &Arg{Index: -1, Value: v, Pos: pos}
		if digits, ok := strings.CutPrefix(key, "_"); ok {
			n, err := strconv.Atoi(digits)
			if err != nil || n < 0 {
				p.errorf(pos, sc, "c:%s: an index after _ must be a number", a.key)
				continue
			}
			if first, dup := indexes[n]; dup {
				p.errorf(pos, sc, "two constructor-args have index %d (first at line %d)", n, first.Line)
				continue
			}
			indexes[n] = pos
			arg.Index = n
		} else {
			arg.Name = attributeToPropertyName(key)
		}
		b.ConstructorArgs = append(b.ConstructorArgs, arg)
	}
}

// attributeToPropertyName turns "max-pool-size" into "maxPoolSize", as
// Spring's Conventions.attributeNameToPropertyName does.
func attributeToPropertyName(s string) string {
	parts := strings.Split(s, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
