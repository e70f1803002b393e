package beans

import (
	"path/filepath"
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
