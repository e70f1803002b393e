package beans

import (
	"strings"

	"github.com/beevik/etree"
)

// valueTags are the beans-namespace elements that can stand for a value.
var valueTags = []string{"bean", "ref", "idref", "value", "null", "list", "set", "array", "map", "props"}

func isBeansElem(e *etree.Element, tags ...string) bool {
	ns, ok := elemNS(e)
	if !ok || !isBeansNS(ns) {
		return false
	}
	for _, t := range tags {
		if e.Tag == t {
			return true
		}
	}
	return false
}

// parseValueHolder reads the value of a <property> or <constructor-arg>:
// a ref or value attribute, or one value element. It returns nil after
// reporting a problem.
func (p *fileParser) parseValueHolder(el *etree.Element, owner *Bean, d *beansDefaults, sc scope) *Value {
	pos := p.pos(el)
	tag := el.Tag
	var sub *etree.Element
	for _, ch := range el.ChildElements() {
		if isBeansElem(ch, "description", "meta") {
			continue
		}
		if sub != nil {
			p.errorf(p.pos(ch), sc, "<%s> holds one value element, and <%s> is a second one", tag, ch.FullTag())
			break
		}
		sub = ch
	}
	p.checkNoText(el, sc)
	ref, hasRef := attr(el, "ref")
	val, hasVal := attr(el, "value")
	if (hasRef && hasVal) || ((hasRef || hasVal) && sub != nil) {
		p.errorf(pos, sc, "<%s> may have a ref attribute, a value attribute or a value element, but only one of them", tag)
		return nil
	}
	switch {
	case hasRef:
		if strings.TrimSpace(ref) == "" {
			p.errorf(pos, sc, "ref is empty; name the bean to use")
			return nil
		}
		return &Value{Kind: Ref, Ref: ref, Raw: ref, Pos: pos}
	case hasVal:
		return &Value{Kind: Literal, Text: val, Raw: val, Pos: pos}
	case sub != nil:
		return p.parseValue(sub, owner, d, sc, "")
	}
	p.errorf(pos, sc, "<%s> has no value: give it a value or ref attribute, or an element such as <value> or <ref>", tag)
	return nil
}

// parseValue reads one value element. defaultType is the value-type of
// the collection holding it.
func (p *fileParser) parseValue(el *etree.Element, owner *Bean, d *beansDefaults, sc scope, defaultType string) *Value {
	pos := p.pos(el)
	ns, ok := elemNS(el)
	switch {
	case !ok:
		p.errorf(pos, sc, "<%s> uses the undeclared prefix %q", el.FullTag(), el.Space)
		return nil
	case !isBeansNS(ns):
		p.warnf(pos, sc, "<%s> is not supported by hedwig; this value is left out", el.FullTag())
		return nil
	}
	switch el.Tag {
	case "bean":
		isc := sc.in("inner bean %s", attrValue(el, "class"))
		if id := attrValue(el, "id"); id != "" {
			isc = sc.in("inner bean %q", id)
		}
		return &Value{Kind: InnerBean, Bean: p.parseBean(el, d, owner, isc), Pos: pos}
	case "ref":
		return p.parseRef(el, sc)
	case "idref":
		return p.parseIDRef(el, sc)
	case "value":
		p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "type"))
		for _, ch := range el.ChildElements() {
			p.errorf(p.pos(ch), sc, "<value> holds text only, not <%s>", ch.FullTag())
		}
		typ := attrValue(el, "type")
		if typ == "" {
			typ = defaultType
		}
		text := textOf(el)
		return &Value{Kind: Literal, Text: text, Raw: text, Type: typ, Pos: pos}
	case "null":
		p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc))
		return &Value{Kind: Null, Pos: pos}
	case "list", "set", "array":
		return p.parseCollection(el, owner, d, sc)
	case "map":
		return p.parseMap(el, owner, d, sc)
	case "props":
		return p.parseProps(el, d, sc)
	}
	p.errorf(pos, sc, "<%s> is not a value element%s", el.FullTag(), suggest(el.Tag, valueTags))
	return nil
}

// parseRef reads <ref bean|local|parent="...">.
func (p *fileParser) parseRef(el *etree.Element, sc scope) *Value {
	pos := p.pos(el)
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "bean", "local", "parent"))
	p.checkNoText(el, sc)
	if name := attrValue(el, "bean"); name != "" {
		return &Value{Kind: Ref, Ref: name, Raw: name, Pos: pos}
	}
	if name := attrValue(el, "local"); name != "" {
		p.localRefs = append(p.localRefs, localRef{name: name, pos: pos, sc: sc.in("<ref>")})
		return &Value{Kind: Ref, Ref: name, Raw: name, Pos: pos}
	}
	if name := attrValue(el, "parent"); name != "" {
		p.errorf(pos, sc, "<ref parent=%q>: hedwig runs one context, with no parent context to look in; use bean=%q", name, name)
		return nil
	}
	p.errorf(pos, sc, "<ref> needs bean=\"name of a bean\"")
	return nil
}

// parseIDRef reads <idref bean|local="...">: a bean's name as a string,
// which Spring checks names a bean.
func (p *fileParser) parseIDRef(el *etree.Element, sc scope) *Value {
	pos := p.pos(el)
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "bean", "local"))
	p.checkNoText(el, sc)
	if name := attrValue(el, "bean"); name != "" {
		return &Value{Kind: IDRef, Ref: name, Raw: name, Pos: pos}
	}
	if name := attrValue(el, "local"); name != "" {
		p.localRefs = append(p.localRefs, localRef{name: name, pos: pos, sc: sc.in("<idref>")})
		return &Value{Kind: IDRef, Ref: name, Raw: name, Pos: pos}
	}
	p.errorf(pos, sc, "<idref> needs bean=\"name of a bean\"")
	return nil
}

// parseCollection reads <list>, <set> or <array>.
func (p *fileParser) parseCollection(el *etree.Element, owner *Bean, d *beansDefaults, sc scope) *Value {
	kinds := map[string]Kind{"list": List, "set": Set, "array": Array}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "value-type", "merge"))
	v := &Value{Kind: kinds[el.Tag], Type: attrValue(el, "value-type"), Merge: p.boolAttr(el, sc, "merge", d.merge), Pos: p.pos(el)}
	n := 0
	for _, ch := range el.ChildElements() {
		if isBeansElem(ch, "description") {
			continue
		}
		n++
		if item := p.parseValue(ch, owner, d, sc.in("item %d", n), v.Type); item != nil {
			v.Items = append(v.Items, item)
		}
	}
	p.checkNoText(el, sc)
	return v
}

// parseMap reads <map> and its <entry> elements.
func (p *fileParser) parseMap(el *etree.Element, owner *Bean, d *beansDefaults, sc scope) *Value {
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "key-type", "value-type", "merge"))
	m := &Value{Kind: Map, KeyType: attrValue(el, "key-type"), Type: attrValue(el, "value-type"),
		Merge: p.boolAttr(el, sc, "merge", d.merge), Pos: p.pos(el)}
	for _, ch := range el.ChildElements() {
		switch {
		case isBeansElem(ch, "description"):
		case isBeansElem(ch, "entry"):
			if e := p.parseEntry(ch, m, owner, d, sc, len(m.Entries)+1); e != nil {
				m.Entries = append(m.Entries, e)
			}
		default:
			p.errorf(p.pos(ch), sc, "<map> holds <entry> elements, not <%s>", ch.FullTag())
		}
	}
	p.checkNoText(el, sc)
	return m
}

// parseEntry reads <entry key|key-ref value|value-ref> or its <key> and
// value elements. ordinal counts the map's entries from 1.
func (p *fileParser) parseEntry(el *etree.Element, m *Value, owner *Bean, d *beansDefaults, sc scope, ordinal int) *Entry {
	pos := p.pos(el)
	if k, ok := attr(el, "key"); ok {
		sc = sc.in("entry %q", k)
	} else {
		sc = sc.in("entry %d", ordinal)
	}
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "key", "key-ref", "value", "value-ref", "value-type"))
	var keyEl, valEl *etree.Element
	for _, ch := range el.ChildElements() {
		switch {
		case isBeansElem(ch, "description"):
		case isBeansElem(ch, "key"):
			if keyEl != nil {
				p.errorf(p.pos(ch), sc, "<entry> holds one <key>")
				return nil
			}
			keyEl = ch
		default:
			if valEl != nil {
				p.errorf(p.pos(ch), sc, "<entry> holds one value element, and <%s> is a second one", ch.FullTag())
				return nil
			}
			valEl = ch
		}
	}
	p.checkNoText(el, sc)
	valueType := m.Type
	if t := attrValue(el, "value-type"); t != "" {
		valueType = t
	}
	key := p.entryPart(el, pos, sc, "key", "key-ref", keyEl, m.KeyType, func(ke *etree.Element) *Value {
		return p.parseKey(ke, owner, d, sc, m.KeyType)
	})
	value := p.entryPart(el, pos, sc, "value", "value-ref", valEl, valueType, func(ve *etree.Element) *Value {
		return p.parseValue(ve, owner, d, sc, valueType)
	})
	if key == nil || value == nil {
		return nil
	}
	return &Entry{Key: key, Value: value, Pos: pos}
}

// entryPart reads an entry's key or value: a literal attribute, a -ref
// attribute, or an element.
func (p *fileParser) entryPart(el *etree.Element, pos Pos, sc scope, litAttr, refAttr string, sub *etree.Element, typ string, parseSub func(*etree.Element) *Value) *Value {
	lit, hasLit := attr(el, litAttr)
	ref, hasRef := attr(el, refAttr)
	if (hasLit && hasRef) || ((hasLit || hasRef) && sub != nil) {
		p.errorf(pos, sc, "<entry> may have a %s attribute, a %s attribute or a %s element, but only one of them", litAttr, refAttr, litAttr)
		return nil
	}
	switch {
	case hasLit:
		return &Value{Kind: Literal, Text: lit, Raw: lit, Type: typ, Pos: pos}
	case hasRef:
		if strings.TrimSpace(ref) == "" {
			p.errorf(pos, sc, "%s is empty; name the bean to use", refAttr)
			return nil
		}
		return &Value{Kind: Ref, Ref: ref, Raw: ref, Pos: pos}
	case sub != nil:
		return parseSub(sub)
	}
	p.errorf(pos, sc, "<entry> has no %s: give it a %s or %s attribute", litAttr, litAttr, refAttr)
	return nil
}

// parseKey reads <key> holding one value element.
func (p *fileParser) parseKey(el *etree.Element, owner *Bean, d *beansDefaults, sc scope, keyType string) *Value {
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc))
	p.checkNoText(el, sc)
	var sub *etree.Element
	for _, ch := range el.ChildElements() {
		if isBeansElem(ch, "description") {
			continue
		}
		if sub != nil {
			p.errorf(p.pos(ch), sc, "<key> holds one value element, and <%s> is a second one", ch.FullTag())
			return nil
		}
		sub = ch
	}
	if sub == nil {
		p.errorf(p.pos(el), sc, "<key> is empty; put a value element such as <value> in it")
		return nil
	}
	return p.parseValue(sub, owner, d, sc, keyType)
}

// parseProps reads <props> with <prop key="k">text</prop> children. The
// text is trimmed, as Spring trims it.
func (p *fileParser) parseProps(el *etree.Element, d *beansDefaults, sc scope) *Value {
	p.ignoreForeignAttrs(el, sc, p.checkAttrs(el, sc, "value-type", "merge"))
	v := &Value{Kind: Props, Merge: p.boolAttr(el, sc, "merge", d.merge), Pos: p.pos(el)}
	for _, ch := range el.ChildElements() {
		switch {
		case isBeansElem(ch, "description"):
		case isBeansElem(ch, "prop"):
			pos := p.pos(ch)
			p.ignoreForeignAttrs(ch, sc, p.checkAttrs(ch, sc, "key"))
			key, ok := attr(ch, "key")
			if !ok {
				p.errorf(pos, sc, "<prop> needs a key")
				continue
			}
			for _, gc := range ch.ChildElements() {
				p.errorf(p.pos(gc), sc, "<prop> holds text only, not <%s>", gc.FullTag())
			}
			text := strings.TrimSpace(textOf(ch))
			v.Entries = append(v.Entries, &Entry{
				Key:   &Value{Kind: Literal, Text: key, Raw: key, Pos: pos},
				Value: &Value{Kind: Literal, Text: text, Raw: text, Pos: pos},
				Pos:   pos,
			})
		default:
			p.errorf(p.pos(ch), sc, "<props> holds <prop> elements, not <%s>", ch.FullTag())
		}
	}
	p.checkNoText(el, sc)
	return v
}
