package beans

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A location in a bean property resolves as the loader's own locations do.
func TestResourcePath(t *testing.T) {
	d := &Definitions{File: "/opt/hedwig/conf/applicationContext.xml", AppHome: "/opt/hedwig"}
	for loc, want := range map[string]string{
		"file:/opt/hedwig/conf/default.properties": "/opt/hedwig/conf/default.properties",
		"file:///etc/hedwig.properties":            "/etc/hedwig.properties",
		"file:conf/default.properties":             "/opt/hedwig/conf/default.properties",
		"classpath:default.properties":             "/opt/hedwig/conf/default.properties",
		"default.properties":                       "/opt/hedwig/conf/default.properties",
	} {
		got, err := d.ResourcePath(loc)
		if err != nil || got != filepath.FromSlash(want) {
			t.Errorf("%s: %q, %v; want %q", loc, got, err, want)
		}
	}
	if _, err := d.ResourcePath("http://example.com/x.properties"); err == nil {
		t.Error("an http: resource was accepted")
	}
}

// An overlay is read instead of the file on disk, for an imported file as
// for the root, so an edit can be checked before it is written.
func TestOverlayReplacesFiles(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "applicationContext.xml")
	imported := filepath.Join(dir, "more.xml")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(root, `<beans><import resource="more.xml"/><bean id="a" class="A"><property name="p" value="disk"/></bean></beans>`)
	write(imported, `<beans><bean id="b" class="B"/></beans>`)
	defs, probs := Load(root, Options{Overlay: map[string][]byte{
		imported: []byte(`<beans><bean id="b" class="B"><property name="q" value="overlay"/></bean></beans>`),
	}})
	if probs.HasErrors() {
		t.Fatal(probs.Err())
	}
	if v := defs.Bean("a").Property("p").Value.Text; v != "disk" {
		t.Errorf("root file: %q", v)
	}
	if p := defs.Bean("b").Property("q"); p == nil || p.Value.Text != "overlay" {
		t.Errorf("imported file not read from the overlay: %+v", defs.Bean("b"))
	}
	if data, _ := os.ReadFile(imported); !strings.Contains(string(data), `id="b" class="B"/>`) {
		t.Error("the file on disk changed")
	}
}
