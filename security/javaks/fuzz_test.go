package javaks

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds damaged keystores to the reader, the integrity check
// and key decryption: errors are fine, panics and runaway allocations are
// not (every length is checked against the bytes present).
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"../testdata/keystores/ec.jks", "../testdata/keystores/truststore.jks"} {
		if data, err := os.ReadFile(filepath.Clean(p)); err == nil {
			f.Add(data, "secret")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		ks, err := Decode(data)
		if err != nil {
			return
		}
		ks.Verify(password)
		for i := range ks.Entries {
			ks.Entries[i].DecryptKey(password)
		}
	})
}
