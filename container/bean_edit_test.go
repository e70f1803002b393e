package container

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An edit of Hedwig's own applicationContext.xml that checks out is written,
// with the old file kept as .bak, and only the edited attribute changes.
func TestEditBeanSavesACheckedChange(t *testing.T) {
	home := hedwigHome(t, map[string][][2]string{"default.properties": sqliteProps})
	c := load(t, home, Options{})
	if c.Problems.HasErrors() {
		t.Fatalf("errors before the edit:\n%s", report(c))
	}
	path := filepath.Join(home, "conf", "applicationContext.xml")
	before, _ := os.ReadFile(path)

	res, err := editBean(c.Defs, Options{Env: c.env.opts.Env}, "imap.server", map[string]string{"port": "1143"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Saved || !res.Restart || res.Backup != path+".bak" {
		t.Fatalf("result %+v", res)
	}
	after, _ := os.ReadFile(path)
	if bak, _ := os.ReadFile(res.Backup); !bytes.Equal(bak, before) {
		t.Fatal("backup differs from the previous file")
	}
	// The rest of the file is as the administrator wrote it: comments,
	// commented-out beans, Windows line ends.
	if !bytes.Contains(after, []byte(`<property name="port" value="1143"`)) ||
		!bytes.Contains(after, []byte("<!-- Use the following to enable SSL/TLS for IMAP -->")) ||
		bytes.Count(after, []byte("\r\n")) < bytes.Count(before, []byte("\r\n"))-2 {
		t.Fatalf("edited file:\n%s", after)
	}
	if diff := lineDiff(before, after); diff != 1 {
		t.Fatalf("%d lines changed, want 1", diff)
	}
	c2 := load(t, home, Options{})
	for _, s := range c2.Servers() {
		if s.ID == "imap.server" && s.Addr != ":1143" {
			t.Fatalf("imap.server after the edit: %s", s.Addr)
		}
	}
}

// An edit that breaks the configuration is refused with the problem at its
// file and line, and the file is left alone.
func TestEditBeanRefusesABrokenChange(t *testing.T) {
	home := hedwigHome(t, map[string][][2]string{"default.properties": sqliteProps})
	c := load(t, home, Options{})
	path := filepath.Join(home, "conf", "applicationContext.xml")
	before, _ := os.ReadFile(path)

	res, err := editBean(c.Defs, Options{Env: c.env.opts.Env}, "imap.server", map[string]string{"port": "imap"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Saved || len(res.Problems) == 0 || res.Problems[0].Severity != "error" ||
		!strings.Contains(res.Problems[0].Where, "applicationContext.xml:106") {
		t.Fatalf("result %+v", res)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("refused edit changed the file")
	}
	if _, err := os.Stat(path + ".bak"); !os.IsNotExist(err) {
		t.Fatal("refused edit left a backup")
	}

	// Shapes the editor does not change: a ref, a missing property, an
	// unknown bean.
	for _, tc := range []struct {
		bean  string
		props map[string]string
		want  string
	}{
		{"smtp.server", map[string]string{"taskExecutor": "x"}, "not a literal"},
		{"imap.server", map[string]string{"backlog": "5"}, "has no property"},
		{"nosuch.server", map[string]string{"port": "1"}, "no bean"},
	} {
		if _, err := editBean(c.Defs, Options{}, tc.bean, tc.props); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("edit %s %v: %v, want %q", tc.bean, tc.props, err, tc.want)
		}
	}
}

func lineDiff(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	if len(la) != len(lb) {
		return -1
	}
	n := 0
	for i := range la {
		if la[i] != lb[i] {
			n++
		}
	}
	return n
}

// FuzzSetBeanProperties: whatever the file, an edit that succeeds leaves
// well-formed XML in which the property reads back as the new value.
func FuzzSetBeanProperties(f *testing.F) {
	hedwig, _ := os.ReadFile(filepath.Join("testdata", "hedwig-0.7", "conf", "applicationContext.xml"))
	f.Add(hedwig, "imap.server", "port", "1143")
	f.Add([]byte(`<beans><bean id="a"><property name="p"><value>x</value></property></bean></beans>`), "a", "p", `<&"'>`)
	f.Add([]byte(`<beans><bean name="b c" class="X"><property name='p' value='1'/></bean></beans>`), "b", "p", "it's")
	f.Fuzz(func(t *testing.T, data []byte, id, name, value string) {
		out, err := setBeanProperties(data, id, map[string]string{name: value})
		if err != nil {
			return
		}
		spans, found, err := propertySpans(out, id)
		if err != nil || !found {
			t.Fatalf("edited XML no longer has bean %q: %v", id, err)
		}
		sp, ok := spans[name]
		if !ok || !sp.literal {
			t.Fatalf("property %q lost", name)
		}
		raw := string(out[sp.start:sp.end])
		var got struct {
			V string `xml:"v,attr"`
		}
		if err := xml.Unmarshal([]byte(`<x v="`+strings.ReplaceAll(raw, `"`, "&quot;")+`"/>`), &got); err != nil {
			t.Fatalf("value %q does not read back: %v", raw, err)
		}
		if got.V != value {
			t.Fatalf("value reads back as %q, want %q", got.V, value)
		}
	})
}
