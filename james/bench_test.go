package james

import "testing"

// BenchmarkLoad reads James 3.9's whole sample conf/ directory.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, l := Load(confDir); l.HasErrors() {
			b.Fatal(l.Err())
		}
	}
}

// BenchmarkParseSize parses one maxmessagesize value.
func BenchmarkParseSize(b *testing.B) {
	for b.Loop() {
		if _, err := ParseSize("10M", 'K'); err != nil {
			b.Fatal(err)
		}
	}
}
