package james

import (
	"github.com/hedwigmail/hedwig/internal/xmldoc"
	"strings"

	"github.com/beevik/etree"

	"github.com/hedwigmail/hedwig/diag"
)

// reader reads one file's elements, reporting problems at their lines.
type reader struct {
	f    *xmldoc.Doc
	l    *diag.List
	seen map[*etree.Element]bool // repeated elements already reported
}

func (r *reader) pos(e *etree.Element) diag.Pos {
	return diag.Pos{File: r.f.Name, Line: r.f.Line(e)}
}

// child returns parent's first child element called name, as Commons
// Configuration does; a repeated single-valued element is reported.
func (r *reader) child(parent *etree.Element, name string) *etree.Element {
	var first *etree.Element
	for _, c := range parent.ChildElements() {
		if c.Tag != name {
			continue
		}
		if first != nil {
			if r.seen[c] {
				break
			}
			if r.seen == nil {
				r.seen = map[*etree.Element]bool{}
			}
			r.seen[c] = true
			r.l.Warnf(r.pos(c), name, "appears again (first at line %d); James uses the first, so does hedwig", r.f.Line(first))
			break
		}
		first = c
	}
	return first
}

// text returns the trimmed text of parent's child name and whether it is there.
func (r *reader) text(parent *etree.Element, name string) (string, *etree.Element) {
	c := r.child(parent, name)
	if c == nil {
		return "", nil
	}
	return strings.TrimSpace(c.Text()), c
}

// boolean reads a boolean child, def when absent or malformed (reported).
func (r *reader) boolean(parent *etree.Element, name string, def bool) bool {
	s, c := r.text(parent, name)
	if c == nil {
		return def
	}
	v, err := parseBool(s)
	if err != nil {
		r.l.Errorf(r.pos(c), name, "%v", err)
		return def
	}
	return v
}

// integer reads a non-negative int child, def when absent or malformed.
func (r *reader) integer(parent *etree.Element, name string, def int) int {
	s, c := r.text(parent, name)
	if c == nil {
		return def
	}
	v, err := parseInt(s)
	switch {
	case err != nil:
		r.l.Errorf(r.pos(c), name, "%v", err)
		return def
	case v < 0:
		r.l.Errorf(r.pos(c), name, "%d is negative; use 0 for no limit", v)
		return def
	}
	return v
}

// size reads a James size child in bytes, def when absent or malformed.
func (r *reader) size(parent *etree.Element, name string, defaultUnit byte, def int64) int64 {
	s, c := r.text(parent, name)
	if c == nil {
		return def
	}
	v, err := ParseSize(s, defaultUnit)
	if err != nil {
		r.l.Errorf(r.pos(c), name, "%v", err)
		return def
	}
	return v
}

// attrBool reads a boolean attribute, def when absent or malformed.
func (r *reader) attrBool(e *etree.Element, name string, def bool) bool {
	a := e.SelectAttr(name)
	if a == nil {
		return def
	}
	v, err := parseBool(a.Value)
	if err != nil {
		r.l.Errorf(r.pos(e), e.Tag+"@"+name, "%v", err)
		return def
	}
	return v
}

// checkChildren reports e's children that are not in known (with the
// nearest known name) and those naming a feature hedwig lacks.
func (r *reader) checkChildren(e *etree.Element, known ...map[string]element) {
	for _, c := range e.ChildElements() {
		el, ok := lookup(c.Tag, known)
		switch {
		case !ok:
			all := map[string]element{}
			for _, k := range known {
				for n, v := range k {
					all[n] = v
				}
			}
			if near := nearest(c.Tag, all); near != "" {
				r.l.Warnf(r.pos(c), c.FullTag(), "unknown element in <%s>, ignored; did you mean <%s>?", e.Tag, near)
			} else {
				r.l.Warnf(r.pos(c), c.FullTag(), "unknown element in <%s>, ignored", e.Tag)
			}
		case el.use == dropped:
			r.l.Warnf(r.pos(c), c.Tag, "ignored: %s", el.note)
		}
	}
}

func lookup(name string, known []map[string]element) (element, bool) {
	for _, k := range known {
		if el, ok := k[name]; ok {
			return el, true
		}
	}
	return element{}, false
}
