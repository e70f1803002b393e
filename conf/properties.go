package conf

import (
	"fmt"
	"os"

	"github.com/hedwigmail/hedwig/diag"
)

// Properties is a .properties file read the way java.util.Properties reads
// it, with each key's line kept for error messages and ${name} references to
// system properties expanded as Hedwig expands them.
type Properties struct {
	path     string
	encoding string
	lines    int
	order    []string          // keys in order of first appearance
	current  map[string]*entry // the entry that wins for each key (the last)
	entries  []*entry          // every entry in file order, duplicates included
}

// entry is one key/value line of the file.
type entry struct {
	key        string
	raw        string // unescaped value, before ${...} expansion
	value      string // after ${...} expansion
	unresolved []string
	line       int
}

// ReadProperties reads the properties file at path. Escapes, separators,
// comments and continuation lines follow java.util.Properties; the bytes are
// UTF-8 if valid, else ISO-8859-1. In values, ${name} is replaced by
// sys[name] when sys has it and left as written otherwise.
//
// A read failure is returned wrapped; a syntax error Java would also reject
// (a malformed \uXXXX escape) is returned as a *diag.Problem naming the line.
func ReadProperties(path string, sys map[string]string) (*Properties, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read properties %s: %w", path, err)
	}
	return parseProperties(path, data, sys)
}

// parseProperties is ReadProperties on bytes already read from path.
func parseProperties(path string, data []byte, sys map[string]string) (*Properties, error) {
	text, encoding := decodeText(data)
	p := &Properties{
		path:     path,
		encoding: encoding,
		lines:    countPhysicalLines(text),
		current:  make(map[string]*entry),
	}
	for _, ll := range scanLogicalLines(text) {
		key, raw, err := decodeLine(ll.text)
		if err != nil {
			return nil, &diag.Problem{
				Severity: diag.Error,
				Pos:      diag.Pos{File: path, Line: ll.line},
				Message:  err.Error(),
				Err:      err,
			}
		}
		e := &entry{key: key, raw: raw, line: ll.line}
		e.value, e.unresolved = expandSystem(raw, sys)
		if _, seen := p.current[key]; !seen {
			p.order = append(p.order, key)
		}
		p.current[key] = e
		p.entries = append(p.entries, e)
	}
	return p, nil
}

// Path is the file the properties were read from, as given to ReadProperties.
func (p *Properties) Path() string { return p.path }

// Encoding is "UTF-8" or "ISO-8859-1", whichever the file was read as.
func (p *Properties) Encoding() string { return p.encoding }

// Get returns the value of key with system-property references expanded.
// As in Java, a key set twice has its last value.
func (p *Properties) Get(key string) (string, bool) {
	e, ok := p.current[key]
	if !ok {
		return "", false
	}
	return e.value, true
}

// Raw returns the value of key as java.util.Properties gives it, before
// ${...} expansion.
func (p *Properties) Raw(key string) (string, bool) {
	e, ok := p.current[key]
	if !ok {
		return "", false
	}
	return e.raw, true
}

// Unresolved lists the ${name} references in key's value that named no
// known system property and so were left as written.
func (p *Properties) Unresolved(key string) []string {
	if e, ok := p.current[key]; ok {
		return append([]string(nil), e.unresolved...)
	}
	return nil
}

// Keys returns every key once, in the order the keys first appear in the file.
func (p *Properties) Keys() []string { return append([]string(nil), p.order...) }

// Line is the 1-based line on which key's value is set (for a key set twice,
// the line whose value counts), or 0 if the key is absent. A value continued
// over several lines is reported at the line where its key starts.
func (p *Properties) Line(key string) int {
	if p == nil {
		return 0
	}
	if e, ok := p.current[key]; ok {
		return e.line
	}
	return 0
}

// Pos is the place where key is set, for diagnostics; for an absent key it
// names the whole file.
func (p *Properties) Pos(key string) diag.Pos {
	if p == nil {
		return diag.Pos{}
	}
	return diag.Pos{File: p.path, Line: p.Line(key)}
}
