package james

import (
	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
)

// Check loads the key material and TLS policy of every enabled server
// that offers TLS, the way hedwig will at start, and returns what it
// found: a keystore that is missing, has another password or holds an
// expired certificate is reported at the server's <tls> line.
func Check(cfg *Config) *diag.List {
	l := &diag.List{}
	for i := range cfg.Servers {
		s := &cfg.Servers[i]
		if !s.Enabled || s.TLSMode == TLSNone || !s.TLS.HasKeyMaterial() {
			continue
		}
		_, problems := security.LoadKeyMaterial(s.TLS)
		l.Merge(problems)
		_, problems = security.NewPolicy(s.TLS)
		l.Merge(problems)
	}
	return l
}
