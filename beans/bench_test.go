package beans

import (
	"path/filepath"
	"testing"
)

// BenchmarkLoadApplicationContext loads Hedwig's real
// applicationContext.xml with its default.properties.
func BenchmarkLoadApplicationContext(b *testing.B) {
	path := filepath.Join(fixtureConf, "applicationContext.xml")
	opts := testOpts()
	b.ReportAllocs()
	for b.Loop() {
		d, problems := Load(path, opts)
		if len(d.Beans) != 26 || problems.HasErrors() {
			b.Fatalf("%d beans, %v", len(d.Beans), problems.Err())
		}
	}
}
