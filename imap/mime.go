package imap

import (
	"bytes"
	"errors"
	"mime"
	"regexp"
	"sort"
	"strings"
)

// part is one MIME entity of a message, its slices pointing into the raw
// message.
type part struct {
	header    []byte // including the blank line that ends it
	body      []byte
	fields    []headerField
	mediaType string // lower case, e.g. "text"
	subType   string // lower case, e.g. "plain"
	params    []param
	children  []*part // multipart
	embedded  *part   // message/rfc822
	message   bool    // a whole message (the root or an embedded one)
}

type headerField struct {
	name  string // as written
	value string // unfolded, leading space trimmed
	raw   []byte // as written, with line ending(s)
}

type param struct{ name, value string }

// boundaryParam finds a boundary parameter, quoted or not.
var boundaryParam = regexp.MustCompile(`(?i)boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))`)

// maxMIMEDepth bounds nesting so a crafted message cannot exhaust the stack.
const maxMIMEDepth = 30

// parseMessage parses a whole message.
func parseMessage(raw []byte) *part {
	p := parsePart(raw, "text/plain", 0)
	p.message = true
	return p
}

func parsePart(raw []byte, defaultType string, depth int) *part {
	p := &part{}
	p.header, p.body = splitHeader(raw)
	p.fields = parseFields(p.header)
	ct := p.field("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if errors.Is(err, mime.ErrInvalidMediaParameter) && strings.HasPrefix(mt, "multipart/") {
		// A broken parameter elsewhere must not lose the structure.
		if m := boundaryParam.FindStringSubmatch(ct); m != nil {
			params, err = map[string]string{"boundary": m[1] + m[2]}, nil
		}
	}
	if ct == "" || err != nil || !strings.Contains(mt, "/") {
		mt, params = defaultType, nil
		if defaultType == "text/plain" {
			params = map[string]string{"charset": "us-ascii"}
		}
	}
	p.mediaType, p.subType, _ = strings.Cut(mt, "/")
	for _, k := range sortedKeys(params) {
		p.params = append(p.params, param{k, params[k]})
	}
	if depth >= maxMIMEDepth {
		return p
	}
	switch {
	case p.mediaType == "multipart":
		childType := "text/plain"
		if p.subType == "digest" {
			childType = "message/rfc822"
		}
		for _, c := range splitMultipart(p.body, params["boundary"]) {
			p.children = append(p.children, parsePart(c, childType, depth+1))
		}
	case p.mediaType == "message" && (p.subType == "rfc822" || p.subType == "global"):
		p.embedded = parsePart(p.body, "text/plain", depth+1)
		p.embedded.message = true
	}
	return p
}

// splitHeader splits an entity at the blank line after its header.
func splitHeader(raw []byte) (header, body []byte) {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return raw[:2], raw[2:]
	}
	if bytes.HasPrefix(raw, []byte("\n")) {
		return raw[:1], raw[1:]
	}
	if i := bytes.Index(raw, []byte("\n\r\n")); i >= 0 {
		if j := bytes.Index(raw, []byte("\n\n")); j < 0 || i < j {
			return raw[:i+3], raw[i+3:]
		}
	}
	if j := bytes.Index(raw, []byte("\n\n")); j >= 0 {
		return raw[:j+2], raw[j+2:]
	}
	return raw, nil
}

func parseFields(header []byte) []headerField {
	var out []headerField
	rest := header
	for len(rest) > 0 {
		end := bytes.IndexByte(rest, '\n') + 1
		if end == 0 {
			end = len(rest)
		}
		line := rest[:end]
		rest = rest[end:]
		if c := line[0]; (c == ' ' || c == '\t') && len(out) > 0 {
			f := &out[len(out)-1]
			f.raw = f.raw[:len(f.raw)+len(line)] // raw is a slice of header: extend it
			f.value += " " + strings.TrimSpace(string(line))
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		out = append(out, headerField{
			name:  strings.TrimSpace(string(name)),
			value: strings.TrimSpace(string(value)),
			raw:   line,
		})
	}
	return out
}

// field returns the first field called name, or "".
func (p *part) field(name string) string {
	for _, f := range p.fields {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// splitMultipart returns the body parts between the boundary lines.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // content start of the current part
	pos := 0
	for pos <= len(body) {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		at := pos + i
		if at > 0 && body[at-1] != '\n' {
			pos = at + len(delim)
			continue
		}
		if start >= 0 {
			end := at
			if end > 0 && body[end-1] == '\n' {
				end--
			}
			if end > 0 && body[end-1] == '\r' {
				end--
			}
			parts = append(parts, body[start:max(end, start)])
		}
		after := at + len(delim)
		if bytes.HasPrefix(body[after:], []byte("--")) {
			return parts
		}
		nl := bytes.IndexByte(body[after:], '\n')
		if nl < 0 {
			return parts
		}
		start = after + nl + 1
		pos = start
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// child returns part n (1-based) below p in IMAP section numbering.
func (p *part) child(n int) *part {
	if p.embedded != nil {
		return p.embedded.child(n)
	}
	if p.mediaType == "multipart" {
		if n >= 1 && n <= len(p.children) {
			return p.children[n-1]
		}
		return nil
	}
	if p.message && n == 1 {
		return p // the body of a single-part message is part 1
	}
	return nil
}

// lines counts the lines of a text body.
func lines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
