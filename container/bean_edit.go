package container

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hedwigmail/hedwig/beans"
	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/internal/atomicfile"
	"github.com/hedwigmail/hedwig/webapp"
)

// editMu makes edits one at a time: each reads, checks and replaces a file.
var editMu sync.Mutex

// describeProperty shows a property as the editor offers it: a literal
// (value attribute or <value> element) may be changed, anything else is
// shown as it is.
func describeProperty(p *beans.Property) webapp.Property {
	wp := webapp.Property{Name: p.Name}
	if p.Value == nil {
		return wp
	}
	switch p.Value.Kind {
	case beans.Literal:
		wp.Value, wp.Editable = p.Value.Raw, true
	case beans.Ref, beans.IDRef:
		wp.Ref = p.Value.Ref
	default:
		wp.Value = "(" + p.Value.Kind.String() + ")"
	}
	return wp
}

// editBean changes literal properties of a top-level bean in the file that
// defines it. The whole configuration is loaded again with the edited file
// in place of the original (nothing bound, nothing opened), and the file is
// replaced, its previous version kept as <file>.bak, only when that finds
// no error. Placeholders are written as given, so "${imap_port}" stays a
// placeholder.
func editBean(defs *beans.Definitions, opts Options, id string, values map[string]string) (webapp.EditResult, error) {
	editMu.Lock()
	defer editMu.Unlock()
	var res webapp.EditResult
	b := defs.Bean(id)
	if b == nil || b.Inner {
		return res, fmt.Errorf("no bean %q in %s", id, defs.File)
	}
	if len(values) == 0 {
		return res, fmt.Errorf("bean %q: nothing to change", id)
	}
	path, err := filepath.Abs(b.Pos.File)
	if err != nil {
		return res, fmt.Errorf("bean %q: %w", id, err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		return res, fmt.Errorf("read %s: %w", b.Pos.File, err)
	}
	edited, err := setBeanProperties(orig, b.ID, values)
	if err != nil {
		return res, fmt.Errorf("%s: bean %q: %w", b.Pos.File, id, err)
	}

	check := opts
	check.CheckOnly = true
	check.Logger = nil
	check.Overlay = map[string][]byte{path: edited}
	c := Load(defs.File, check)
	for _, sev := range []diag.Severity{diag.Error, diag.Warning, diag.Info} {
		for _, p := range c.Problems.Filter(sev) {
			res.Problems = append(res.Problems, webapp.Problem{Severity: sev.String(), Where: p.Pos.String(), Message: problemText(p)})
		}
	}
	if c.Problems.HasErrors() {
		return res, nil
	}

	info, err := os.Stat(path)
	if err != nil {
		return res, fmt.Errorf("stat %s: %w", b.Pos.File, err)
	}
	backup := path + ".bak"
	if err := atomicfile.WriteFile(backup, orig, info.Mode().Perm()); err != nil {
		return res, fmt.Errorf("keep previous %s: %w", b.Pos.File, err)
	}
	if err := atomicfile.WriteFile(path, edited, info.Mode().Perm()); err != nil {
		return res, fmt.Errorf("write %s: %w", b.Pos.File, err)
	}
	res.Saved, res.Backup, res.Restart = true, backup, true
	return res, nil
}

// problemText is a problem without its position (shown apart).
func problemText(p *diag.Problem) string {
	if p.Subject != "" {
		return p.Subject + ": " + p.Message
	}
	return p.Message
}

// setBeanProperties returns the XML with the literal properties of bean id
// set to values. The file is changed only where a value stands: the value
// attribute's text or a <value> element's text, found by the byte offsets
// of an XML decoder, so comments, layout, quoting and line ends stay as the
// administrator wrote them. Only existing literal properties are changed: a
// ref, a collection or a property the bean does not have is refused, so an
// edit never changes the shape of the configuration.
func setBeanProperties(data []byte, id string, values map[string]string) ([]byte, error) {
	spans, found, err := propertySpans(data, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("not defined by a <bean id=%q> element here", id)
	}
	var edits []valueSpan
	for name, v := range values {
		if !xmlText(v) {
			return nil, fmt.Errorf("property %q: the value has bytes XML cannot hold (invalid UTF-8 or control characters)", name)
		}
		sp, ok := spans[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("has no property %q to change (add it in the file)", name)
		case !sp.literal:
			return nil, fmt.Errorf("property %q is not a literal value (a reference or collection is edited in the file)", name)
		}
		sp.text = escapeXML(v)
		edits = append(edits, sp)
	}
	// From the end backwards, so earlier offsets stay valid.
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), data...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, nil
}

// valueSpan is where a property's literal value stands in the file.
type valueSpan struct {
	start, end int    // byte range of the value text (without quotes)
	literal    bool   // a value attribute or a <value> holding only text
	text       string // the replacement, escaped
}

var valueAttr = regexp.MustCompile(`\svalue\s*=\s*("[^"]*"|'[^']*')`)

// propertySpans finds the properties of the bean registered as id (by its
// id attribute, or the first of its names when it has no id).
func propertySpans(data []byte, id string) (map[string]valueSpan, bool, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	spans := map[string]valueSpan{}
	depth, beanDepth := 0, 0
	var prop string
	var inValue bool
	var valueStart int
	for {
		start := int(d.InputOffset())
		tok, err := d.Token() // Token, not RawToken: it checks that tags match
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("parse: %w", err)
		}
		end := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case beanDepth == 0 && t.Name.Local == "bean" && beanNamed(t, id):
				beanDepth = depth
			case beanDepth > 0 && depth == beanDepth+1 && t.Name.Local == "property":
				prop = attrOf(t, "name")
				sp := valueSpan{}
				if hasAttr(t, "value") {
					m := valueAttr.FindSubmatchIndex(data[start:end])
					if m == nil {
						return nil, false, fmt.Errorf("property %q: cannot find its value attribute", prop)
					}
					sp = valueSpan{start: start + m[2] + 1, end: start + m[3] - 1, literal: true}
				}
				spans[prop] = sp
			case beanDepth > 0 && depth == beanDepth+2 && t.Name.Local == "value" && prop != "":
				inValue, valueStart = true, end
			case inValue:
				inValue = false // an element inside <value>: not a literal
				spans[prop] = valueSpan{}
			}
		case xml.EndElement:
			if inValue && depth == beanDepth+2 {
				spans[prop] = valueSpan{start: valueStart, end: start, literal: true}
				inValue = false
			}
			if beanDepth > 0 && depth == beanDepth+1 {
				prop = ""
			}
			if beanDepth > 0 && depth == beanDepth {
				return spans, true, nil
			}
			depth--
		}
	}
	return spans, false, nil
}

func beanNamed(t xml.StartElement, id string) bool {
	if hasAttr(t, "id") {
		return attrOf(t, "id") == id
	}
	names := strings.FieldsFunc(attrOf(t, "name"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	return len(names) > 0 && names[0] == id
}

func hasAttr(t xml.StartElement, name string) bool {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return true
		}
	}
	return false
}

func attrOf(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// xmlText reports whether v can stand in an XML 1.0 document: valid UTF-8
// without control characters other than tab, newline and carriage return.
func xmlText(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

// escapeXML escapes a value for an attribute or element text. Quotes and
// line ends become references too, so an attribute keeps its newlines
// (a parser would turn raw ones into spaces).
func escapeXML(v string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(v)) //nolint:errcheck // a strings.Builder does not fail
	return b.String()
}
