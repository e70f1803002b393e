package keytool

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/hedwigmail/hedwig/security"
)

// cmdImportCert is -importcert (-import). Onto an existing key entry it
// installs a CA's reply (the signed certificate, alone or with its chain);
// under a new alias it adds trusted certificates (a CA's root or chain).
func cmdImportCert(r *run) error {
	alias := normalizeAlias(r.opts.get("alias"))
	if alias == "" {
		alias = defaultAlias
	}
	st, err := r.openKeystore(true)
	if err != nil {
		return err
	}
	if st.needsPassword() && st.pass == "" {
		return fmt.Errorf("the keystore password is required to change %s", st.path)
	}
	certs, source, err := r.readCertificateFile(r.opts.get("file"))
	if err != nil {
		return err
	}
	e := st.find(alias)
	if e == nil && st.format == security.FormatPEM {
		// A PEM pair's key has no alias of its own: a certificate for it
		// is a reply whatever the alias.
		if keys := st.keyEntries(); len(keys) == 1 && matchingCert(keys[0].cert().PublicKey, certs) != nil {
			e = keys[0]
		}
	}
	switch {
	case e != nil && e.kind == keyEntry:
		return r.installReply(st, e, certs, source)
	case e != nil:
		return fmt.Errorf("certificate not imported, alias <%s> already exists", e.alias)
	}
	return r.importTrusted(st, alias, certs)
}

func matchingCert(pub crypto.PublicKey, certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if samePublicKey(pub, c.PublicKey) {
			return c
		}
	}
	return nil
}

// installReply replaces a key entry's chain with the CA's reply, after
// checking that the reply is for this key and that its chain leads to a
// certificate the keystore (or, with -trustcacerts, the system) trusts.
func (r *run) installReply(st *keystore, e *entry, reply []*x509.Certificate, source string) error {
	if st.format == security.FormatJKS {
		// keystore-go re-protects the key when the chain changes.
		if err := r.unlockKey(st, e, "keypass"); err != nil {
			return err
		}
	}
	pub := e.cert().PublicKey
	if e.key != nil {
		pub = e.key.Public()
	}
	leaf := matchingCert(pub, reply)
	if leaf == nil {
		return &keyMismatchError{source: source, alias: e.alias, subject: formatName(e.cert().RawSubject)}
	}
	if len(reply) == 1 && leaf.Equal(e.cert()) {
		return errors.New("certificate reply and certificate in keystore are identical")
	}
	var trusted []*x509.Certificate
	for _, t := range st.entries {
		if t.kind == trustedEntry {
			trusted = append(trusted, t.cert())
		}
	}
	if r.opts.has("trustcacerts") {
		roots, _ := systemRoots()
		trusted = append(trusted, roots...)
	}
	chain := chainFrom(leaf, append(append([]*x509.Certificate(nil), reply...), trusted...))
	anchored := false
	for _, c := range chain {
		if contains(trusted, c) {
			anchored = true
			break
		}
	}
	top := chain[len(chain)-1]
	if !anchored {
		if len(chain) == 1 && !isSelfSigned(leaf) {
			return fmt.Errorf("failed to establish chain from reply: the issuer %q of %s is not in the keystore; import the CA certificate first: hedwig keytool -importcert -alias root -file CA.crt -keystore %s",
				formatName(leaf.RawIssuer), source, st.path)
		}
		fmt.Fprintln(r.stderr, "\nTop-level certificate in reply:")
		fmt.Fprintln(r.stderr)
		printCertVerbose(r.stderr, top)
		fmt.Fprintln(r.stderr)
		ok, err := r.console.yes("... is not trusted. Install reply anyway? [no]:  ")
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("certificate reply was not installed in keystore")
		}
	}
	e.chain = chain
	e.dirty = true
	if err := st.save(); err != nil {
		return err
	}
	r.notef("Certificate reply was installed in keystore")
	return nil
}

// importTrusted adds the certificates of a file as trusted entries: the
// first under alias, any others under alias-2, alias-3... (the JDK takes
// only the first; a CA's "chain certificate" file holds several). A
// certificate the keystore already trusts is skipped.
func (r *run) importTrusted(st *keystore, alias string, certs []*x509.Certificate) error {
	var add []*x509.Certificate
	for _, c := range certs {
		if owner := st.trustedAliasOf(c); owner != "" {
			r.notef("Certificate %q already exists in keystore under alias <%s>; not added again.", formatName(c.RawSubject), owner)
			continue
		}
		if !contains(add, c) {
			add = append(add, c)
		}
	}
	if len(add) == 0 {
		return errors.New("certificate not imported: the keystore already trusts it")
	}
	for _, c := range add {
		printCertVerbose(r.stderr, c)
		fmt.Fprintln(r.stderr)
	}
	question := "Trust this certificate? [no]:  "
	if len(add) > 1 {
		question = fmt.Sprintf("Trust these %d certificates? [no]:  ", len(add))
	}
	ok, err := r.console.yes(question)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("certificate was not added to keystore")
	}
	used := map[string]bool{}
	for _, e := range st.entries {
		used[strings.ToLower(e.alias)] = true
	}
	var aliases []string
	for i, c := range add {
		a := alias
		if i > 0 {
			a = uniqueAlias(used, fmt.Sprintf("%s-%d", alias, i+1))
		}
		used[a] = true
		aliases = append(aliases, a)
		st.put(&entry{alias: a, kind: trustedEntry, chain: []*x509.Certificate{c}})
	}
	if err := st.save(); err != nil {
		return err
	}
	if len(aliases) == 1 {
		r.notef("Certificate was added to keystore")
	} else {
		r.notef("Certificates were added to keystore as <%s>", strings.Join(aliases, ">, <"))
	}
	return nil
}

// trustedAliasOf returns the alias of the trusted entry holding c, or "".
// In a PEM file the certificates of the key's chain are as trusted as any
// other the file holds.
func (s *keystore) trustedAliasOf(c *x509.Certificate) string {
	for _, e := range s.entries {
		if e.kind == trustedEntry && e.cert().Equal(c) {
			return e.alias
		}
		if e.kind == keyEntry && s.format == security.FormatPEM && contains(e.chain, c) {
			return e.alias
		}
	}
	return ""
}

// keyMismatchError is a reply for another key, in the JDK's words.
type keyMismatchError struct{ source, alias, subject string }

func (e *keyMismatchError) Error() string {
	return fmt.Sprintf("Public keys in reply and keystore don't match: %s does not certify the key of alias <%s> (%s)",
		e.source, e.alias, e.subject)
}
