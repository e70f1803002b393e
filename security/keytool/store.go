package keytool

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/hedwigmail/hedwig/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/security/javaks"
)

type entryKind int

const (
	keyEntry     entryKind = iota + 1 // keytool's PrivateKeyEntry
	trustedEntry                      // keytool's trustedCertEntry
)

func (k entryKind) String() string {
	if k == keyEntry {
		return "PrivateKeyEntry"
	}
	return "trustedCertEntry"
}

// entry is one alias of a keystore.
type entry struct {
	alias   string
	kind    entryKind
	created time.Time // zero when the format keeps no date (PKCS12, PEM)
	// chain is a key entry's certificate chain, leaf first, or the one
	// certificate of a trusted entry.
	chain []*x509.Certificate
	// key is the private key once unlocked; unlock decrypts it for
	// formats that protect each key with its own password.
	key    crypto.Signer
	unlock func(password string) (crypto.Signer, error)
	// keyPass protects the key when a JKS file is written.
	keyPass string
	// dirty marks an entry added or changed since the file was read.
	dirty bool
}

func (e *entry) cert() *x509.Certificate { return e.chain[0] }

// keystore is a keystore file: its entries in file order and what is
// needed to write it back.
type keystore struct {
	path   string
	format security.Format
	exists bool
	pass   string // the store password it was opened or created with
	// raw is the file as read: a JKS rewrite starts from it, so keys
	// that were not unlocked keep their protection.
	raw     []byte
	entries []*entry
	deleted []string // aliases removed since reading (JKS)
	keyPath string   // PEM: the private key file beside the certificate file
	// inlineKey is a PEM key found in the certificate file itself, kept
	// there when the file is rewritten.
	inlineKey []byte
	// declared notes a -storetype the content contradicted.
	declared string
}

// find returns the entry called alias (aliases compare without case, as
// in the JDK), or nil.
func (s *keystore) find(alias string) *entry {
	for _, e := range s.entries {
		if strings.EqualFold(e.alias, alias) {
			return e
		}
	}
	return nil
}

// put adds e, replacing an entry of the same alias.
func (s *keystore) put(e *entry) {
	e.dirty = true
	if e.created.IsZero() {
		e.created = time.Now()
	}
	for i, old := range s.entries {
		if strings.EqualFold(old.alias, e.alias) {
			e.alias = old.alias
			s.entries[i] = e
			return
		}
	}
	s.entries = append(s.entries, e)
}

func (s *keystore) remove(alias string) bool {
	for i, e := range s.entries {
		if strings.EqualFold(e.alias, alias) {
			s.entries = append(s.entries[:i], s.entries[i+1:]...)
			s.deleted = append(s.deleted, e.alias)
			return true
		}
	}
	return false
}

func (s *keystore) keyEntries() []*entry {
	var out []*entry
	for _, e := range s.entries {
		if e.kind == keyEntry {
			out = append(out, e)
		}
	}
	return out
}

// needsPassword says whether the format has a store password.
func (s *keystore) needsPassword() bool { return s.format != security.FormatPEM }

// normalizeAlias lower-cases a new alias, as the JDK does for JKS and
// PKCS12 alike.
func normalizeAlias(a string) string { return strings.ToLower(a) }

// parseStoreType reads -storetype. "" means: from the file or its name.
func parseStoreType(name, option string) (security.Format, error) {
	if name == "" {
		return security.FormatUnknown, nil
	}
	f, ok := security.ParseFormat(name)
	if !ok || f == security.FormatDER {
		return 0, usagef("-%s %s: unknown keystore type (JKS, PKCS12, PEM, JCEKS)", option, name)
	}
	return f, nil
}

// formatFromName guesses the type of a keystore to be created from its file
// name; PKCS12 otherwise, the JDK's default since Java 9.
func formatFromName(path string) security.Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jks":
		return security.FormatJKS
	case ".jceks":
		return security.FormatJCEKS
	case ".pem", ".crt", ".cer", ".cert", ".key":
		return security.FormatPEM
	}
	return security.FormatPKCS12
}

// locateStore finds out what path is: an existing keystore of a detected
// format, or a new one of the declared or guessed format. Nothing is
// decoded yet.
func locateStore(path, storetype, option string) (*keystore, error) {
	declared, err := parseStoreType(storetype, option)
	if err != nil {
		return nil, err
	}
	s := &keystore{path: path, format: declared}
	if declared == security.FormatPEM || (declared == security.FormatUnknown && formatFromName(path) == security.FormatPEM) {
		s.path, s.keyPath = pemPaths(path)
	}
	data, err := os.ReadFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if s.keyPath != "" {
			if _, kerr := os.Stat(s.keyPath); kerr == nil {
				s.exists = true // a key file without its certificate file
			}
		}
		if s.format == security.FormatUnknown {
			s.format = formatFromName(path)
		}
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("cannot read keystore %s: %w", s.path, err)
	}
	s.exists, s.raw = true, data
	detected := security.DetectFormat(data)
	switch detected {
	case security.FormatUnknown:
		return nil, fmt.Errorf("%s is not a keystore: its content is not JKS, JCEKS, PKCS12 or PEM", s.path)
	case security.FormatDER:
		return nil, fmt.Errorf("%s is a single DER certificate, not a keystore: use -printcert -file %s, or import it with -importcert", s.path, s.path)
	}
	if declared != security.FormatUnknown && declared != detected {
		// The JDK reads a PKCS12 file declared JKS too; follow the content.
		s.declared = storetype
	}
	if detected == security.FormatPEM && s.keyPath == "" {
		s.path, s.keyPath = pemPaths(path)
	}
	s.format = detected
	return s, nil
}

// decode reads the entries with the store password.
func (s *keystore) decode(pass string) error {
	s.pass = pass
	if !s.exists {
		return nil
	}
	var err error
	switch s.format {
	case security.FormatJKS, security.FormatJCEKS:
		err = s.decodeJava(pass)
	case security.FormatPKCS12:
		err = s.decodePKCS12(pass)
	case security.FormatPEM:
		err = s.decodePEM()
	}
	if err != nil {
		return describeOpenError(s.path, s.format, err)
	}
	return nil
}

// decodeJava reads JKS and JCEKS through package security, in file order
// and with the entries' creation dates.
func (s *keystore) decodeJava(pass string) error {
	ks, err := security.DecodeKeystore(s.raw, s.format, pass)
	if err != nil {
		return err
	}
	raw, err := javaks.Decode(s.raw)
	if err != nil {
		return err
	}
	keys := map[string]security.KeyEntry{}
	for _, k := range ks.Keys {
		keys[k.Alias] = k
	}
	for _, je := range raw.Entries {
		e := &entry{alias: je.Alias, created: je.Created, chain: je.Chain}
		switch je.Kind {
		case javaks.PrivateKeyEntry:
			k := keys[je.Alias]
			e.kind = keyEntry
			e.unlock = k.Decrypt
		case javaks.TrustedCertEntry:
			e.kind = trustedEntry
		default:
			continue
		}
		if len(e.chain) == 0 {
			return fmt.Errorf("alias %q has no certificate", je.Alias)
		}
		s.entries = append(s.entries, e)
	}
	return nil
}

// describeOpenError turns the reader's errors into keytool's messages.
func describeOpenError(path string, f security.Format, err error) error {
	var pe *security.PasswordError
	if errors.As(err, &pe) && pe.Store {
		if pe.Missing {
			return fmt.Errorf("keystore %s (%s) is password-protected: give -storepass", path, f)
		}
		return fmt.Errorf("keystore %s: keystore password was incorrect", path)
	}
	if f == security.FormatJCEKS {
		return fmt.Errorf("cannot read JCEKS keystore %s: %w", path, err)
	}
	return fmt.Errorf("cannot read keystore %s (%s): %w", path, f, err)
}

// save writes the keystore back in its format.
func (s *keystore) save() error {
	var err error
	switch s.format {
	case security.FormatJKS:
		err = s.saveJKS()
	case security.FormatPKCS12:
		err = s.savePKCS12()
	case security.FormatPEM:
		err = s.savePEM()
	case security.FormatJCEKS:
		return fmt.Errorf("hedwig keytool reads JCEKS but does not write it: convert %s with -importkeystore -srckeystore %s -srcstoretype JCEKS -destkeystore NEW.p12 -deststoretype PKCS12",
			s.path, s.path)
	default:
		return fmt.Errorf("cannot write keystore type %s", s.format)
	}
	if err != nil {
		return fmt.Errorf("write keystore %s: %w", s.path, err)
	}
	return nil
}

// writeFileAtomic writes a keytool output file (mode 0600) atomically.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, osFileMode)
}
