package conf

import (
	"crypto/tls"
	"strings"
)

// javaProtocols are the protocol names Java's SSLContext accepts.
var javaProtocols = []string{"SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

func (l *loader) loadTLS(c *Config) {
	t := &c.TLS
	t.Keystore = l.path("tls_keystore", "")
	t.Keypass = l.str("tls_keypass", "")
	t.Storepass = l.str("tls_storepass", "")

	t.KeystoreType = l.choice("tls_keystore_type", "", "JKS", "JCEKS", "PKCS12", "PEM")
	t.Certificate = l.path("tls_certificate", "")
	t.PrivateKey = l.path("tls_private_key", "")
	t.Protocols = l.protocols("tls_protocols")
	t.CipherSuites = l.cipherSuites("tls_cipher_suites")
	t.Truststore = l.path("tls_truststore", "")
	t.TruststoreType = l.choice("tls_truststore_type", "", "JKS", "JCEKS", "PKCS12", "PEM")
	t.TruststorePass = l.str("tls_truststore_pass", "")
	t.ClientAuth = l.choice("tls_client_auth", "none", "none", "want", "need")
	t.OCSP = l.bool("tls_ocsp", false)
	t.StrictPermissions = l.bool("tls_strict_permissions", false)
	t.SelfSigned = l.bool("tls_self_signed", false)

	if t.SelfSigned && (t.Certificate == "" || t.PrivateKey == "") {
		l.diags.Errorf(l.pos("tls_self_signed"), "tls_self_signed", "needs tls_certificate and tls_private_key: the paths to create the certificate and key at")
	}
	if t.PrivateKey != "" && t.Certificate == "" {
		l.diags.Errorf(l.pos("tls_private_key"), "tls_private_key", "set without tls_certificate; give the PEM certificate chain too")
	}
	if t.Certificate != "" && t.PrivateKey == "" {
		l.diags.Errorf(l.pos("tls_certificate"), "tls_certificate", "set without tls_private_key; give the PEM private key too")
	}
}

// protocols reads a comma list of Java protocol names, spelled as Java does.
func (l *loader) protocols(key string) []string {
	var out []string
	for _, p := range l.list(key, nil) {
		name := ""
		for _, j := range javaProtocols {
			if strings.EqualFold(p, j) {
				name = j
			}
		}
		if name == "" {
			l.diags.Errorf(l.pos(key), key, "%q is not a protocol name; use %s", p, strings.Join(javaProtocols, ", "))
			continue
		}
		out = append(out, name)
	}
	return out
}

// cipherSuites reads a comma list of cipher suite names. Names Go's TLS
// stack does not implement are kept but reported, since Java knows suites
// (and SSL_* aliases) that Go does not.
func (l *loader) cipherSuites(key string) []string {
	suites := l.list(key, nil)
	for _, s := range suites {
		if !goCipherSuite(s) {
			l.diags.Warnf(l.pos(key), key, "cipher suite %q is not implemented here and will be skipped", s)
		}
	}
	return suites
}

func goCipherSuite(name string) bool {
	for _, s := range tls.CipherSuites() {
		if s.Name == name {
			return true
		}
	}
	for _, s := range tls.InsecureCipherSuites() {
		if s.Name == name {
			return true
		}
	}
	return false
}
