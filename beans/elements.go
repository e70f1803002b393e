package beans

import (
	"fmt"
	"github.com/hedwigmail/hedwig/internal/typo"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// The XML namespaces Spring 3 configurations use.
const (
	nsBeans   = "http://www.springframework.org/schema/beans"
	nsTask    = "http://www.springframework.org/schema/task"
	nsContext = "http://www.springframework.org/schema/context"
	nsP       = "http://www.springframework.org/schema/p"
	nsC       = "http://www.springframework.org/schema/c"
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
)

// elemNS returns e's namespace URI; ok is false when e's prefix is not
// declared.
func elemNS(e *etree.Element) (uri string, ok bool) {
	uri = e.NamespaceURI()
	if e.Space != "" && uri == "" {
		return "", false
	}
	return uri, true
}

// isBeansNS reports whether uri is Spring's default namespace; no
// namespace at all counts too, as in DTD-based files.
func isBeansNS(uri string) bool { return uri == "" || uri == nsBeans }

// attr returns the unprefixed attribute key of e. (etree's SelectAttr
// would also match p:key.)
func attr(e *etree.Element, key string) (string, bool) {
	for _, a := range e.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func attrValue(e *etree.Element, key string) string {
	v, _ := attr(e, key)
	return v
}

// textOf returns all text directly inside e, CDATA included and comments
// left out, as Spring's DomUtils.getTextValue does.
func textOf(e *etree.Element) string {
	var b strings.Builder
	for _, ch := range e.Child {
		if cd, ok := ch.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// splitNames splits a name or depends-on attribute at commas, semicolons
// and spaces, as Spring's MULTI_VALUE_ATTRIBUTE_DELIMITERS do.
func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// foreignAttr is a namespaced attribute other than xmlns, xml: and xsi:.
type foreignAttr struct {
	ns  string
	key string
	val string
}

// checkAttrs reports every unprefixed attribute of e not in allowed (the
// schema would reject it, and it is usually a typo) and returns the
// attributes of other namespaces for the caller to handle.
func (p *fileParser) checkAttrs(e *etree.Element, sc scope, allowed ...string) []foreignAttr {
	var foreign []foreignAttr
	for _, a := range e.Attr {
		switch {
		case a.Space == "" && a.Key == "xmlns", a.Space == "xmlns", a.Space == "xml":
		case a.Space == "":
			if !slices.Contains(allowed, a.Key) {
				p.errorf(p.pos(e), sc, "<%s> has no attribute %q%s", e.FullTag(), a.Key, suggest(a.Key, allowed))
			}
		default:
			uri := a.NamespaceURI()
			switch uri {
			case "":
				p.errorf(p.pos(e), sc, "attribute %s:%s uses the undeclared prefix %q", a.Space, a.Key, a.Space)
			case nsXSI:
			default:
				foreign = append(foreign, foreignAttr{ns: uri, key: a.Key, val: a.Value})
			}
		}
	}
	return foreign
}

// ignoreForeignAttrs notes attributes from namespaces hedwig has no use for.
func (p *fileParser) ignoreForeignAttrs(e *etree.Element, sc scope, attrs []foreignAttr) {
	for _, a := range attrs {
		p.infof(p.pos(e), sc, "attribute %q of %s ignored: no meaning in hedwig", a.key, a.ns)
	}
}

// checkNoText reports non-blank text inside an element that holds only
// elements.
func (p *fileParser) checkNoText(e *etree.Element, sc scope) {
	for _, ch := range e.Child {
		cd, ok := ch.(*etree.CharData)
		if !ok || strings.TrimSpace(cd.Data) == "" {
			continue
		}
		text := strings.TrimSpace(cd.Data)
		if len(text) > 40 {
			text = text[:40] + "…"
		}
		p.errorf(Pos{File: p.doc.Name, Line: p.doc.Line(cd)}, sc, "unexpected text %q inside <%s>", text, e.FullTag())
	}
}

// boolAttr reads a true/false attribute; "default" and absence yield dflt.
func (p *fileParser) boolAttr(e *etree.Element, sc scope, key string, dflt bool) bool {
	v, ok := attr(e, key)
	switch {
	case !ok || v == "default":
		return dflt
	case v == "true":
		return true
	case v == "false":
		return false
	}
	p.errorf(p.pos(e), sc, "%s=%q: use true or false", key, v)
	return dflt
}

// enumAttr reads an attribute that must be one of values.
func (p *fileParser) enumAttr(e *etree.Element, sc scope, key string, values ...string) (string, bool) {
	v, ok := attr(e, key)
	if !ok {
		return "", false
	}
	if !slices.Contains(values, v) {
		p.errorf(p.pos(e), sc, "%s=%q: use one of %s", key, v, strings.Join(values, ", "))
		return "", false
	}
	return v, true
}

// suggest returns `; did you mean "x"?` for the closest of candidates, or
// the list of candidates when none is close.
func suggest(word string, candidates []string) string {
	if best := typo.Nearest(word, candidates, 3); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(candidates) == 0 {
		return ""
	}
	return " (allowed: " + strings.Join(candidates, ", ") + ")"
}

// scope names where a problem is: the subject (`bean "x"`) and the path
// inside it (`property "y": item 2`).
type scope struct {
	subject string
	path    string
}

func (s scope) in(format string, args ...any) scope {
	part := fmt.Sprintf(format, args...)
	if s.path != "" {
		part = s.path + ": " + part
	}
	return scope{subject: s.subject, path: part}
}

func (s scope) text(msg string) string {
	if s.path == "" {
		return msg
	}
	return s.path + ": " + msg
}

func (p *fileParser) pos(e *etree.Element) Pos {
	return Pos{File: p.doc.Name, Line: p.doc.Line(e)}
}

func (p *fileParser) errorf(pos Pos, sc scope, format string, args ...any) {
	p.l.diags.Errorf(pos, sc.subject, "%s", sc.text(fmt.Sprintf(format, args...)))
}

func (p *fileParser) warnf(pos Pos, sc scope, format string, args ...any) {
	p.l.diags.Warnf(pos, sc.subject, "%s", sc.text(fmt.Sprintf(format, args...)))
}

func (p *fileParser) infof(pos Pos, sc scope, format string, args ...any) {
	p.l.diags.Infof(pos, sc.subject, "%s", sc.text(fmt.Sprintf(format, args...)))
}
