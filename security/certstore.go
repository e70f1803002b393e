package security

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hedwigmail/hedwig/diag"
)

// CertStore owns the server key material of a listener (or several
// listeners sharing it): one or more certificates, chosen by SNI, the first
// being the default. Reload swaps all of it atomically, so listeners whose
// tls.Config came from ServerConfig present the new certificates on their
// next handshake while open connections keep what they negotiated.
type CertStore struct {
	sources []Settings

	reloadMu sync.Mutex // one reload at a time
	current  atomic.Pointer[certSet]
	problems atomic.Pointer[[]*diag.Problem]
	// seen is the state of the files just before the latest load, the
	// watcher's baseline: a change made after it triggers a reload.
	seen atomic.Pointer[[]fileState]
}

// certSet is one generation of loaded material with its SNI index.
type certSet struct {
	all      []*KeyMaterial
	exact    map[string][]*KeyMaterial // "mail.example.com"
	wildcard map[string][]*KeyMaterial // "*.example.com" under "example.com"
}

// NewCertStore loads the key material of each source. The list holds
// every problem found; the store is nil when any source has an error.
func NewCertStore(sources ...Settings) (*CertStore, *diag.List) {
	if len(sources) == 0 {
		l := &diag.List{}
		l.Errorf(diag.Pos{}, "tls", "no key material configured")
		return nil, l
	}
	s := &CertStore{sources: append([]Settings(nil), sources...)}
	set, l := s.load()
	if set == nil {
		return nil, l
	}
	all := l.All()
	s.problems.Store(&all)
	s.current.Store(set)
	return s, l
}

func (s *CertStore) load() (*certSet, *diag.List) {
	states := statFiles(s.Files())
	s.seen.Store(&states)
	l := &diag.List{}
	var all []*KeyMaterial
	for _, src := range s.sources {
		m, ml := LoadKeyMaterial(src)
		l.Merge(ml)
		if m != nil {
			all = append(all, m)
		}
	}
	if l.HasErrors() {
		return nil, l
	}
	return newCertSet(all), l
}

// Reload re-reads every source. If any fails, the current material stays
// in use and the error says why; Problems reports the latest findings
// either way. Call it on SIGHUP; Watch calls it when files change.
func (s *CertStore) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	set, l := s.load()
	all := l.All()
	s.problems.Store(&all)
	if set == nil {
		return fmt.Errorf("key material not reloaded, the previous material stays in use: %w", l.Err())
	}
	s.current.Store(set)
	return nil
}

// Problems returns the findings of the latest load or reload attempt.
func (s *CertStore) Problems() []*diag.Problem {
	if p := s.problems.Load(); p != nil {
		return append([]*diag.Problem(nil), (*p)...)
	}
	return nil
}

// Materials returns the material in use, the default first.
func (s *CertStore) Materials() []*KeyMaterial {
	return append([]*KeyMaterial(nil), s.current.Load().all...)
}

// Summaries describes the material in use, the default first.
func (s *CertStore) Summaries() []Summary {
	var out []Summary
	for _, m := range s.current.Load().all {
		out = append(out, m.Summary())
	}
	return out
}

// Files lists every file the sources name, resolved, whether or not it
// loaded: the watcher's list.
func (s *CertStore) Files() []string {
	var out []string
	seen := map[string]bool{}
	for _, src := range s.sources {
		for _, ref := range []string{src.Keystore, src.Certificates, src.PrivateKey} {
			if ref == "" {
				continue
			}
			if p, err := src.Dirs.Resolve(ref); err == nil && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// GetCertificate picks the certificate for a handshake: one whose names
// match the SNI name exactly, else by wildcard, else the default; among
// candidates, the first the client can use (RSA or ECDSA).
func (s *CertStore) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	set := s.current.Load()
	if set == nil || len(set.all) == 0 {
		return nil, errors.New("no server certificate loaded")
	}
	candidates := set.all
	if name := strings.ToLower(strings.TrimSuffix(hello.ServerName, ".")); name != "" {
		if c := set.exact[name]; len(c) > 0 {
			candidates = c
		} else if _, parent, ok := strings.Cut(name, "."); ok && len(set.wildcard[parent]) > 0 {
			candidates = set.wildcard[parent]
		}
	}
	for _, m := range candidates {
		if hello.SupportsCertificate(&m.Certificate) == nil {
			return &m.Certificate, nil
		}
	}
	return &candidates[0].Certificate, nil
}

func newCertSet(all []*KeyMaterial) *certSet {
	set := &certSet{all: all, exact: map[string][]*KeyMaterial{}, wildcard: map[string][]*KeyMaterial{}}
	for _, m := range all {
		names := m.Leaf().DNSNames
		if len(names) == 0 && m.Leaf().Subject.CommonName != "" {
			names = []string{m.Leaf().Subject.CommonName} // legacy certificates without SANs
		}
		for _, n := range names {
			n = strings.ToLower(strings.TrimSuffix(n, "."))
			if parent, ok := strings.CutPrefix(n, "*."); ok {
				set.wildcard[parent] = append(set.wildcard[parent], m)
			} else {
				set.exact[n] = append(set.exact[n], m)
			}
		}
	}
	return set
}
