package beans

import (
	"fmt"

	"github.com/hedwigmail/hedwig/diag"
)

// Pos is a place in an XML file: the line of an element's start tag.
type Pos = diag.Pos

// Definitions is everything a Spring XML configuration defines, read the
// way Spring 3's XmlBeanDefinitionReader and PropertyPlaceholderConfigurer
// read it, with placeholders already resolved.
type Definitions struct {
	File    string // the root XML, as passed to Load
	AppHome string // absolute parent of the directory holding File (${app.home})

	// Beans are the registered top-level beans in document order, imported
	// files inlined where their <import> stands. A bean that a later file
	// redefines under the same name keeps its place and takes the later
	// definition, as Spring's overriding does.
	Beans []*Bean

	// Aliases maps every alias (from name="..." and <alias>) to the name it
	// stands for; the target may itself be an alias.
	Aliases map[string]string

	// Placeholders holds what ${...} resolved from: the merged properties of
	// every placeholder configurer (files and inline <props>). Earlier
	// configurers win, as they resolve first. Environment variables and
	// system properties such as app.home are not listed.
	Placeholders map[string]string

	// PropertyFiles are the absolute paths of the properties files the
	// configurers read, in the order read.
	PropertyFiles []string

	byName map[string]*Bean
}

// Bean returns the registered top-level bean named idOrAlias, following
// aliases, or nil.
func (d *Definitions) Bean(idOrAlias string) *Bean {
	if d == nil {
		return nil
	}
	return d.byName[d.CanonicalName(idOrAlias)]
}

// CanonicalName follows aliases from name to the name a bean is registered
// under, as Spring's SimpleAliasRegistry.canonicalName does. A name that is
// no alias is returned unchanged.
func (d *Definitions) CanonicalName(name string) string {
	if d == nil {
		return name
	}
	for range len(d.Aliases) + 1 {
		target, ok := d.Aliases[name]
		if !ok {
			break
		}
		name = target
	}
	return name
}

// Bean is one <bean> (or a namespace element such as <task:scheduler>
// turned into one). Strings are as Spring would see them after placeholder
// resolution; Spring does not resolve placeholders in ID, DependsOn,
// InitMethod and DestroyMethod, so neither does this package.
type Bean struct {
	// ID is the name the bean is registered under: its id, else the first
	// of its names, else a generated "<class>#<n>" (Generated is then set).
	// An anonymous inner bean has no ID.
	ID        string
	Generated bool
	Aliases   []string // from name="a,b c" and <alias>, in document order

	Class    string // "task:scheduler" etc. for task namespace elements
	Parent   string
	Abstract bool
	Scope    string // "" means Spring's default (singleton)
	Lazy     bool   // lazy-init, after default-lazy-init
	Autowire string // "no", "byName", "byType", "constructor" or "autodetect", after default-autowire

	DependsOn     []string
	FactoryMethod string
	FactoryBean   string

	// InitMethod and DestroyMethod are the bean's own, or the <beans>
	// element's default-init-method / default-destroy-method. Spring
	// skips a default method silently when the class lacks it, so
	// InitFromDefault and DestroyFromDefault say where the name came from.
	InitMethod         string
	DestroyMethod      string
	InitFromDefault    bool
	DestroyFromDefault bool

	Description     string
	Properties      []*Property
	ConstructorArgs []*Arg

	Inner bool // an anonymous or nested bean, not registered by name
	Pos   Pos  // line of the start tag
}

// Property is one <property> (or p:name attribute).
type Property struct {
	Name  string
	Value *Value
	Pos   Pos
}

// Arg is one <constructor-arg> (or c:name attribute). Index is -1 when the
// argument has no index.
type Arg struct {
	Index int
	Type  string
	Name  string
	Value *Value
	Pos   Pos
}

// Kind says what a Value is.
type Kind int

// The kinds of value a property, constructor argument, collection item or
// map key can hold.
const (
	Literal   Kind = iota // <value>, value="..." — Text
	Ref                   // <ref bean|local>, ref="..." — Ref names the bean
	IDRef                 // <idref> — the bean's name as a string; Ref names it
	Null                  // <null/>
	List                  // <list> — Items
	Set                   // <set> — Items
	Array                 // <array> — Items
	Map                   // <map> — Entries
	Props                 // <props> — Entries with literal keys and values
	InnerBean             // an inner <bean> — Bean
)

var kindNames = [...]string{"literal", "ref", "idref", "null", "list", "set", "array", "map", "props", "bean"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Value is the value of a property, argument, collection item or map
// key/value.
type Value struct {
	Kind Kind
	Text string // Literal: the text after placeholder resolution
	Raw  string // Literal, Ref, IDRef: the text as written, before resolution
	Type string // <value type>, or value-type of a collection or map
	Ref  string // Ref, IDRef: the bean name

	KeyType string // Map: key-type
	Merge   bool   // List, Set, Array, Map, Props: merge with the parent bean's collection

	Items   []*Value // List, Set, Array
	Entries []*Entry // Map, Props
	Bean    *Bean    // InnerBean
	Pos     Pos
}

// Entry is one <entry> of a <map> or <prop> of <props>.
type Entry struct {
	Key, Value *Value
	Pos        Pos
}

// Walk calls fn for v and, depth first, for every value inside it: items,
// map keys and values, and the properties and arguments of inner beans.
// fn returns false to skip what is inside a value.
func (v *Value) Walk(fn func(*Value) bool) {
	if v == nil || !fn(v) {
		return
	}
	for _, it := range v.Items {
		it.Walk(fn)
	}
	for _, e := range v.Entries {
		e.Key.Walk(fn)
		e.Value.Walk(fn)
	}
	if v.Bean != nil {
		v.Bean.walkValues(fn)
	}
}

func (b *Bean) walkValues(fn func(*Value) bool) {
	for _, p := range b.Properties {
		p.Value.Walk(fn)
	}
	for _, a := range b.ConstructorArgs {
		a.Value.Walk(fn)
	}
}

// Refs returns, without duplicates and in order of appearance, the names of
// the beans this value needs before it can be built: every <ref> inside
// it, and for every inner bean also its factory-bean and depends-on (an
// inner bean is built with its outer one, so its edges are the outer's).
// <idref> is not included: it names a bean without needing it.
func (v *Value) Refs() []string {
	var c refCollector
	c.value(v)
	return c.names
}

// Refs returns the names of the beans that b's properties and constructor
// arguments reference, including what inner beans reference (see
// Value.Refs). b's own DependsOn, FactoryBean and Parent are separate
// fields and not included.
func (b *Bean) Refs() []string {
	if b == nil {
		return nil
	}
	var c refCollector
	c.bean(b)
	return c.names
}

type refCollector struct {
	names []string
	seen  map[string]bool
}

func (c *refCollector) add(name string) {
	if name == "" || c.seen[name] {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[name] = true
	c.names = append(c.names, name)
}

func (c *refCollector) bean(b *Bean) {
	b.walkValues(func(v *Value) bool {
		c.visit(v)
		return true
	})
}

func (c *refCollector) value(v *Value) {
	v.Walk(func(v *Value) bool {
		c.visit(v)
		return true
	})
}

func (c *refCollector) visit(v *Value) {
	switch v.Kind {
	case Ref:
		c.add(v.Ref)
	case InnerBean:
		if v.Bean != nil {
			c.add(v.Bean.FactoryBean)
			for _, d := range v.Bean.DependsOn {
				c.add(d)
			}
		}
	}
}

// Property returns b's property named name, or nil.
func (b *Bean) Property(name string) *Property {
	for _, p := range b.Properties {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Subject names b for a diagnostic: `bean "smtp.server"`, or for an
// anonymous inner bean `inner bean com.example.Foo`.
func (b *Bean) Subject() string {
	switch {
	case b.ID != "" && !b.Inner:
		return fmt.Sprintf("bean %q", b.ID)
	case b.ID != "":
		return fmt.Sprintf("inner bean %q", b.ID)
	case b.Class != "":
		return "inner bean " + b.Class
	default:
		return "inner bean"
	}
}
