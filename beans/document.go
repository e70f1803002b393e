package beans

import (
	"fmt"
	"github.com/hedwigmail/hedwig/internal/xmldoc"
	"path/filepath"
	"slices"

	"github.com/beevik/etree"
)

// fileParser reads the elements of one XML file.
type fileParser struct {
	l   *loader
	doc *xmldoc.Doc
	dir string // absolute directory of the file

	// names holds every id and top-level name used in this file: Spring
	// rejects a repeated one (checkNameUniqueness, and the 3.0 schema types
	// id as xsd:ID).
	names map[string]Pos
	// localRefs are <ref local> and <idref local>: the schema requires
	// them to name an id of this file.
	localRefs []localRef
}

type localRef struct {
	name string
	pos  Pos
	sc   scope
}

// beansDefaults are the default-* attributes of a <beans> element.
type beansDefaults struct {
	lazyInit      bool
	merge         bool
	autowire      string
	initMethod    string
	destroyMethod string
}

var beansAttrs = []string{"default-lazy-init", "default-merge", "default-autowire", "default-dependency-check",
	"default-autowire-candidates", "default-init-method", "default-destroy-method", "profile"}

var autowireModes = []string{"default", "no", "byName", "byType", "constructor", "autodetect"}

func newFileParser(l *loader, doc *xmldoc.Doc, dir string) *fileParser {
	return &fileParser{l: l, doc: doc, dir: dir, names: map[string]Pos{}}
}

func (p *fileParser) parseDocument() {
	root := p.doc.Root
	ns, ok := elemNS(root)
	if !ok || !isBeansNS(ns) || root.Tag != "beans" {
		p.errorf(p.pos(root), scope{}, "root element is <%s>; a Spring bean file has <beans xmlns=%q>", root.FullTag(), nsBeans)
		return
	}
	p.parseBeans(root, nil)
	for _, r := range p.localRefs {
		if _, ok := p.names[r.name]; !ok {
			p.errorf(r.pos, r.sc, "local=%q names no bean id of this file; use bean=%q to refer to a bean of another file", r.name, r.name)
		}
	}
}

// parseBeans reads a <beans> element: the root, or a nested one.
func (p *fileParser) parseBeans(el *etree.Element, parent *beansDefaults) {
	sc := scope{}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, beansAttrs...))
	if profile, ok := attr(el, "profile"); ok {
		profiles := splitNames(profile)
		if !slices.Contains(profiles, "default") {
			p.infof(p.pos(el), sc, "<beans profile=%q> skipped: hedwig activates no Spring profile but \"default\"", profile)
			return
		}
	}
	d := p.defaults(el, parent)
	for _, ch := range el.ChildElements() {
		ns, ok := elemNS(ch)
		switch {
		case !ok:
			p.errorf(p.pos(ch), sc, "<%s> uses the undeclared prefix %q", ch.FullTag(), ch.Space)
		case isBeansNS(ns):
			switch ch.Tag {
			case "bean":
				p.parseTopBean(ch, d)
			case "alias":
				p.parseAlias(ch)
			case "import":
				p.parseImport(ch)
			case "description":
			case "beans":
				p.parseBeans(ch, d)
			default:
				p.errorf(p.pos(ch), sc, "unknown element <%s> in <beans>%s", ch.FullTag(),
					suggest(ch.Tag, []string{"bean", "alias", "import", "description", "beans"}))
			}
		case ns == nsTask:
			p.parseTask(ch)
		case ns == nsContext && ch.Tag == "property-placeholder":
			p.parsePropertyPlaceholder(ch)
		default:
			p.infof(p.pos(ch), sc, "<%s> ignored: no meaning in hedwig", ch.FullTag())
		}
	}
	p.checkNoText(el, sc)
}

// defaults reads the default-* attributes, inheriting what a nested
// <beans> leaves as "default" from its parent.
func (p *fileParser) defaults(el *etree.Element, parent *beansDefaults) *beansDefaults {
	d := &beansDefaults{autowire: "no"}
	if parent != nil {
		*d = *parent
	}
	sc := scope{}
	d.lazyInit = p.boolAttr(el, sc, "default-lazy-init", d.lazyInit)
	d.merge = p.boolAttr(el, sc, "default-merge", d.merge)
	if v, ok := p.enumAttr(el, sc, "default-autowire", autowireModes...); ok && v != "default" {
		d.autowire = v
	}
	p.enumAttr(el, sc, "default-dependency-check", "default", "none", "simple", "objects", "all")
	if v, ok := attr(el, "default-init-method"); ok {
		d.initMethod = v
	}
	if v, ok := attr(el, "default-destroy-method"); ok {
		d.destroyMethod = v
	}
	return d
}

// claimName records that name is used by the element at pos and reports a
// name this file already used.
func (p *fileParser) claimName(name string, pos Pos, sc scope) bool {
	if name == "" {
		return true
	}
	if first, ok := p.names[name]; ok {
		p.errorf(pos, sc, "name %q is already used by the bean at %s; give one of them another id", name, first)
		return false
	}
	p.names[name] = pos
	return true
}

// parseTopBean reads a top-level <bean> and registers it.
func (p *fileParser) parseTopBean(el *etree.Element, d *beansDefaults) {
	pos := p.pos(el)
	id := attrValue(el, "id")
	aliases := splitNames(attrValue(el, "name"))
	name := id
	if name == "" && len(aliases) > 0 {
		name, aliases = aliases[0], aliases[1:]
	}
	// Spring checks the names as written before it generates one.
	sc := scope{subject: fmt.Sprintf("bean %q", name)}
	unique := p.claimName(name, pos, sc)
	for _, a := range aliases {
		unique = p.claimName(a, pos, sc) && unique
	}
	generated := false
	if name == "" {
		base := generatedBase(attrValue(el, "class"), attrValue(el, "parent"), attrValue(el, "factory-bean"))
		if base == "" {
			sc := scope{subject: "bean"}
			p.errorf(pos, sc, "a bean without id or name needs a class, parent or factory-bean")
			p.parseBean(el, d, nil, sc)
			return
		}
		name, generated = p.l.generateName(base), true
		sc = scope{subject: fmt.Sprintf("bean %q", name)}
		if class := attrValue(el, "class"); class != "" && !p.l.nameInUse(class) {
			aliases = append(aliases, class) // as Spring does for the first unnamed bean of a class
		}
	}
	b := p.parseBean(el, d, nil, sc)
	b.ID, b.Generated = name, generated
	if !unique {
		return // Spring stops here; keep the first definition
	}
	p.l.registerBean(b)
	for _, a := range aliases {
		p.l.addAlias(name, a, pos)
	}
}

// generatedBase is what Spring's BeanDefinitionReaderUtils.generateBeanName
// builds an unnamed bean's name from.
func generatedBase(class, parent, factoryBean string) string {
	switch {
	case class != "":
		return class
	case parent != "":
		return parent + "$child"
	case factoryBean != "":
		return factoryBean + "$created"
	}
	return ""
}

// parseAlias reads <alias name="bean" alias="other"/>.
func (p *fileParser) parseAlias(el *etree.Element) {
	sc := scope{subject: "<alias>"}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "name", "alias"))
	name, alias := attrValue(el, "name"), attrValue(el, "alias")
	switch {
	case name == "":
		p.errorf(p.pos(el), sc, "name must name a bean")
	case alias == "":
		p.errorf(p.pos(el), sc, "alias must not be empty")
	default:
		p.l.addAlias(name, alias, p.pos(el))
	}
	p.checkNoText(el, sc)
}

// parseImport reads <import resource="..."/> and loads that file in place.
func (p *fileParser) parseImport(el *etree.Element) {
	raw := attrValue(el, "resource")
	sc := scope{subject: fmt.Sprintf("import %q", raw)}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "resource"))
	p.checkNoText(el, sc)
	pos := p.pos(el)
	if raw == "" {
		p.errorf(pos, scope{subject: "<import>"}, "resource must name a file")
		return
	}
	// Spring resolves an import's placeholders from system properties and
	// the environment only: the placeholder configurer has not run yet.
	r := resolver{syntax: defaultSyntax, lookup: p.l.systemLookup(true)}
	location, err := r.resolve(raw)
	if err != nil {
		p.errorf(pos, sc, "%v (imports see only ${app.home}, Java system properties and environment variables)", err)
		return
	}
	paths, err := p.l.resourcePaths(location, p.dir)
	if err != nil {
		p.errorf(pos, sc, "%v", err)
		return
	}
	for _, path := range paths {
		p.l.loadFile(p.l.display(filepath.Clean(path)), filepath.Clean(path), &importSite{pos: pos, resource: raw})
	}
}
