package beans

import (
	"errors"
	"fmt"
	"strings"
)

// resolvePlaceholders runs each configurer over every bean definition but
// its own, as Spring's BeanDefinitionVisitor does: class, parent,
// factory-bean, factory-method, scope, every property and constructor
// argument value (refs, collection items, map keys and values, inner beans
// included), and aliases. Not id, depends-on, init-method or
// destroy-method: Spring leaves those as written.
func (l *loader) resolvePlaceholders(cfgs []*configurer) {
	failed := map[*string]bool{} // a string reported once is not reported again
	if len(cfgs) == 0 {
		w := &placeholderWalk{l: l, failed: failed}
		w.all(nil)
		return
	}
	for _, c := range cfgs {
		w := &placeholderWalk{l: l, c: c, failed: failed, r: &resolver{
			syntax:             c.syntax,
			lookup:             c.lookup(l),
			ignoreUnresolvable: c.ignoreUnresolvable,
		}}
		w.all(c.bean)
	}
}

// lookup resolves a name from the configurer's properties and, as its
// system-properties mode says, from system properties and the environment.
func (c *configurer) lookup(l *loader) func(string) (string, bool) {
	system := l.systemLookup(c.searchEnv)
	return func(name string) (string, bool) {
		if c.mode == modeOverride {
			if v, ok := system(name); ok {
				return v, true
			}
		}
		if v, ok := c.props[name]; ok {
			return v, true
		}
		if c.mode == modeFallback {
			return system(name)
		}
		return "", false
	}
}

// placeholderWalk visits every resolvable string. Without a configurer
// (c == nil) it only warns that placeholders stay as written.
type placeholderWalk struct {
	l      *loader
	c      *configurer
	r      *resolver
	failed map[*string]bool
}

func (w *placeholderWalk) all(skip *Bean) {
	for _, b := range w.l.defs.Beans {
		if b != skip {
			w.bean(b, scope{subject: b.Subject()})
		}
	}
	for _, a := range w.l.aliasRegs {
		sc := scope{subject: fmt.Sprintf("alias %q", a.alias)}
		w.str(&a.alias, a.pos, sc.in("alias"))
		w.str(&a.name, a.pos, sc.in("name"))
	}
}

func (w *placeholderWalk) bean(b *Bean, sc scope) {
	w.str(&b.Class, b.Pos, sc.in("class"))
	w.str(&b.Parent, b.Pos, sc.in("parent"))
	w.str(&b.FactoryBean, b.Pos, sc.in("factory-bean"))
	w.str(&b.FactoryMethod, b.Pos, sc.in("factory-method"))
	w.str(&b.Scope, b.Pos, sc.in("scope"))
	for _, p := range b.Properties {
		w.value(p.Value, sc.in("property %q", p.Name))
	}
	for i, a := range b.ConstructorArgs {
		w.value(a.Value, sc.in("%s", argLabel(a, i)))
	}
}

func (w *placeholderWalk) value(v *Value, sc scope) {
	if v == nil {
		return
	}
	switch v.Kind {
	case Literal:
		w.str(&v.Text, v.Pos, sc)
		if w.c != nil && w.c.nullValue != nil && v.Text == *w.c.nullValue {
			*v = Value{Kind: Null, Raw: v.Raw, Type: v.Type, Pos: v.Pos}
		}
	case Ref, IDRef:
		w.str(&v.Ref, v.Pos, sc)
	case List, Set, Array:
		for i, it := range v.Items {
			w.value(it, sc.in("item %d", i+1))
		}
	case Map, Props:
		for i, e := range v.Entries {
			esc := sc.in("entry %d", i+1)
			if e.Key != nil && e.Key.Kind == Literal {
				esc = sc.in("entry %q", e.Key.Text)
			}
			w.value(e.Key, esc.in("key"))
			w.value(e.Value, esc)
		}
	case InnerBean:
		w.bean(v.Bean, sc.in("%s", v.Bean.Subject()))
	}
}

// str resolves *s in place, or reports why it cannot.
func (w *placeholderWalk) str(s *string, pos Pos, sc scope) {
	if w.failed[s] || !strings.Contains(*s, "${") && (w.c == nil || !strings.Contains(*s, w.c.syntax.prefix)) {
		return
	}
	if w.c == nil {
		if names := defaultSyntax.names(*s); len(names) > 0 {
			w.failed[s] = true
			w.l.diags.Warnf(pos, sc.subject, "%s", sc.text(fmt.Sprintf(
				"${%s} stays as written: no PropertyPlaceholderConfigurer is defined", names[0])))
		}
		return
	}
	out, err := w.r.resolve(*s)
	if err != nil {
		w.failed[s] = true
		msg := err.Error()
		var unresolved *unresolvedError
		if errors.As(err, &unresolved) {
			msg = fmt.Sprintf("unresolved placeholder %s%s%s (%s)", w.c.syntax.prefix, unresolved.name, w.c.syntax.suffix, w.c.sources())
		}
		w.l.diags.Errorf(pos, sc.subject, "%s", sc.text(msg))
		return
	}
	*s = out
}
