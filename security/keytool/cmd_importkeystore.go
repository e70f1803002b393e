package keytool

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/hedwigmail/hedwig/security"
)

// cmdImportKeystore is -importkeystore (also -convert): copies every entry,
// or -srcalias, from -srckeystore to -destkeystore, converting between
// JKS, JCEKS (source only), PKCS12 and PEM. Keys are decrypted with
// -srckeypass or the source store password (asked for when neither
// works) and protected anew in the destination.
func cmdImportKeystore(r *run) error {
	o := r.opts
	if o.has("destalias") && !o.has("srcalias") {
		return usagef("-destalias needs -srcalias")
	}
	if o.get("destkeystore") == "" {
		return usagef("-destkeystore is required")
	}
	if samePath(o.get("srckeystore"), o.get("destkeystore")) {
		return usagef("-srckeystore and -destkeystore are the same file")
	}
	src, err := r.openStoreOptions("srckeystore", "srcstoretype", "srcstorepass", "source keystore", false)
	if err != nil {
		return err
	}
	dst, err := r.openStoreOptions("destkeystore", "deststoretype", "deststorepass", "destination keystore", true)
	if err != nil {
		return err
	}
	if dst.format == security.FormatJCEKS {
		return usagef("hedwig keytool does not write JCEKS: choose -deststoretype PKCS12 or JKS")
	}
	if dst.needsPassword() && dst.pass == "" {
		return fmt.Errorf("the destination keystore password is required to change %s", dst.path)
	}

	entries := src.entries
	if a := o.get("srcalias"); a != "" {
		e := src.find(a)
		if e == nil {
			return fmt.Errorf("alias <%s> does not exist in %s", a, src.path)
		}
		entries = []*entry{e}
	}
	if dst.format == security.FormatPEM {
		if n := countKeys(entries) + len(dst.keyEntries()); n > 1 {
			return fmt.Errorf("a PEM pair holds one private key, and this would make %d: choose one with -srcalias", n)
		}
	}
	r.notef("Importing keystore %s to %s...", src.path, dst.path)
	imported, failed := 0, 0
	for _, e := range entries {
		ok, err := r.importEntry(src, dst, e)
		if err != nil {
			return err
		}
		if ok {
			imported++
		} else {
			failed++
		}
	}
	if imported > 0 {
		if err := dst.save(); err != nil {
			return err
		}
	}
	r.notef("Import command completed:  %d entries successfully imported, %d entries failed or cancelled", imported, failed)
	if failed > 0 {
		return errors.New("some entries were not imported")
	}
	if dst.format == security.FormatPEM && countKeys(entries) > 0 {
		r.notef("Certificate chain stored in <%s>, private key in <%s> (unencrypted, mode 0600)", dst.path, dst.keyPath)
	}
	return nil
}

// importEntry copies e into dst; false means it was skipped.
func (r *run) importEntry(src, dst *keystore, e *entry) (bool, error) {
	alias := e.alias
	if a := r.opts.get("destalias"); a != "" {
		alias = normalizeAlias(a)
	}
	if dst.format == security.FormatPEM && e.kind == keyEntry {
		alias = pemAlias(dst.keyPath)
	}
	if old := dst.find(alias); old != nil {
		ok, err := r.console.yes(fmt.Sprintf("Existing entry alias %s exists, overwrite? [no]:  ", alias))
		if err != nil {
			return false, err
		}
		if !ok {
			r.notef("Entry for alias %s not imported.", e.alias)
			return false, nil
		}
		dst.remove(alias)
	}
	n := &entry{alias: alias, kind: e.kind, created: e.created, chain: e.chain}
	if e.kind == keyEntry {
		if err := r.unlockKey(src, e, "srckeypass"); err != nil {
			return false, err
		}
		n.key = e.key
		n.keyPass = dst.pass
		if dst.format == security.FormatJKS {
			if kp, ok := r.opts.password("destkeypass"); ok {
				n.keyPass = kp
			}
		} else if r.opts.has("destkeypass") {
			pw, _ := r.opts.password("destkeypass")
			if pw != dst.pass {
				r.notef("Warning:  Different store and key passwords not supported for %s keystores. Ignoring user-specified -destkeypass value.", dst.format)
			}
		}
	}
	dst.put(n)
	r.notef("Entry for alias %s successfully imported.", e.alias)
	return true, nil
}

func countKeys(entries []*entry) int {
	n := 0
	for _, e := range entries {
		if e.kind == keyEntry {
			n++
		}
	}
	return n
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
