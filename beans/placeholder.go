package beans

import (
	"fmt"
	"strings"
)

// Placeholder resolution follows Spring 3's PropertyPlaceholderHelper:
// ${name}, ${name:default}, nested ${a.${b}}, values resolved again
// recursively, circular references rejected.

// maxExpansion bounds the text one resolution may produce, so that a
// properties file whose values double at every level cannot exhaust memory.
const maxExpansion = 4 << 20

type placeholderSyntax struct {
	prefix, suffix string
	simplePrefix   string // what opens a nested brace, e.g. "{" for "${"
	separator      string // between name and default; "" disables defaults
}

func newSyntax(prefix, suffix, separator string) placeholderSyntax {
	simple := prefix
	wellKnown := map[string]string{"}": "{", "]": "[", ")": "("}
	if open, ok := wellKnown[suffix]; ok && strings.HasSuffix(prefix, open) {
		simple = open
	}
	return placeholderSyntax{prefix: prefix, suffix: suffix, simplePrefix: simple, separator: separator}
}

var defaultSyntax = newSyntax("${", "}", ":")

// findEnd returns the index of the suffix closing the placeholder that
// opens at start, counting nested braces, or -1.
func (syn placeholderSyntax) findEnd(s string, start int) int {
	i := start + len(syn.prefix)
	nested := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], syn.suffix):
			if nested == 0 {
				return i
			}
			nested--
			i += len(syn.suffix)
		case strings.HasPrefix(s[i:], syn.simplePrefix):
			nested++
			i += len(syn.simplePrefix)
		default:
			i++
		}
	}
	return -1
}

// names returns the outermost placeholder names in s, unresolved.
func (syn placeholderSyntax) names(s string) []string {
	var out []string
	for {
		start := strings.Index(s, syn.prefix)
		if start < 0 {
			return out
		}
		end := syn.findEnd(s, start)
		if end < 0 {
			return out
		}
		out = append(out, s[start+len(syn.prefix):end])
		s = s[end+len(syn.suffix):]
	}
}

type unresolvedError struct{ name string }

func (e *unresolvedError) Error() string { return "unresolved placeholder ${" + e.name + "}" }

type circularError struct{ name string }

func (e *circularError) Error() string {
	return "circular placeholder reference ${" + e.name + "}: its value leads back to itself"
}

type expansionError struct{}

func (e *expansionError) Error() string {
	return fmt.Sprintf("placeholders expand to more than %d bytes", maxExpansion)
}

// resolver replaces placeholders using lookup.
type resolver struct {
	syntax             placeholderSyntax
	lookup             func(name string) (string, bool)
	ignoreUnresolvable bool // leave unresolvable placeholders as written
	budget             int
}

// resolve returns s with every placeholder replaced. The error is an
// *unresolvedError, *circularError or *expansionError.
func (r *resolver) resolve(s string) (string, error) {
	if !strings.Contains(s, r.syntax.prefix) {
		return s, nil
	}
	r.budget = maxExpansion
	return r.parse(s, map[string]bool{})
}

func (r *resolver) parse(s string, visiting map[string]bool) (string, error) {
	syn := r.syntax
	start := strings.Index(s, syn.prefix)
	if start < 0 {
		return s, nil
	}
	var out strings.Builder
	for start >= 0 {
		end := syn.findEnd(s, start)
		if end < 0 {
			break
		}
		raw := s[start+len(syn.prefix) : end]
		if visiting[raw] {
			return "", &circularError{name: raw}
		}
		visiting[raw] = true
		name, err := r.parse(raw, visiting)
		if err != nil {
			return "", err
		}
		value, ok := r.lookup(name)
		if !ok && syn.separator != "" {
			if i := strings.Index(name, syn.separator); i >= 0 {
				value, ok = r.lookup(name[:i])
				if !ok {
					value, ok = name[i+len(syn.separator):], true
				}
			}
		}
		next := end + len(syn.suffix)
		before := out.Len()
		switch {
		case ok:
			if value, err = r.parse(value, visiting); err != nil {
				return "", err
			}
			out.WriteString(s[:start])
			out.WriteString(value)
		case r.ignoreUnresolvable:
			out.WriteString(s[:next])
		default:
			return "", &unresolvedError{name: name}
		}
		delete(visiting, raw)
		if r.budget -= out.Len() - before; r.budget < 0 {
			return "", &expansionError{}
		}
		s = s[next:]
		start = strings.Index(s, syn.prefix)
	}
	out.WriteString(s)
	return out.String(), nil
}
