// Package xmldoc parses an XML configuration file with beevik/etree and
// remembers the line of every element and text node, which etree does not
// track: a second, strict pass with encoding/xml over the same bytes
// records the lines, matched to etree's nodes in document order. Spring's
// applicationContext.xml and James's server files are read this way, so
// their problems can name file and line.
package xmldoc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// maxDepth bounds element nesting, as etree does by default; deeper input
// is rejected with a line instead of exhausting the stack.
const maxDepth = 1024

// Doc is one parsed XML file: its etree root and the line of every element
// and text node.
type Doc struct {
	Name  string // the file as shown in diagnostics
	Root  *etree.Element
	lines map[etree.Token]int
}

// Line returns the line of an element's start tag or of a text node's first
// non-blank character; 0 for a token not from this document.
func (d *Doc) Line(t etree.Token) int { return d.lines[t] }

// SyntaxError is malformed XML at a line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return e.Msg }

// Parse parses data. On malformed input it returns a *SyntaxError carrying
// the line the XML decoder stopped at.
func Parse(name string, data []byte) (*Doc, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	elemLines, textLines, err := scanLines(data)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = charsetReader
	doc.ReadSettings.MaxDepth = maxDepth
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, &SyntaxError{Line: 1, Msg: err.Error()}
	}
	d := &Doc{Name: name, Root: doc.Root(), lines: make(map[etree.Token]int, len(elemLines)+len(textLines))}
	var ei, ti int
	var walk func(e *etree.Element) bool
	walk = func(e *etree.Element) bool {
		for _, ch := range e.Child {
			switch c := ch.(type) {
			case *etree.Element:
				if ei >= len(elemLines) {
					return false
				}
				d.lines[c] = elemLines[ei]
				ei++
				if !walk(c) {
					return false
				}
			case *etree.CharData:
				if ti >= len(textLines) {
					return false
				}
				d.lines[c] = textLines[ti]
				ti++
			}
		}
		return true
	}
	if !walk(&doc.Element) || ei != len(elemLines) || ti != len(textLines) || d.Root == nil {
		// Both passes use encoding/xml on the same bytes; a mismatch means
		// the input is something the two read differently.
		return nil, &SyntaxError{Line: 1, Msg: "XML could not be read consistently (unusual markup)"}
	}
	return d, nil
}

// scanLines runs encoding/xml strictly over data and returns the line of
// every start tag and of the first non-blank character of every text node,
// in document order. It also enforces what Xerces enforces and etree does
// not: one root element, no text outside it, no repeated attribute.
func scanLines(data []byte) (elemLines, textLines []int, err error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = charsetReader
	depth, roots := 0, 0
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, nil, &SyntaxError{Line: se.Line, Msg: se.Msg}
			}
			at, _ := dec.InputPos()
			return nil, nil, &SyntaxError{Line: at, Msg: err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return nil, nil, &SyntaxError{Line: line, Msg: fmt.Sprintf("second root element <%s>: a file holds one root element", t.Name.Local)}
				}
			}
			depth++
			if depth > maxDepth {
				return nil, nil, &SyntaxError{Line: line, Msg: fmt.Sprintf("elements nested deeper than %d", maxDepth)}
			}
			if dup := repeatedAttr(t.Attr); dup != "" {
				return nil, nil, &SyntaxError{Line: line, Msg: fmt.Sprintf("attribute %q appears twice in <%s>", dup, t.Name.Local)}
			}
			elemLines = append(elemLines, line)
		case xml.EndElement:
			depth--
		case xml.CharData:
			// The decoder turns a lone \r into \n but counts only \n as a
			// line break; the token's end bounds the estimate.
			blank := strings.TrimLeft(string(t), " \t\r\n")
			end, _ := dec.InputPos()
			textLine := min(line+strings.Count(string(t[:len(t)-len(blank)]), "\n"), end)
			if depth == 0 && blank != "" {
				return nil, nil, &SyntaxError{Line: textLine, Msg: "text outside the root element"}
			}
			textLines = append(textLines, textLine)
		}
	}
	if roots == 0 {
		line, _ := dec.InputPos()
		return nil, nil, &SyntaxError{Line: line, Msg: "no root element"}
	}
	return elemLines, textLines, nil
}

func repeatedAttr(attrs []xml.Attr) string {
	for i := range attrs {
		for j := i + 1; j < len(attrs); j++ {
			if attrs[i].Name == attrs[j].Name {
				if attrs[i].Name.Space != "" {
					return attrs[i].Name.Space + ":" + attrs[i].Name.Local
				}
				return attrs[i].Name.Local
			}
		}
	}
	return ""
}

// charsetReader accepts the encodings Java configuration files use: UTF-8
// (and its subset US-ASCII) and ISO-8859-1.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return &latin1Reader{r: in}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q: save the file as UTF-8", label)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct {
	r       io.Reader
	pending []byte
	err     error
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		var raw [512]byte
		n, err := l.r.Read(raw[:])
		for _, b := range raw[:n] {
			l.pending = utf8.AppendRune(l.pending, rune(b))
		}
		l.err = err
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}
