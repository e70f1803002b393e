package security

import (
	"crypto/tls"
	"crypto/x509"
	"slices"
	"strings"

	"github.com/hedwigmail/hedwig/diag"
)

// Policy is one listener's TLS policy: versions, cipher suites and client
// certificates. Build it with NewPolicy or DefaultPolicy.
type Policy struct {
	MinVersion, MaxVersion uint16
	// CipherSuites are the TLS 1.0-1.2 suites. TLS 1.3 always uses Go's
	// three suites (all forward-secret AEAD); they cannot be restricted.
	CipherSuites []uint16
	ClientAuth   ClientAuthMode
	// ClientCAs verify client certificates; nil means the system roots.
	ClientCAs *x509.CertPool
	// OCSP, when set, checks every client certificate for revocation and
	// refuses it unless a responder says it is good.
	OCSP *OCSPChecker
}

// DefaultPolicy is TLS 1.2 and 1.3 with forward-secret AEAD suites only
// (ECDHE with AES-GCM or ChaCha20-Poly1305), no client certificates.
func DefaultPolicy() *Policy {
	return &Policy{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: slices.Clone(defaultCipherSuites),
	}
}

// NewPolicy builds the policy s describes: protocols and cipher suites in
// Java's names (an unknown or unsupported name is an error listing the
// supported ones), client authentication with its truststore, OCSP. The
// policy is nil when the list has errors.
func NewPolicy(s Settings) (*Policy, *diag.List) {
	l := &diag.List{}
	n := s.names()
	p := DefaultPolicy()

	if len(s.Protocols) > 0 {
		minV, maxV, notes, err := parseProtocols(s.Protocols)
		switch {
		case err != nil:
			l.Errorf(s.Origin, n.Protocols, "%v", err)
		case minV != 0:
			p.MinVersion, p.MaxVersion = minV, maxV
			for _, note := range notes {
				l.Infof(s.Origin, n.Protocols, "%s", note)
			}
			if minV < tls.VersionTLS12 {
				l.Warnf(s.Origin, n.Protocols, "%s is enabled: TLS 1.0 and 1.1 are deprecated (RFC 8996); remove them unless very old clients need them",
					ProtocolName(minV))
			}
		}
	}
	if len(s.CipherSuites) > 0 {
		applyCipherSuites(p, s, n, l)
	}
	applyClientAuth(p, s, n, l)
	if l.HasErrors() {
		return nil, l
	}
	return p, l
}

func applyCipherSuites(p *Policy, s Settings, n SettingNames, l *diag.List) {
	sel, err := parseCipherSuites(s.CipherSuites)
	if err != nil {
		l.Errorf(s.Origin, n.CipherSuites, "%v", err)
		return
	}
	for _, name := range sel.ignored {
		l.Infof(s.Origin, n.CipherSuites, "%s is a signalling value, not a cipher suite; Go sends it itself when needed", name)
	}
	if len(sel.insecure) > 0 {
		l.Warnf(s.Origin, n.CipherSuites, "insecure cipher suites enabled (no forward secrecy, RC4, 3DES or CBC with SHA-256): %s",
			strings.Join(sel.insecure, ", "))
	}
	if len(sel.tls12) > 0 {
		p.CipherSuites = sel.tls12
	}
	tls13 := p.MaxVersion >= tls.VersionTLS13
	switch {
	case len(sel.tls12) == 0 && !tls13:
		l.Errorf(s.Origin, n.CipherSuites, "only TLS 1.3 cipher suites are listed but TLS 1.3 is not enabled (protocols end at %s): no cipher suite is left",
			ProtocolName(p.MaxVersion))
		return
	case len(sel.tls12) == 0 && p.MinVersion < tls.VersionTLS13:
		p.MinVersion = tls.VersionTLS13
		l.Infof(s.Origin, n.CipherSuites, "only TLS 1.3 cipher suites are listed: TLS 1.2 and older are switched off")
	case tls13 && len(sel.tls13) == 0:
		l.Infof(s.Origin, n.CipherSuites, "no TLS 1.3 suite is listed; TLS 1.3 stays on with its own suites (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256), which Go does not let a list restrict")
	case tls13 && len(sel.tls13) < 3:
		l.Infof(s.Origin, n.CipherSuites, "Go enables all three TLS 1.3 suites; listing %s does not switch the others off", strings.Join(sel.tls13, ", "))
	}
	if p.MinVersion <= tls.VersionTLS12 && !anySuiteFor(p) {
		msg := "none of the listed cipher suites works with " + ProtocolName(p.MinVersion) + " to " + ProtocolName(min(p.MaxVersion, tls.VersionTLS12))
		if tls13 {
			l.Warnf(s.Origin, n.CipherSuites, "%s: only TLS 1.3 clients can connect", msg)
		} else {
			l.Errorf(s.Origin, n.CipherSuites, "%s: no client could connect", msg)
		}
	}
}

// anySuiteFor reports whether some suite of p works with one of p's
// versions up to TLS 1.2.
func anySuiteFor(p *Policy) bool {
	all := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	for _, id := range p.CipherSuites {
		for _, c := range all {
			if c.ID != id {
				continue
			}
			for _, v := range c.SupportedVersions {
				if v >= p.MinVersion && v <= p.MaxVersion && v <= tls.VersionTLS12 {
					return true
				}
			}
		}
	}
	return false
}

func applyClientAuth(p *Policy, s Settings, n SettingNames, l *diag.List) {
	p.ClientAuth = s.ClientAuth
	if s.ClientAuth == ClientAuthNone {
		if s.Truststore != "" {
			l.Infof(s.Origin, n.Truststore, "a truststore is set but client certificates are not requested; it is not used")
		}
		if s.OCSP {
			l.Infof(s.Origin, n.OCSP, "OCSP checking applies to client certificates, which are not requested; it has no effect")
		}
		return
	}
	if s.Truststore == "" {
		l.Warnf(s.Origin, n.Truststore, "client certificates are verified against the system's CA certificates, so one from any public CA is accepted: set %s to the CA you trust",
			n.Truststore)
	} else if pool := loadTruststoreSetting(s, n, l); pool != nil {
		p.ClientCAs = pool
	}
	if s.OCSP {
		p.OCSP = NewOCSPChecker()
	}
}
