package container

import (
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/hedwigmail/hedwig/james"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/security"
)

// jamesFiles are the files that make a path a James 3 configuration.
var jamesFiles = []string{"smtpserver.xml", "imapserver.xml", "pop3server.xml", "lmtpserver.xml"}

// JamesConfDir reports whether path is a James 3 conf/ directory (or one of
// its server files), and returns the directory.
func JamesConfDir(path string) (string, bool) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		for _, f := range jamesFiles {
			if _, err := os.Stat(filepath.Join(path, f)); err == nil {
				return path, true
			}
		}
		return "", false
	}
	for _, f := range jamesFiles {
		if filepath.Base(path) == f {
			return filepath.Dir(path), true
		}
	}
	return "", false
}

// CheckJames reads a James 3 conf/ directory the way `hedwig check` reads a
// Hedwig one: every enabled server becomes a row (one per bind address),
// and the key material of each TLS server is loaded, so that every problem
// James would have had — and those it would not have noticed — is listed
// with its file and line.
func CheckJames(confDir string, opts Options) *Container {
	c := &Container{File: confDir}
	cfg, probs := james.Load(confDir)
	c.Problems = probs
	if cfg == nil {
		return c
	}
	c.Problems.Merge(james.Check(cfg))
	for _, s := range cfg.Servers {
		if !s.Enabled {
			continue
		}
		var mat *TLSMaterial
		if s.TLSMode != james.TLSNone {
			mat = jamesMaterial(s.TLS)
		}
		for _, bind := range s.Binds {
			c.james = append(c.james, &Server{
				ID: s.Name, Protocol: s.Protocol, Addr: offsetAddr(bind, opts.PortOffset),
				TLSMode: jamesTLSMode(s.TLSMode), Executor: "(own)", TLS: mat,
			})
		}
	}
	return c
}

func jamesTLSMode(m james.TLSMode) listener.TLSMode {
	switch m {
	case james.TLSImplicit:
		return listener.Implicit
	case james.TLSStartTLS:
		return listener.StartTLS
	}
	return listener.NoTLS
}

// jamesMaterial summarises a server's key material for the report; its
// problems were already reported by james.Check.
func jamesMaterial(s security.Settings) *TLSMaterial {
	km, _ := security.LoadKeyMaterial(s)
	if km == nil {
		return &TLSMaterial{Subject: "(not loaded)", Expires: "-"}
	}
	sum := km.Summary()
	return &TLSMaterial{Subject: sum.Subject, Expires: sum.NotAfter.UTC().Format("2006-01-02"), Source: sum.Source}
}

func offsetAddr(bind string, offset int) string {
	host, port, err := net.SplitHostPort(bind)
	if err != nil || offset == 0 {
		return bind
	}
	n := 0
	for _, r := range port {
		if r < '0' || r > '9' {
			return bind
		}
		n = n*10 + int(r-'0')
	}
	if strings.TrimSpace(host) == "0.0.0.0" {
		host = ""
	}
	return net.JoinHostPort(host, itoa(n+offset))
}
