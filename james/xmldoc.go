package james

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
	"golang.org/x/text/encoding/charmap"
)

// maxDepth bounds element nesting: James files are four levels deep, and
// deeper input is refused with a line rather than exhausting the stack.
const maxDepth = 256

// xmlFile is one parsed configuration file: its etree root and the line of
// every element's start tag. etree keeps no positions, so a second pass
// with encoding/xml records the lines, matched to elements in document order.
type xmlFile struct {
	name  string // the path as shown in diagnostics
	root  *etree.Element
	lines map[*etree.Element]int
}

// syntaxError is malformed XML at a line.
type syntaxError struct {
	Line int
	Msg  string
}

func (e *syntaxError) Error() string { return e.Msg }

// parseXML parses data; malformed input gives a *syntaxError with a line.
func parseXML(name string, data []byte) (*xmlFile, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines, err := startLines(data)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = charsetReader
	doc.ReadSettings.MaxDepth = maxDepth
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, &syntaxError{Line: 1, Msg: err.Error()}
	}
	f := &xmlFile{name: name, root: doc.Root(), lines: make(map[*etree.Element]int, len(lines))}
	next := 0
	var walk func(e *etree.Element) bool
	walk = func(e *etree.Element) bool {
		for _, c := range e.ChildElements() {
			if next >= len(lines) {
				return false
			}
			f.lines[c] = lines[next]
			next++
			if !walk(c) {
				return false
			}
		}
		return true
	}
	if !walk(&doc.Element) || next != len(lines) || f.root == nil {
		// Both passes use encoding/xml on the same bytes; a mismatch means
		// markup the two read differently.
		return nil, &syntaxError{Line: 1, Msg: "the XML could not be read consistently (unusual markup)"}
	}
	return f, nil
}

// line returns the line of e's start tag (0 if unknown).
func (f *xmlFile) line(e *etree.Element) int { return f.lines[e] }

// startLines decodes data strictly and returns the line of every start
// tag in document order. It also refuses what James's parser refuses and
// etree accepts: a second root element and text outside the root.
func startLines(data []byte) ([]int, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = charsetReader
	var lines []int
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
				return nil, &syntaxError{Line: se.Line, Msg: se.Msg}
			}
			at, _ := dec.InputPos()
			return nil, &syntaxError{Line: at, Msg: err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if roots++; roots > 1 {
					return nil, &syntaxError{Line: line, Msg: fmt.Sprintf("second root element <%s>: a file holds one root element", t.Name.Local)}
				}
			}
			if depth++; depth > maxDepth {
				return nil, &syntaxError{Line: line, Msg: fmt.Sprintf("elements nested deeper than %d", maxDepth)}
			}
			lines = append(lines, line)
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(t)) != "" {
				return nil, &syntaxError{Line: line, Msg: "text outside the root element"}
			}
		}
	}
	if roots == 0 {
		line, _ := dec.InputPos()
		return nil, &syntaxError{Line: line, Msg: "no root element"}
	}
	return lines, nil
}

// charsetReader accepts the encodings James configurations are written in:
// UTF-8 (and its subset US-ASCII) and ISO-8859-1.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q: save the file as UTF-8", label)
}
