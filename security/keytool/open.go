package keytool

import (
	"errors"
	"fmt"

	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/security/keycrypt"
)

// openKeystore opens -keystore, asking for the store password when it is
// not on the command line. With create, a missing file is a new, empty
// keystore (its password is asked twice).
func (r *run) openKeystore(create bool) (*keystore, error) {
	return r.openStoreOptions("keystore", "storetype", "storepass", "keystore", create)
}

// openStoreOptions opens the keystore named by the option pathOpt, with
// typeOpt and passOpt; what names it in prompts ("keystore", "source
// keystore").
func (r *run) openStoreOptions(pathOpt, typeOpt, passOpt, what string, create bool) (*keystore, error) {
	path := r.opts.get(pathOpt)
	if path == "" {
		return nil, usagef("-%s is required", pathOpt)
	}
	st, err := locateStore(path, r.opts.get(typeOpt), typeOpt)
	if err != nil {
		return nil, err
	}
	if !st.exists && !create {
		return nil, fmt.Errorf("%s file does not exist: %s", what, path)
	}
	if st.declared != "" {
		r.notef("Note: %s is a %s keystore; it is read as %s, not as -%s %s.", st.path, st.format, st.format, typeOpt, st.declared)
	}
	pass, err := r.storePassword(st, passOpt, what)
	if err != nil {
		return nil, err
	}
	if err := st.decode(pass); err != nil {
		return nil, err
	}
	return st, nil
}

// storePassword returns the password option, or asks for it: once for an
// existing keystore, twice for a new one. PEM files have none.
func (r *run) storePassword(st *keystore, option, what string) (string, error) {
	pw, given := r.opts.password(option)
	if !st.needsPassword() {
		return pw, nil
	}
	if given {
		if !st.exists && len(pw) < minPasswordLen {
			return "", fmt.Errorf("%s password is too short - must be at least %d characters", capitalize(what), minPasswordLen)
		}
		return pw, nil
	}
	if !st.exists {
		return r.console.newPassword(what)
	}
	pw, err := r.console.password(fmt.Sprintf("Enter %s password:  ", what))
	if errors.Is(err, errNoAnswer) {
		return "", fmt.Errorf("%s %s is password-protected: give -%s (or type it on standard input)", what, st.path, option)
	}
	return pw, err
}

// unlockKey decrypts a key entry's key: with the key password option,
// then the store password (keytool's default key password), then by
// asking.
func (r *run) unlockKey(st *keystore, e *entry, keyPassOpt string) error {
	if e.key != nil {
		if e.keyPass == "" {
			e.keyPass = st.pass
		}
		return nil
	}
	if e.unlock == nil {
		return fmt.Errorf("alias <%s> has no private key", e.alias)
	}
	var tries []string
	if kp, ok := r.opts.password(keyPassOpt); ok {
		tries = append(tries, kp)
	}
	tries = append(tries, st.pass)
	for _, pw := range tries {
		ok, err := r.tryUnlock(st, e, pw)
		if ok || err != nil {
			return err
		}
	}
	if !r.console.noprompt {
		pw, err := r.console.password(fmt.Sprintf("Enter key password for <%s>: ", e.alias))
		if err == nil {
			ok, err := r.tryUnlock(st, e, pw)
			if ok || err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("cannot recover the key of alias <%s> in %s: the key password is wrong; give it with -%s", e.alias, st.path, keyPassOpt)
}

// tryUnlock reports whether pw opens e's key; a failure other than a
// wrong password is an error.
func (r *run) tryUnlock(st *keystore, e *entry, pw string) (bool, error) {
	key, err := e.unlock(pw)
	var pe *security.PasswordError
	if errors.As(err, &pe) || errors.Is(err, keycrypt.ErrWrongPassword) || errors.Is(err, keycrypt.ErrNoPassword) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("alias <%s> in %s: %w", e.alias, st.path, err)
	}
	if !samePublicKey(key.Public(), e.cert().PublicKey) {
		return false, fmt.Errorf("alias <%s> in %s: the private key does not match its certificate %q", e.alias, st.path, formatName(e.cert().RawSubject))
	}
	e.key, e.keyPass = key, pw
	return true, nil
}

// keyEntryFor returns the key entry called alias. A PEM pair has one key
// whose alias is only its file name, so any alias finds it.
func (st *keystore) keyEntryFor(alias string) (*entry, error) {
	e := st.find(alias)
	if e == nil && st.format == security.FormatPEM {
		if keys := st.keyEntries(); len(keys) == 1 {
			return keys[0], nil
		}
	}
	if e == nil {
		return nil, fmt.Errorf("alias <%s> does not exist", alias)
	}
	if e.kind != keyEntry {
		return nil, fmt.Errorf("alias <%s> has no private key: it is a trusted certificate entry", alias)
	}
	return e, nil
}
