package conf

import (
	"regexp"
	"strings"

	"github.com/hedwigmail/hedwig/diag"
)

// checkFile reports what is wrong with the file as a whole rather than with
// one typed value: keys set twice, unknown keys, Postfix-style references.
func checkFile(p *Properties, diags *diag.List) {
	if p.Encoding() != "UTF-8" {
		diags.Infof(diag.Pos{File: p.Path()}, "", "not valid UTF-8; read as ISO-8859-1, as Java does")
	}
	first := make(map[string]int)
	for _, e := range p.entries {
		if line, seen := first[e.key]; seen {
			diags.Warnf(diag.Pos{File: p.Path(), Line: e.line}, e.key,
				"set again (first on line %d); the last value counts, as in Java", line)
			continue
		}
		first[e.key] = e.line
		if !isKnownKey(e.key) {
			reportUnknownKey(p, e, diags)
		}
	}
	for _, key := range p.Keys() {
		checkDollarNames(p, key, diags)
	}
}

func reportUnknownKey(p *Properties, e *entry, diags *diag.List) {
	pos := diag.Pos{File: p.Path(), Line: e.line}
	if s := suggestKey(e.key); s != "" {
		diags.Warnf(pos, e.key, "unknown key, ignored (did you mean %s?)", s)
		return
	}
	diags.Warnf(pos, e.key, "unknown key, ignored by the server (applicationContext.xml may still use it as a ${...} placeholder)")
}

// dollarName matches a Postfix-style reference such as $myhostname.
var dollarName = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_.]*)`)

// checkDollarNames warns about "$myhostname" and "postmaster@mydomain":
// Postfix would substitute them, Hedwig used them literally (and so does
// hedwig), which is rarely what the administrator meant.
func checkDollarNames(p *Properties, key string, diags *diag.List) {
	if strings.Contains(key, "pass") {
		return // passwords are free text
	}
	v, _ := p.Get(key)
	for _, m := range dollarName.FindAllStringSubmatch(v, -1) {
		if isKnownKey(m[1]) {
			diags.Warnf(p.Pos(key), key, "%q is used literally: Hedwig never substituted Postfix-style $%s; write the value itself", v, m[1])
			return
		}
	}
	if key == "postmaster" {
		if i := strings.LastIndexByte(v, '@'); i >= 0 && (v[i+1:] == "mydomain" || v[i+1:] == "myhostname") {
			domain := v[i+1:]
			diags.Warnf(p.Pos(key), key, "%q is used literally: Hedwig does not put in %s here; write the real domain or just \"postmaster\"", v, domain)
		}
	}
}
