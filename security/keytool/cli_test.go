package keytool

import (
	"os"
	"testing"
)

// TestCLI runs Main on HEDWIG_KEYTOOL_ARGS; a manual aid.
func TestCLI(t *testing.T) {
	args := os.Getenv("KT_ARGS")
	if args == "" {
		t.Skip()
	}
	os.Exit(Main(splitArgs(args), os.Stdin, os.Stdout, os.Stderr))
}

func splitArgs(s string) []string {
	var out []string
	for _, f := range splitOn(s, '|') {
		out = append(out, f)
	}
	return out
}

func splitOn(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
