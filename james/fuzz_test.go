package james

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

// FuzzLoad feeds arbitrary bytes to Load as each configuration file: it
// must never panic, and every problem must name the file.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{confDir, tlsTests} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	// One directory per fuzzing process: inputs run one after another,
	// each overwriting the files.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"smtpserver.xml", "imapserver.xml", "domainlist.xml", "usersrepository.xml"} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cfg, l := Load(dir)
		if cfg == nil {
			t.Fatal("nil Config")
		}
		for _, p := range l.All() {
			if !strings.HasPrefix(p.Pos.File, dir) || p.Message == "" {
				t.Fatalf("problem without file or message: %#v", p)
			}
		}
		for _, s := range cfg.Servers {
			if s.Enabled && s.TLSMode != TLSNone && !l.HasErrors() && !s.TLS.HasKeyMaterial() {
				t.Fatalf("TLS server without key material and no error: %+v", s)
			}
			if s.TLSMode != TLSNone && s.TLS.HasKeyMaterial() && s.TLS.Origin == (diag.Pos{}) {
				t.Fatalf("TLS settings without origin: %+v", s)
			}
		}
	})
}
