package keytool

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/security"
)

// defaultAlias is keytool's alias when -alias is not given.
const defaultAlias = "mykey"

// cmdGenKeyPair is -genkeypair (-genkey): a new key and a self-signed
// certificate, in a JKS, PKCS12 or PEM keystore.
func cmdGenKeyPair(r *run) error {
	o := r.opts
	spec, err := parseKeySpec(o.get("keyalg"), o.get("keysize"), o.get("groupname"))
	if err != nil {
		return err
	}
	validity := 90
	if v := o.get("validity"); v != "" {
		validity, err = strconv.Atoi(v)
		if err != nil || validity <= 0 || validity > 365*100 {
			return usagef("-validity %s: expected a number of days", v)
		}
	}
	ext, err := parseExtensions(o.all("ext"))
	if err != nil {
		return usagef("%v", err)
	}
	alias := normalizeAlias(o.get("alias"))
	if alias == "" {
		alias = defaultAlias
	}
	var subject pkix.RDNSequence
	if d := o.get("dname"); d != "" {
		if subject, err = parseDName(d); err != nil {
			return usagef("%v", err)
		}
	}

	st, err := r.openKeystore(true)
	if err != nil {
		return err
	}
	if st.format == security.FormatPEM {
		if len(st.keyEntries()) > 0 {
			return fmt.Errorf("key pair not generated: %s already has a private key (%s)", st.path, st.keyPath)
		}
		alias = pemAlias(st.keyPath)
	}
	if st.find(alias) != nil {
		return fmt.Errorf("key pair not generated, alias <%s> already exists", alias)
	}
	if subject == nil {
		if subject, err = r.askDName(); err != nil {
			return err
		}
	}
	subjectDER, err := asn1.Marshal(subject)
	if err != nil {
		return fmt.Errorf("-dname: %w", err)
	}
	keyPass, err := r.newKeyPassword(st, alias)
	if err != nil {
		return err
	}

	if !ext.sanSet {
		// Clients match the host name against the SAN and ignore the CN
		// when a SAN is present; Go and current browsers require one.
		if dns, ip := hostFromCN(subjectDER); dns != "" || ip != nil {
			if dns != "" {
				ext.dnsNames = []string{dns}
				r.notef("Note: adding SubjectAlternativeName DNS:%s from the CN (give -ext SAN=... to choose the names).", dns)
			} else {
				ext.ips = []net.IP{ip}
				r.notef("Note: adding SubjectAlternativeName IP:%s from the CN (give -ext SAN=... to choose the names).", ip)
			}
		}
	}

	key, err := spec.generate()
	if err != nil {
		return fmt.Errorf("generate %s key: %w", spec, err)
	}
	sigAlg, sigName, err := signatureAlgorithm(o.get("sigalg"), key.Public())
	if err != nil {
		return err
	}
	r.notef("Generating %s key pair and self-signed certificate (%s) with a validity of %d days\n\tfor: %s",
		spec, sigName, validity, formatName(subjectDER))
	cert, err := selfSign(key, certSpec{
		subject:  subjectDER,
		validity: time.Duration(validity) * 24 * time.Hour,
		sigAlg:   sigAlg,
		ext:      ext,
	})
	if err != nil {
		return fmt.Errorf("create certificate: %w", err)
	}
	st.put(&entry{alias: alias, kind: keyEntry, key: key, keyPass: keyPass, chain: []*x509.Certificate{cert}})
	if err := st.save(); err != nil {
		return err
	}
	if st.format == security.FormatPEM {
		r.notef("Certificate stored in file <%s>, private key in <%s> (unencrypted, mode 0600)", st.path, st.keyPath)
	}
	return nil
}

// newKeyPassword settles the password of a new key. JKS keys have their
// own (asked for, RETURN meaning the store password); PKCS12 keys use the
// store password, as in the JDK; PEM keys are written unencrypted.
func (r *run) newKeyPassword(st *keystore, alias string) (string, error) {
	kp, given := r.opts.password("keypass")
	switch st.format {
	case security.FormatPKCS12:
		if given && kp != st.pass {
			r.notef("Warning:  Different store and key passwords not supported for PKCS12 KeyStores. Ignoring user-specified -keypass value.")
		}
		return st.pass, nil
	case security.FormatPEM:
		if given {
			r.notef("Note: PEM private keys are written unencrypted (mode 0600) so the server can read them unattended; -keypass is not used.")
		}
		return "", nil
	}
	if given {
		if len(kp) < minPasswordLen {
			return "", fmt.Errorf("key password is too short - must be at least %d characters", minPasswordLen)
		}
		return kp, nil
	}
	if r.console.noprompt {
		return st.pass, nil
	}
	pw, err := r.console.password(fmt.Sprintf("Enter key password for <%s>\n\t(RETURN if same as keystore password):  ", alias))
	if errors.Is(err, errNoAnswer) || (err == nil && pw == "") {
		return st.pass, nil
	}
	if err != nil {
		return "", err
	}
	if len(pw) < minPasswordLen {
		return "", fmt.Errorf("key password is too short - must be at least %d characters", minPasswordLen)
	}
	again, err := r.console.password("Re-enter new password: ")
	if err != nil || again != pw {
		return "", errors.New("the key passwords don't match")
	}
	return pw, nil
}

// dnameQuestions are keytool's questions, the first one put in mail server
// terms: the CN must be the name clients connect to.
var dnameQuestions = []struct{ keyword, question string }{
	{"CN", "What is the host name of this mail server (the name clients connect to)?"},
	{"OU", "What is the name of your organizational unit?"},
	{"O", "What is the name of your organization?"},
	{"L", "What is the name of your City or Locality?"},
	{"ST", "What is the name of your State or Province?"},
	{"C", "What is the two-letter country code for this unit?"},
}

// askDName asks for the distinguished name as keytool does when -dname is
// missing.
func (r *run) askDName() (pkix.RDNSequence, error) {
	if r.console.noprompt {
		return nil, usagef(`-dname is required with -noprompt, e.g. -dname "CN=mail.example.com"`)
	}
	answers := make([]string, len(dnameQuestions))
	for i := range answers {
		answers[i] = "Unknown"
	}
	for {
		for i, q := range dnameQuestions {
			a, err := r.console.line(fmt.Sprintf("%s\n  [%s]:  ", q.question, answers[i]))
			if errors.Is(err, errNoAnswer) {
				return nil, usagef(`no -dname given and standard input ended: give -dname "CN=mail.example.com, O=Example"`)
			}
			if err != nil {
				return nil, err
			}
			if a = strings.TrimSpace(a); a != "" {
				answers[i] = a
			}
		}
		var parts []string
		for i, q := range dnameQuestions {
			parts = append(parts, q.keyword+"="+escapeDNValue(answers[i]))
		}
		dn := strings.Join(parts, ", ")
		seq, err := parseDName(dn)
		if err != nil {
			r.notef("%v", err)
			continue
		}
		ok, err := r.console.yes(fmt.Sprintf("Is %s correct?\n  [no]:  ", dn))
		if err != nil {
			return nil, err
		}
		if ok {
			return seq, nil
		}
		// Asked again, with the answers as defaults, as keytool does.
	}
}
