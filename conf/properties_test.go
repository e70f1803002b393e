package conf

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// writeFile writes content to a fresh file and returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readAll(t *testing.T, p *Properties) map[string]string {
	t.Helper()
	got := make(map[string]string)
	for _, k := range p.Keys() {
		v, ok := p.Get(k)
		if !ok {
			t.Fatalf("Keys lists %q but Get does not find it", k)
		}
		got[k] = v
	}
	return got
}

// TestReadPropertiesMatchesJava compares with what OpenJDK 17's
// java.util.Properties.load (and, for the encoding cases, Java 9+'s
// PropertyResourceBundle reading) returned for the same bytes.
func TestReadPropertiesMatchesJava(t *testing.T) {
	tests := []struct {
		name, in string
		java     map[string]string // nil: Java rejects the file
	}{
		{"equals", "a=b", map[string]string{"a": "b"}},
		{"equals with spaces", "a = b", map[string]string{"a": "b"}},
		{"colon", "a:b", map[string]string{"a": "b"}},
		{"colon with spaces", "a : b", map[string]string{"a": "b"}},
		{"space", "a b", map[string]string{"a": "b"}},
		{"tab", "a\tb", map[string]string{"a": "b"}},
		{"form feed", "a\fb", map[string]string{"a": "b"}},
		{"second separator is value", "a  =  = b", map[string]string{"a": "= b"}},
		{"equals in value", "a=b=c", map[string]string{"a": "b=c"}},
		{"colon in value", "a:b:c", map[string]string{"a": "b:c"}},
		{"escaped space in key", `a\ b=c`, map[string]string{"a b": "c"}},
		{"escaped equals in key", `a\=b=c`, map[string]string{"a=b": "c"}},
		{"escaped colon in key", `a\:b:c`, map[string]string{"a:b": "c"}},
		{"hash inside key", "a#b=c", map[string]string{"a#b": "c"}},
		{`\t`, `a=x\ty`, map[string]string{"a": "x\ty"}},
		{`\n`, `a=x\ny`, map[string]string{"a": "x\ny"}},
		{`\r`, `a=x\ry`, map[string]string{"a": "x\ry"}},
		{`\f`, `a=x\fy`, map[string]string{"a": "x\fy"}},
		{`\b is b`, `a=x\by`, map[string]string{"a": "xby"}},
		{`\q is q`, `a=x\qy`, map[string]string{"a": "xqy"}},
		{`\\`, `a=x\\y`, map[string]string{"a": `x\y`}},
		{"windows path, escaped", `d=${app.home}\\data`, map[string]string{"d": `${app.home}\data`}},
		{"drive path, escaped", `k=d:\\hedwig\\conf\\hedwig.jks`, map[string]string{"k": `d:\hedwig\conf\hedwig.jks`}},
		{"drive path, unescaped", `k=d:\hedwig\conf`, map[string]string{"k": "d:hedwigconf"}},
		{`\u0041`, `a=\u0041`, map[string]string{"a": "A"}},
		{`\u00e9`, `a=\u00e9`, map[string]string{"a": "é"}},
		{`\u00C9`, `a=\u00C9`, map[string]string{"a": "É"}},
		{"surrogate pair", `a=\uD83D\uDE00`, map[string]string{"a": "😀"}},
		{"escaped backslash before u", `a=\\uD83D`, map[string]string{"a": `\uD83D`}},
		{"escape makes separator part of key", `a\u003db=c`, map[string]string{"a=b": "c"}},
		{"short unicode escape", `a=\u00`, nil},
		{"non-hex unicode escape", `a=\uZZZZ`, nil},
		{"short unicode escape before newline", "a=\\u00\nb=c", nil},
		{"hash comment", "#x=y\na=b", map[string]string{"a": "b"}},
		{"bang comment", "!x=y\na=b", map[string]string{"a": "b"}},
		{"indented comments", "   # x=y\n\t! y\na=b", map[string]string{"a": "b"}},
		{"hash in value", "a=b # not comment", map[string]string{"a": "b # not comment"}},
		{"bang value", "a=!b", map[string]string{"a": "!b"}},
		{"continuation", "a=b\\\n   c", map[string]string{"a": "bc"}},
		{"continuation CRLF", "a=b\\\r\n  c", map[string]string{"a": "bc"}},
		{"continuation CR", "a=b\\\rc", map[string]string{"a": "bc"}},
		{"three lines", "a=1\\\n 2\\\n\t3\nb=4", map[string]string{"a": "123", "b": "4"}},
		{"even backslashes do not continue", "a=b\\\\\nc=d", map[string]string{"a": `b\`, "c": "d"}},
		{"continuation in key", "ke\\\n  y=v", map[string]string{"key": "v"}},
		{"continuation before separator", "a\\\n=b", map[string]string{"a": "b"}},
		{"continued line is not a comment", "a=b\\\n# c", map[string]string{"a": "b# c"}},
		{"comment does not continue", "#comment\\\na=b", map[string]string{"a": "b"}},
		{"comment does not continue CRLF", "# c\\\r\n  a=b\r\n", map[string]string{"a": "b"}},
		{"backslash at end of file", `a=b\`, map[string]string{"a": "b"}},
		{"continuation at end of file", "a=b\\\n", map[string]string{"a": "b"}},
		{"blank line ends continuation", "a=b\\\n\nc=d", map[string]string{"a": "b", "c": "d"}},
		{"whitespace line ends continuation", "a=b\\\n   \nc=d", map[string]string{"a": "b", "c": "d"}},
		{"two continuations", "a=b\\\n\\\nc=d", map[string]string{"a": "bc=d"}},
		{"escaped space after continuation", "a=\\\n   \\ x", map[string]string{"a": " x"}},
		{"lone backslash line joins the next", "   \\\n  k=v", map[string]string{"k": "v"}},
		{"lone backslash then comment", "\\\n#x=y", map[string]string{}},
		{"lone backslash at end", `\`, map[string]string{"": ""}},
		{"lone backslash newline at end", "\\\n", map[string]string{"": ""}},
		{"key with escaped backslash then continuation", "a\\\\\\\n b=c", map[string]string{`a\b`: "c"}},
		{"empty key equals", "=v", map[string]string{"": "v"}},
		{"empty key colon", ":v", map[string]string{"": "v"}},
		{"empty key indented", "  = v", map[string]string{"": "v"}},
		{"key only", "a", map[string]string{"a": ""}},
		{"key and spaces", "a   ", map[string]string{"a": ""}},
		{"empty value", "a=", map[string]string{"a": ""}},
		{"colon and spaces", "a :  ", map[string]string{"a": ""}},
		{"CRLF lines", "a=1\r\nb=2\r\n", map[string]string{"a": "1", "b": "2"}},
		{"CR lines", "a=1\rb=2\r", map[string]string{"a": "1", "b": "2"}},
		{"CR CR LF", "a=1\r\r\nb=2", map[string]string{"a": "1", "b": "2"}},
		{"continued CR then CRLF", "a=x\\\r\r\nb=2", map[string]string{"a": "x", "b": "2"}},
		{"indented keys", "   a=b\n\t\fc=d", map[string]string{"a": "b", "c": "d"}},
		{"last duplicate wins", "a=1\na=2", map[string]string{"a": "2"}},
		{"escaped leading spaces kept", `a=\  b`, map[string]string{"a": "  b"}},
		{"trailing spaces kept", "a=b  ", map[string]string{"a": "b  "}},
		{"postfix names literal", "h=$myhostname\np=postmaster@mydomain",
			map[string]string{"h": "$myhostname", "p": "postmaster@mydomain"}},
		// Encoding, as Java 9+ reads resources: UTF-8, else ISO-8859-1.
		{"UTF-8", "a=caf\xc3\xa9", map[string]string{"a": "café"}},
		{"ISO-8859-1", "a=caf\xe9s\nb=x", map[string]string{"a": "cafés", "b": "x"}},
		{"U+FEFF inside the file is part of a key", "a=1\n\xef\xbb\xbfb=2", map[string]string{"a": "1", "\uFEFFb": "2"}},
		{"invalid UTF-8 makes the whole file ISO-8859-1", "a=\xc3\xa9t\xe9\nb=x", map[string]string{"a": "Ã©té", "b": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadProperties(writeFile(t, "t.properties", tt.in), nil)
			if tt.java == nil {
				if err == nil {
					t.Fatalf("Java rejects %q, ReadProperties read %v", tt.in, readAll(t, p))
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadProperties(%q): %v", tt.in, err)
			}
			if got := readAll(t, p); !maps.Equal(got, tt.java) {
				t.Errorf("ReadProperties(%q) = %q, Java gives %q", tt.in, got, tt.java)
			}
		})
	}
}

// TestReadPropertiesDeliberateDifferences pins the two places where
// hedwig does not do what Java does, and why.
func TestReadPropertiesDeliberateDifferences(t *testing.T) {
	// Java keeps a byte-order mark as part of the first key ("\ufeffa").
	p, err := ReadProperties(writeFile(t, "bom.properties", "\xef\xbb\xbfa=b"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := p.Get("a"); !ok || v != "b" {
		t.Errorf("BOM file: Get(a) = %q, %v; want b", v, ok)
	}
	// Java keeps the unpaired surrogate; a Go string cannot.
	p, err = ReadProperties(writeFile(t, "lone.properties", `a=\uD83Dx`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Get("a"); v != "\uFFFDx" {
		t.Errorf("lone surrogate: got %q, want U+FFFD x", v)
	}
}

func TestReadPropertiesMalformedEscapeNamesLine(t *testing.T) {
	path := writeFile(t, "default.properties", "a=1\n# c\nb=\\\n  x\\u12\n")
	_, err := ReadProperties(path, nil)
	var p *diag.Problem
	if !errors.As(err, &p) {
		t.Fatalf("got %v, want a *diag.Problem", err)
	}
	if p.Pos.Line != 3 || p.Pos.File != path || !strings.Contains(p.Message, `\uxxxx`) {
		t.Errorf("got %q, want line 3 of %s about \\uxxxx", p.Error(), path)
	}
}

func TestReadPropertiesMissingFile(t *testing.T) {
	_, err := ReadProperties(filepath.Join(t.TempDir(), "nope.properties"), nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.properties") {
		t.Errorf("got %v, want a wrapped not-exist error naming the file", err)
	}
}

func TestLinesWithContinuations(t *testing.T) {
	in := "# header\r\n" + // 1
		"a=1\r\n" + // 2
		"b=one \\\r\n" + // 3
		"   two \\\r\n" + // 4
		"   three\r\n" + // 5
		"\r\n" + // 6
		"  c\\\r\n" + // 7
		"  d = 4\r\n" + // 8
		"# e=5 \\\r\n" + // 9
		"f=6\r\n" + // 10
		"a=7\r" + // 11 (CR only)
		"g=8\n" // 12
	p, err := ReadProperties(writeFile(t, "t.properties", in), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"a": 11, "b": 3, "cd": 7, "f": 10, "g": 12, "e": 0, "zzz": 0}
	for key, line := range want {
		if got := p.Line(key); got != line {
			t.Errorf("Line(%q) = %d, want %d", key, got, line)
		}
	}
	if v, _ := p.Get("b"); v != "one two three" {
		t.Errorf("b = %q", v)
	}
	if got := strings.Join(p.Keys(), " "); got != "a b cd f g" {
		t.Errorf("Keys() = %q, want file order a b cd f g", got)
	}
	if p.Pos("f") != (diag.Pos{File: p.Path(), Line: 10}) {
		t.Errorf("Pos(f) = %v", p.Pos("f"))
	}
}

func TestExpansionOfSystemProperties(t *testing.T) {
	sys := map[string]string{"app.home": "/opt/hedwig", "user.home": "/home/h"}
	in := `data_directory=${app.home}/data
both=${user.home}:${app.home}
unknown=${nope}/x and ${app.home}
unclosed=${app.home
nested=${${app.home}}
helo=$myhostname
literal=$app.home
`
	p, err := ReadProperties(writeFile(t, "t.properties", in), sys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"data_directory": "/opt/hedwig/data",
		"both":           "/home/h:/opt/hedwig",
		"unknown":        "${nope}/x and /opt/hedwig",
		"unclosed":       "${app.home",
		"nested":         "${${app.home}}", // Hedwig takes "${app.home" as the name
		"helo":           "$myhostname",
		"literal":        "$app.home",
	}
	if got := readAll(t, p); !maps.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if raw, _ := p.Raw("data_directory"); raw != "${app.home}/data" {
		t.Errorf("Raw = %q", raw)
	}
	if u := p.Unresolved("unknown"); len(u) != 1 || u[0] != "nope" {
		t.Errorf("Unresolved(unknown) = %q", u)
	}
	if u := p.Unresolved("data_directory"); u != nil {
		t.Errorf("Unresolved(data_directory) = %q", u)
	}
}

func TestEncodingReported(t *testing.T) {
	for in, want := range map[string]string{"a=caf\xc3\xa9": "UTF-8", "a=caf\xe9": "ISO-8859-1"} {
		p, err := ReadProperties(writeFile(t, "t.properties", in), nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Encoding() != want {
			t.Errorf("Encoding() = %s for %q, want %s", p.Encoding(), in, want)
		}
	}
}
