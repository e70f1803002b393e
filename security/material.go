package security

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// KeyMaterial is one server certificate chain with its private key,
// loaded and checked, ready for crypto/tls.
type KeyMaterial struct {
	// Certificate is what the server presents: the chain leaf first, with
	// Leaf set.
	Certificate tls.Certificate
	Format      Format
	// Source says where the material came from: the keystore path, or the
	// certificate and key paths.
	Source string
	Alias  string
	// Encryption is how the private key was protected on disk ("" if not).
	Encryption string

	files   []string // every file read, for the watcher
	keyFile string   // the file holding the private key
}

// Leaf returns the server's own certificate.
func (m *KeyMaterial) Leaf() *x509.Certificate { return m.Certificate.Leaf }

// Files returns the files the material was read from.
func (m *KeyMaterial) Files() []string { return append([]string(nil), m.files...) }

// LoadKeyMaterial reads the key material s names (a keystore, or PEM
// certificates and key), checks it, and reports every finding in the
// returned list: errors (the material is then nil), warnings (expired
// certificate, names not matching s.Hostname, unverifiable chain, key file
// readable by others) and notes. It never panics on bad input.
func LoadKeyMaterial(s Settings) (*KeyMaterial, *diag.List) {
	ld := &loader{s: &s, n: s.names(), l: &diag.List{}}
	var m *KeyMaterial
	switch {
	case s.Keystore != "":
		m = ld.fromKeystore()
	case s.Certificates != "" || s.PrivateKey != "":
		m = ld.fromPEM()
	default:
		ld.l.Errorf(s.Origin, ld.n.Keystore, "no key material configured: set %s, or %s and %s",
			ld.n.Keystore, ld.n.PrivateKey, ld.n.Certificates)
	}
	if m == nil {
		return nil, ld.l
	}
	checkMaterial(m, &s, ld.l, time.Now())
	if ld.l.HasErrors() {
		return nil, ld.l
	}
	return m, ld.l
}

// loader carries one LoadKeyMaterial call's settings and findings.
type loader struct {
	s *Settings
	n SettingNames
	l *diag.List
}

// read resolves and reads a file setting, reporting why it cannot.
func (ld *loader) read(name, ref string) (string, []byte, bool) {
	path, err := ld.s.Dirs.Resolve(ref)
	if err != nil {
		ld.l.Errorf(ld.s.Origin, name, "%q is not a usable path: %v", ref, err)
		return "", nil, false
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ld.l.Errorf(ld.s.Origin, name, "%s does not exist (%q): check the path; relative names are resolved against %s",
			path, ref, ld.baseFor(ref))
	case errors.Is(err, fs.ErrPermission):
		ld.l.Errorf(ld.s.Origin, name, "cannot read %s: permission denied: make it readable by the user hedwig runs as", path)
	case err != nil:
		ld.l.Errorf(ld.s.Origin, name, "cannot read %s: %v", path, err)
	case len(data) == 0:
		ld.l.Errorf(ld.s.Origin, name, "%s is empty", path)
	default:
		return path, data, true
	}
	return path, nil, false
}

func (ld *loader) baseFor(ref string) string {
	d := ld.s.Dirs
	switch {
	case strings.HasPrefix(ref, "file://conf/"), strings.HasPrefix(ref, "classpath:"):
		return "the conf directory " + orDot(d.Conf)
	case strings.HasPrefix(ref, "file://var/"):
		return "the var directory " + orDot(d.Var)
	}
	return "the working directory " + orDot(d.Work)
}

func orDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

// storePassName is the setting an administrator should set to give the
// store password: the source's own name for it.
func (ld *loader) storePassName() string {
	if ld.s.Names.StorePass == "" && ld.s.Names.Secret != "" {
		return ld.n.Secret
	}
	return ld.n.StorePass
}

func (ld *loader) keyPassName() string {
	if ld.s.Names.KeyPass == "" && ld.s.Names.Secret != "" {
		return ld.n.Secret
	}
	return ld.n.KeyPass
}

// passwordPair is one assignment of the configured passwords.
type passwordPair struct{ store, key string }

// passwordAttempts lists the assignments to try: as configured, then
// swapped, because Hedwig 0.7 opened the store with tls_keypass and the key
// with tls_storepass while its documentation said the opposite. With no
// store or key password, Secret is both (James's single <secret>).
func (ld *loader) passwordAttempts() []passwordPair {
	store, key := ld.s.StorePass, ld.s.KeyPass
	if store == "" && key == "" {
		store, key = ld.s.Secret, ld.s.Secret
	}
	if key == "" {
		key = store // keytool's default: the key password is the store password
	}
	if store == "" {
		store = key
	}
	attempts := []passwordPair{{store, key}}
	if store != key {
		attempts = append(attempts, passwordPair{key, store})
	}
	return attempts
}

func (ld *loader) fromKeystore() *KeyMaterial {
	s, n := ld.s, ld.n
	path, data, ok := ld.read(n.Keystore, s.Keystore)
	if !ok {
		return nil
	}
	format := DetectFormat(data)
	ld.compareDeclaredType(path, format)
	switch format {
	case FormatUnknown:
		ld.l.Errorf(s.Origin, n.Keystore, "%s is not a keystore hedwig can read: its content is not JKS, JCEKS, PKCS#12 or PEM", path)
		return nil
	case FormatDER:
		ld.l.Errorf(s.Origin, n.Keystore, "%s is a single DER certificate without a private key: use a keystore, or PEM %s and %s",
			path, n.Certificates, n.PrivateKey)
		return nil
	case FormatPEM:
		// A PEM file holding both the chain and the key, as stunnel uses.
		return ld.fromPEMFiles(path, data, path, data, n.Keystore, n.Keystore)
	}

	var failure error
	for i, pw := range ld.passwordAttempts() {
		ks, err := DecodeKeystore(data, format, pw.store)
		if err != nil {
			if failure == nil || !isKeyPasswordError(failure) {
				failure = err
			}
			continue
		}
		switch len(ks.Keys) {
		case 0:
			ld.reportNoKey(path, ks)
			return nil
		case 1:
		default:
			ld.l.Errorf(s.Origin, n.Keystore, "keystore %s: %v: delete the others with `keytool -delete -alias NAME -keystore %s`",
				path, &MultipleKeysError{Aliases: ks.keyAliases()}, path)
			return nil
		}
		entry := ks.Keys[0]
		key, err := entry.Decrypt(pw.key)
		if err != nil {
			failure = err
			continue
		}
		if i == 1 {
			ld.l.Infof(s.Origin, n.KeyPass, "keystore %s opened with the store and key passwords swapped (%s opened the store); accepted, as Hedwig 0.7 did",
				path, n.KeyPass)
		}
		return ld.material(format, path, entry, key, []string{path}, path)
	}
	ld.reportKeystoreFailure(path, format, failure)
	return nil
}

func isKeyPasswordError(err error) bool {
	var pe *PasswordError
	return errors.As(err, &pe) && !pe.Store
}

// compareDeclaredType notes a declared keystore type that the content
// contradicts. The JDK reads a PKCS12 file declared JKS, and James's own
// test keystore.jks is PKCS12, so this is never a refusal.
func (ld *loader) compareDeclaredType(path string, detected Format) {
	if ld.s.KeystoreType == "" {
		return
	}
	declared, known := ParseFormat(ld.s.KeystoreType)
	switch {
	case !known:
		ld.l.Warnf(ld.s.Origin, ld.n.KeystoreType, "keystore type %q is not one hedwig reads (JKS, JCEKS, PKCS12, PEM); the content of %s decides",
			ld.s.KeystoreType, path)
	case detected != FormatUnknown && declared != detected:
		ld.l.Infof(ld.s.Origin, ld.n.KeystoreType, "%s is declared %s but its content is %s; read as %s",
			path, ld.s.KeystoreType, detected, detected)
	}
}

func (ld *loader) reportNoKey(path string, ks *Keystore) {
	what := "nothing"
	if len(ks.Trusted) > 0 {
		var aliases []string
		for _, t := range ks.Trusted {
			aliases = append(aliases, t.Alias)
		}
		what = fmt.Sprintf("only trusted certificates (%s): it looks like a truststore", strings.Join(aliases, ", "))
	}
	ld.l.Errorf(ld.s.Origin, ld.n.Keystore, "keystore %s holds no private key, %s; point %s at the keystore with the server's key",
		path, what, ld.n.Keystore)
}

func (ld *loader) reportKeystoreFailure(path string, format Format, err error) {
	s, n := ld.s, ld.n
	var pe *PasswordError
	switch {
	case errors.As(err, &pe) && pe.Store && pe.Missing:
		ld.l.Errorf(s.Origin, ld.storePassName(), "keystore %s (%s) is password-protected and no password is configured: set %s",
			path, format, ld.storePassName())
	case errors.As(err, &pe) && pe.Store:
		check := "its integrity check failed"
		if format == FormatPKCS12 {
			check = "its MAC check failed"
		}
		ld.l.Errorf(s.Origin, ld.storePassName(), "wrong password for keystore %s (%s: %s): set %s to the password the keystore was created with (keytool -storepass)",
			path, format, check, ld.storePassName())
	case errors.As(err, &pe) && pe.Missing:
		ld.l.Errorf(s.Origin, ld.keyPassName(), "keystore %s: the key of alias %q is encrypted and no key password is configured: set %s",
			path, pe.Alias, ld.keyPassName())
	case errors.As(err, &pe):
		ld.l.Errorf(s.Origin, ld.keyPassName(), "keystore %s opened, but the key password for alias %q is wrong: set %s to the key's password (keytool -keypass)",
			path, pe.Alias, ld.keyPassName())
	case format == FormatJCEKS:
		ld.l.Errorf(s.Origin, n.Keystore, "cannot read JCEKS keystore %s: %v; convert it to PKCS#12 with: %s",
			path, err, jceksConversion(path))
	default:
		ld.l.Errorf(s.Origin, n.Keystore, "cannot read keystore %s (%s): %v", path, format, err)
	}
}

// jceksConversion is the keytool command that turns a JCEKS keystore into
// PKCS#12 next to it.
func jceksConversion(path string) string {
	dest := strings.TrimSuffix(path, ".jceks")
	if dest == path {
		dest = path + "-converted"
	}
	return fmt.Sprintf("keytool -importkeystore -srckeystore %s -srcstoretype JCEKS -destkeystore %s.p12 -deststoretype pkcs12", path, dest)
}

// material assembles the KeyMaterial for key and entry's chain.
func (ld *loader) material(format Format, source string, entry KeyEntry, key crypto.Signer, files []string, keyFile string) *KeyMaterial {
	chain, _ := buildChain(key.Public(), entry.Chain)
	if chain == nil {
		ld.l.Errorf(ld.s.Origin, ld.n.Keystore, "%s: the private key of alias %q does not match its certificate (%s)",
			source, entry.Alias, describeCerts(entry.Chain))
		return nil
	}
	m := &KeyMaterial{
		Format:     format,
		Source:     source,
		Alias:      entry.Alias,
		Encryption: entry.Encryption,
		files:      files,
		keyFile:    keyFile,
	}
	m.Certificate = tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		m.Certificate.Certificate = append(m.Certificate.Certificate, c.Raw)
	}
	return m
}

func describeCerts(certs []*x509.Certificate) string {
	if len(certs) == 0 {
		return "no certificate"
	}
	return fmt.Sprintf("%d certificate(s), the first for %q", len(certs), certs[0].Subject.String())
}
