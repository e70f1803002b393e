package security

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
)

// javaProtocol is a protocol name as Java spells it, as in a James
// <supportedProtocols> block.
type javaProtocol struct {
	name    string
	version uint16
}

var javaProtocols = []javaProtocol{
	{"TLSv1", tls.VersionTLS10},
	{"TLSv1.1", tls.VersionTLS11},
	{"TLSv1.2", tls.VersionTLS12},
	{"TLSv1.3", tls.VersionTLS13},
}

// SupportedProtocols returns the Java protocol names hedwig accepts.
func SupportedProtocols() []string {
	out := make([]string, len(javaProtocols))
	for i, p := range javaProtocols {
		out[i] = p.name
	}
	return out
}

// ProtocolName returns the Java name of a TLS version ("TLSv1.3").
func ProtocolName(v uint16) string {
	for _, p := range javaProtocols {
		if p.version == v {
			return p.name
		}
	}
	return fmt.Sprintf("0x%04x", v)
}

// parseProtocols maps Java protocol names to a version range. Go enables a
// contiguous range; a gap in the list is reported in notes.
func parseProtocols(names []string) (minV, maxV uint16, notes []string, err error) {
	var unknown []string
	for _, raw := range names {
		name := strings.TrimSpace(raw)
		if name == "" {
			continue
		}
		i := slices.IndexFunc(javaProtocols, func(p javaProtocol) bool { return strings.EqualFold(p.name, name) })
		if i < 0 {
			unknown = append(unknown, name)
			continue
		}
		v := javaProtocols[i].version
		if minV == 0 || v < minV {
			minV = v
		}
		if v > maxV {
			maxV = v
		}
	}
	if len(unknown) > 0 {
		return 0, 0, nil, fmt.Errorf("protocol %s is unknown or not supported (SSLv2, SSLv3 and SSLv2Hello never are); supported: %s",
			quoteList(unknown), strings.Join(SupportedProtocols(), ", "))
	}
	if minV == 0 {
		return 0, 0, nil, nil
	}
	for _, p := range javaProtocols {
		if p.version > minV && p.version < maxV && !containsFold(names, p.name) {
			notes = append(notes, fmt.Sprintf("%s is enabled too: Go enables every version from %s to %s", p.name, ProtocolName(minV), ProtocolName(maxV)))
		}
	}
	return minV, maxV, notes, nil
}

// defaultCipherSuites are the forward-secret AEAD suites for TLS 1.2;
// TLS 1.3's suites are all of that kind and always on.
var defaultCipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// SupportedCipherSuites returns the Java (IANA) names of every cipher
// suite Go implements, TLS 1.3 ones included.
func SupportedCipherSuites() []string {
	var out []string
	for _, c := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		out = append(out, c.Name)
	}
	return out
}

// signallingSuites are pseudo-suites Java lists that Go handles itself.
var signallingSuites = []string{"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV"}

// cipherSelection is the outcome of parsing a cipher-suite list.
type cipherSelection struct {
	tls12    []uint16 // suites for TLS 1.0-1.2
	tls13    []string // TLS 1.3 names listed (Go always enables all three)
	insecure []string // listed suites Go calls insecure
	ignored  []string // signalling pseudo-suites
}

// parseCipherSuites maps Java cipher-suite names (IANA names, or the old
// SSL_ aliases such as SSL_RSA_WITH_3DES_EDE_CBC_SHA) to Go's suites.
func parseCipherSuites(names []string) (cipherSelection, error) {
	var sel cipherSelection
	var unknown []string
	byName := map[string]*tls.CipherSuite{}
	insecure := map[string]bool{}
	for _, c := range tls.CipherSuites() {
		byName[c.Name] = c
	}
	for _, c := range tls.InsecureCipherSuites() {
		byName[c.Name] = c
		insecure[c.Name] = true
	}
	for _, raw := range names {
		name := strings.ToUpper(strings.TrimSpace(raw))
		if name == "" {
			continue
		}
		if slices.Contains(signallingSuites, name) {
			sel.ignored = append(sel.ignored, name)
			continue
		}
		if strings.HasPrefix(name, "SSL_") {
			name = "TLS_" + strings.TrimPrefix(name, "SSL_")
		}
		c, ok := byName[name]
		switch {
		case !ok:
			unknown = append(unknown, strings.TrimSpace(raw))
		case slices.Equal(c.SupportedVersions, []uint16{tls.VersionTLS13}):
			sel.tls13 = append(sel.tls13, c.Name)
		default:
			if !slices.Contains(sel.tls12, c.ID) {
				sel.tls12 = append(sel.tls12, c.ID)
			}
			if insecure[c.Name] {
				sel.insecure = append(sel.insecure, c.Name)
			}
		}
	}
	if len(unknown) > 0 {
		return sel, fmt.Errorf("cipher suite %s is unknown or not supported by Go (no DHE, CCM or anonymous suites); supported: %s",
			quoteList(unknown), strings.Join(SupportedCipherSuites(), ", "))
	}
	return sel, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), s) })
}
