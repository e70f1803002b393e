package container

import (
	"fmt"
	"github.com/hedwigmail/hedwig/internal/typo"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hedwigmail/hedwig/beans"
	"github.com/hedwigmail/hedwig/diag"
)

// node is one top-level bean in the dependency graph.
type node struct {
	bean  *beans.Bean
	class *Class   // nil when the class is unknown (already reported)
	deps  []string // canonical names: refs, then depends-on, without duplicates
}

// graph is the validated bean graph, nodes in start order.
type graph struct {
	defs  *beans.Definitions
	nodes []*node
	byID  map[string]*node
}

func subject(b *beans.Bean) string {
	if b.ID == "" || b.Generated {
		return fmt.Sprintf("bean of class %q", b.Class)
	}
	return fmt.Sprintf("bean %q", b.ID)
}

// buildGraph checks every bean's class and properties, resolves refs and
// depends-on, and orders the beans so that each comes after what it needs.
// Problems go to probs; the graph holds every bean that could be placed.
func buildGraph(defs *beans.Definitions, probs *diag.List) *graph {
	g := &graph{defs: defs, byID: map[string]*node{}}
	var all []*node
	for _, b := range defs.Beans {
		if b.Abstract {
			continue
		}
		n := &node{bean: b, class: checkBean(defs, b, probs)}
		seen := map[string]bool{}
		add := func(name string, pos diag.Pos, how string) {
			target := defs.CanonicalName(name)
			if seen[target] {
				return
			}
			seen[target] = true
			if defs.Bean(target) == nil {
				msg := fmt.Sprintf("%s %q: no such bean", how, name)
				if near := typo.Nearest(name, beanNames(defs), len(name)/2+2); near != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", near)
				}
				probs.Errorf(pos, subject(b), "%s", msg)
				return
			}
			n.deps = append(n.deps, target)
		}
		forEachRef(b, func(ref string, pos diag.Pos) { add(ref, pos, "reference to") })
		for _, d := range b.DependsOn {
			add(d, b.Pos, "depends-on")
		}
		all = append(all, n)
		if b.ID != "" {
			g.byID[b.ID] = n
		}
	}
	addImplicitDeps(all)
	g.nodes = g.order(all, probs)
	return g
}

// addImplicitDeps adds the edges Hedwig's XML leaves out because its
// components reach each other through static singletons: servers, jobs and
// the spool need the data sources open, and servers need the spool (the
// outbound queue) to exist before they accept mail and to stop after them.
func addImplicitDeps(all []*node) {
	var sources, spools []string
	for _, n := range all {
		if n.class == nil || n.bean.ID == "" {
			continue
		}
		switch n.class.Role {
		case "datasource":
			sources = append(sources, n.bean.ID)
		case "spool":
			spools = append(spools, n.bean.ID)
		}
	}
	add := func(n *node, ids []string) {
		for _, id := range ids {
			if !slices.Contains(n.deps, id) {
				n.deps = append(n.deps, id)
			}
		}
	}
	for _, n := range all {
		if n.class == nil {
			continue
		}
		switch n.class.Role {
		case "job", "spool", "admin":
			add(n, sources)
		case "server":
			add(n, sources)
			add(n, spools)
		}
	}
}

// forEachRef calls fn for every bean reference inside b, with the line of
// the element that holds it.
func forEachRef(b *beans.Bean, fn func(ref string, pos diag.Pos)) {
	visit := func(v *beans.Value) {
		v.Walk(func(v *beans.Value) bool {
			if v.Kind == beans.Ref {
				fn(v.Ref, v.Pos)
			}
			if v.Kind == beans.InnerBean && v.Bean != nil {
				forEachRef(v.Bean, fn)
				return false
			}
			return true
		})
	}
	for _, p := range b.Properties {
		visit(p.Value)
	}
	for _, a := range b.ConstructorArgs {
		visit(a.Value)
	}
}

func beanNames(defs *beans.Definitions) []string {
	var names []string
	for _, b := range defs.Beans {
		if b.ID != "" && !b.Generated {
			names = append(names, b.ID)
		}
		names = append(names, b.Aliases...)
	}
	return names
}

// checkBean reports an unknown class or a property the class does not
// have, for b and its inner beans, and returns b's class.
func checkBean(defs *beans.Definitions, b *beans.Bean, probs *diag.List) *Class {
	className := b.Class
	if className == "" && b.Parent != "" {
		if p := defs.Bean(b.Parent); p != nil {
			className = p.Class
		}
	}
	cls, ok := LookupClass(className)
	switch {
	case className == "" && b.FactoryBean != "":
		ok = true // instance factory method: the factory bean's class is checked
	case !ok:
		probs.Errorf(b.Pos, subject(b), "unknown class %q; known classes nearest to it: %s",
			className, strings.Join(nearestClasses(className, 3), ", "))
	case cls.Kind == Infrastructure:
		if b.ID == "" || b.Generated {
			probs.Infof(b.Pos, "", "%s accepted and ignored: %s", simpleName(className), cls.Note)
		} else {
			probs.Infof(b.Pos, subject(b), "%s accepted and ignored: %s", simpleName(className), cls.Note)
		}
	default:
		for _, p := range b.Properties {
			want, known := cls.Props[p.Name]
			if !known {
				msg := fmt.Sprintf("unknown property %q for class %s", p.Name, className)
				if near := typo.Nearest(p.Name, propNames(cls), len(p.Name)/2+2); near != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", near)
				}
				probs.Errorf(p.Pos, subject(b), "%s", msg)
				continue
			}
			checkPropType(b, p, want, probs)
		}
	}
	// Inner beans are instantiated with their outer bean: check them too.
	visit := func(v *beans.Value) {
		v.Walk(func(v *beans.Value) bool {
			if v.Kind == beans.InnerBean && v.Bean != nil {
				checkBean(defs, v.Bean, probs)
				return false
			}
			return true
		})
	}
	for _, p := range b.Properties {
		visit(p.Value)
	}
	for _, a := range b.ConstructorArgs {
		visit(a.Value)
	}
	if !ok {
		return nil
	}
	return cls
}

func propNames(c *Class) []string {
	names := make([]string, 0, len(c.Props))
	for k := range c.Props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func checkPropType(b *beans.Bean, p *beans.Property, want propType, probs *diag.List) {
	v := p.Value
	switch want {
	case propRef:
		if v.Kind != beans.Ref && v.Kind != beans.InnerBean && v.Kind != beans.Null {
			probs.Errorf(p.Pos, subject(b), "property %q must be a bean reference (ref=\"…\"), not a %s", p.Name, v.Kind)
		}
	case propInt, propBool, propString:
		if v.Kind != beans.Literal {
			probs.Errorf(p.Pos, subject(b), "property %q must be a %s value, not a %s", p.Name, want, v.Kind)
			return
		}
		if want == propInt {
			if _, err := strconv.ParseInt(strings.TrimSpace(v.Text), 10, 64); err != nil {
				probs.Errorf(p.Pos, subject(b), "property %q: %q is not an integer", p.Name, v.Text)
			}
		}
		if want == propBool {
			if _, err := parseBool(v.Text); err != nil {
				probs.Errorf(p.Pos, subject(b), "property %q: %v", p.Name, err)
			}
		}
	}
}

// parseBool reads a Spring boolean: true/false, and the yes/no/on/off/1/0
// that Spring's CustomBooleanEditor also accepts.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true/false, yes/no)", s)
}

// order sorts nodes so that every node follows its dependencies, keeping
// document order otherwise, and reports each dependency cycle once with
// the beans and lines involved.
func (g *graph) order(all []*node, probs *diag.List) []*node {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[*node]int{}
	var out []*node
	var stack []*node
	reported := map[string]bool{}
	var visit func(n *node)
	visit = func(n *node) {
		switch state[n] {
		case done:
			return
		case visiting:
			i := len(stack) - 1
			for stack[i] != n {
				i--
			}
			cycle := append(append([]*node(nil), stack[i:]...), n)
			var parts []string
			ids := make([]string, 0, len(cycle)-1)
			for _, c := range cycle {
				parts = append(parts, fmt.Sprintf("%q (%s)", c.bean.ID, c.bean.Pos))
			}
			for _, c := range cycle[:len(cycle)-1] {
				ids = append(ids, c.bean.ID)
			}
			sort.Strings(ids)
			if key := strings.Join(ids, "\x00"); !reported[key] {
				reported[key] = true
				probs.Errorf(n.bean.Pos, subject(n.bean), "dependency cycle: %s", strings.Join(parts, " → "))
			}
			return
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range n.deps {
			if dn := g.byID[d]; dn != nil {
				visit(dn)
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		out = append(out, n)
	}
	for _, n := range all {
		visit(n)
	}
	return out
}

func simpleName(class string) string { return class[strings.LastIndexAny(class, ".:")+1:] }
