package security

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hedwigmail/hedwig/diag"
)

// Settings describe one listener's TLS, whatever configuration format they
// came from (Hedwig's default.properties, a James <tls> block). The zero
// value means "no key material, default policy".
type Settings struct {
	// Keystore is a JKS, JCEKS, PKCS#12 or PEM file. Its format is detected
	// from its content; KeystoreType (Java names: JKS, PKCS12, ...) is only
	// compared with what was found. StorePass opens the file and KeyPass
	// the key; both are tried the other way round too, because Hedwig 0.7
	// swapped them. When both are empty, Secret serves as both (James).
	Keystore, KeystoreType string
	StorePass, KeyPass     string

	// Certificates and PrivateKey are PEM files, used when Keystore is
	// empty; either may hold both. Secret decrypts an encrypted key.
	Certificates, PrivateKey string
	Secret                   string

	// Protocols and CipherSuites use Java's names ("TLSv1.2",
	// "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"); empty means the default.
	Protocols, CipherSuites []string

	// ClientAuth asks for client certificates, verified against the
	// Truststore (JKS, PKCS#12 or PEM bundle; the system roots if empty).
	ClientAuth                                   ClientAuthMode
	Truststore, TruststoreType, TruststoreSecret string
	// OCSP checks client certificates for revocation; failure refuses.
	OCSP bool

	// Hostname is the name clients use (myhostname); the certificate is
	// checked against it when set.
	Hostname string
	// StrictPermissions turns "key file readable by others" into an error.
	StrictPermissions bool

	// Dirs resolve the path forms of the file settings.
	Dirs Dirs
	// Origin is where these settings were written, and Names how that
	// source spells each setting, so problems point at the right line and key.
	Origin diag.Pos
	Names  SettingNames
}

// SettingNames are the keys a configuration source uses for each setting,
// e.g. Keystore "tls_keystore" in default.properties or "keystore" in a
// James <tls> block. Empty fields fall back to neutral names.
type SettingNames struct {
	Keystore, KeystoreType, StorePass, KeyPass    string
	Certificates, PrivateKey, Secret              string
	Protocols, CipherSuites                       string
	ClientAuth, Truststore, TruststoreType        string
	TruststoreSecret, OCSP, Hostname, Permissions string
}

// names returns s.Names with every empty field set to its neutral name.
func (s *Settings) names() SettingNames {
	n := s.Names
	def := func(f *string, v string) {
		if *f == "" {
			*f = v
		}
	}
	def(&n.Keystore, "keystore")
	def(&n.KeystoreType, "keystoreType")
	def(&n.StorePass, "storepass")
	def(&n.KeyPass, "keypass")
	def(&n.Certificates, "certificates")
	def(&n.PrivateKey, "privateKey")
	def(&n.Secret, "secret")
	def(&n.Protocols, "protocols")
	def(&n.CipherSuites, "cipherSuites")
	def(&n.ClientAuth, "clientAuth")
	def(&n.Truststore, "truststore")
	def(&n.TruststoreType, "truststoreType")
	def(&n.TruststoreSecret, "truststoreSecret")
	def(&n.OCSP, "ocsp")
	def(&n.Hostname, "hostname")
	def(&n.Permissions, "strictPermissions")
	return n
}

// HasKeyMaterial reports whether s names any server key material.
func (s *Settings) HasKeyMaterial() bool {
	return s.Keystore != "" || s.Certificates != "" || s.PrivateKey != ""
}

// ClientAuthMode says whether a listener asks for client certificates.
type ClientAuthMode int

const (
	ClientAuthNone ClientAuthMode = iota // no certificate requested
	ClientAuthWant                       // requested, verified if sent
	ClientAuthNeed                       // required and verified
)

func (m ClientAuthMode) String() string {
	switch m {
	case ClientAuthWant:
		return "want"
	case ClientAuthNeed:
		return "need"
	}
	return "none"
}

// ParseClientAuthMode reads a client-auth setting: "none"/"false"/"no",
// "want"/"optional"/"request", or "need"/"required"/"require"/"true"/"yes".
func ParseClientAuthMode(s string) (ClientAuthMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "false", "no", "off":
		return ClientAuthNone, nil
	case "want", "optional", "request", "requested":
		return ClientAuthWant, nil
	case "need", "required", "require", "true", "yes", "on":
		return ClientAuthNeed, nil
	}
	return ClientAuthNone, fmt.Errorf("client auth mode %q is unknown: use none, want or need", s)
}

// Dirs are the directories file settings are resolved against.
type Dirs struct {
	Conf string // file://conf/X and classpath://X
	Var  string // file://var/X
	// Work resolves bare relative names, as the JVM's working directory
	// did; empty means the process's working directory.
	Work string
}

// Resolve turns a file setting into a path. It understands James's forms
// file://conf/X, file://var/X, file:///abs/X and classpath://X (James's
// classpath has no equivalent here: the conf directory stands in), and
// plain absolute or relative paths.
func (d Dirs) Resolve(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		return "", fmt.Errorf("empty path")
	case strings.HasPrefix(ref, "file://conf/"):
		return d.join(d.Conf, "conf", strings.TrimPrefix(ref, "file://conf/"))
	case strings.HasPrefix(ref, "file://var/"):
		return d.join(d.Var, "var", strings.TrimPrefix(ref, "file://var/"))
	case strings.HasPrefix(ref, "file:///"):
		return filepath.Clean(filepath.FromSlash(strings.TrimPrefix(ref, "file://"))), nil
	case strings.HasPrefix(ref, "classpath://"):
		return d.join(d.Conf, "conf", strings.TrimPrefix(ref, "classpath://"))
	case strings.HasPrefix(ref, "classpath:"):
		return d.join(d.Conf, "conf", strings.TrimPrefix(strings.TrimPrefix(ref, "classpath:"), "/"))
	case strings.HasPrefix(ref, "file://"):
		// file://X without conf/ or var/: relative to the working directory.
		return d.relative(strings.TrimPrefix(ref, "file://"))
	case strings.HasPrefix(ref, "file:"):
		return d.relative(strings.TrimPrefix(ref, "file:"))
	}
	return d.relative(ref)
}

func (d Dirs) join(base, what, rest string) (string, error) {
	if rest == "" {
		return "", fmt.Errorf("no file name after the %s directory", what)
	}
	if base == "" {
		base = what
	}
	return filepath.Join(base, filepath.FromSlash(rest)), nil
}

func (d Dirs) relative(p string) (string, error) {
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) || d.Work == "" {
		return filepath.Clean(p), nil
	}
	return filepath.Join(d.Work, p), nil
}
