package conf

import (
	"os"
	"testing"
)

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if c, d := Load("testdata/default.properties", optHedwig); c == nil || d.HasErrors() {
			b.Fatal(d.Err())
		}
	}
}

func BenchmarkReadProperties(b *testing.B) {
	data, err := os.ReadFile("testdata/default.properties")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseProperties("default.properties", data, optHedwig); err != nil {
			b.Fatal(err)
		}
	}
}
