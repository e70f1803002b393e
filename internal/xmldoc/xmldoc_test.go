package xmldoc

import (
	"errors"
	"testing"
)

func TestLines(t *testing.T) {
	data := []byte("<?xml version=\"1.0\"?>\r\n<beans>\r\n  <!-- c -->\r\n  <bean id=\"a\"\r\n        class=\"x\">\r\n    <value>\r\n      text</value>\r\n  </bean>\r\n</beans>\r\n")
	d, err := Parse("f.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	bean := d.Root.SelectElement("bean")
	value := bean.SelectElement("value")
	if d.Line(d.Root) != 2 || d.Line(bean) != 4 || d.Line(value) != 6 {
		t.Fatalf("lines root %d bean %d value %d, want 2 4 6", d.Line(d.Root), d.Line(bean), d.Line(value))
	}
	if got := d.Line(value.Child[0]); got != 7 {
		t.Fatalf("text line %d, want 7 (its first non-blank character)", got)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		data string
		line int
	}{
		{"<a>\n<b>\n</a>", 3},
		{"<a/>\n<a/>", 2},
		{"<a x=\"1\" x=\"2\"/>", 1},
		{"<a/>\ntext", 2},
		{"", 1},
	} {
		_, err := Parse("f.xml", []byte(c.data))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line != c.line {
			t.Errorf("%q: %v, want a syntax error at line %d", c.data, err, c.line)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("<beans><bean id=\"a\"/></beans>"))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("f", data)
		if err != nil {
			return
		}
		lines := 1
		for _, b := range data {
			if b == '\n' {
				lines++
			}
		}
		for _, e := range d.Root.FindElements("//*") {
			if l := d.Line(e); l < 1 || l > lines {
				t.Fatalf("element <%s> at line %d of %d", e.Tag, l, lines)
			}
		}
	})
}
