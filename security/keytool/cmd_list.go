package keytool

import (
	"bufio"
	"encoding/pem"
	"fmt"
	"io"

	"github.com/hedwigmail/hedwig/security"
)

// cmdList is -list [-v | -rfc] [-alias A].
func cmdList(r *run) error {
	o := r.opts
	if o.has("v") && o.has("rfc") {
		return usagef("-v and -rfc cannot be used together")
	}
	st, err := r.openKeystore(false)
	if err != nil {
		return err
	}
	entries := st.entries
	if a := o.get("alias"); a != "" {
		e := st.find(a)
		if e == nil {
			return fmt.Errorf("alias <%s> does not exist", a)
		}
		entries = []*entry{e}
	}
	w := bufio.NewWriter(r.stdout)
	defer w.Flush()
	if !o.has("alias") {
		fmt.Fprintf(w, "Keystore type: %s\n", st.format)
		if st.format == security.FormatPEM {
			fmt.Fprintf(w, "Files: %s, %s\n", st.path, st.keyPath)
		}
		fmt.Fprintln(w)
		n := len(st.entries)
		plural := "entries"
		if n == 1 {
			plural = "entry"
		}
		fmt.Fprintf(w, "Your keystore contains %d %s\n\n", n, plural)
	}
	for _, e := range entries {
		switch {
		case o.has("v"):
			listVerbose(w, e)
		case o.has("rfc"):
			listRFC(w, e)
		default:
			fmt.Fprintf(w, "%s, %s%s, \n", e.alias, createdPrefix(e), e.kind)
			fmt.Fprintf(w, "Certificate fingerprint (SHA-256): %s\n", sha256Fingerprint(e.cert()))
		}
	}
	if st.needsPassword() && st.pass == "" && (st.format == security.FormatJKS || st.format == security.FormatJCEKS) {
		w.Flush()
		fmt.Fprint(r.stderr, "\n*****************  WARNING WARNING WARNING  *****************\n"+
			"* The integrity of the information stored in your keystore  *\n"+
			"* has NOT been verified!  In order to verify its integrity, *\n"+
			"* you must provide your keystore password.                  *\n"+
			"*****************  WARNING WARNING WARNING  *****************\n\n")
	}
	return nil
}

func createdPrefix(e *entry) string {
	if e.created.IsZero() {
		return ""
	}
	return e.created.Local().Format(javaDate) + ", "
}

func entryHeader(w io.Writer, e *entry) {
	fmt.Fprintf(w, "Alias name: %s\n", e.alias)
	if !e.created.IsZero() {
		fmt.Fprintf(w, "Creation date: %s\n", e.created.Local().Format(javaDate))
	}
	fmt.Fprintf(w, "Entry type: %s\n", e.kind)
}

func listVerbose(w io.Writer, e *entry) {
	entryHeader(w, e)
	if e.kind == keyEntry {
		fmt.Fprintf(w, "Certificate chain length: %d\n", len(e.chain))
		for i, c := range e.chain {
			fmt.Fprintf(w, "Certificate[%d]:\n", i+1)
			printCertVerbose(w, c)
			fmt.Fprintln(w)
		}
	} else {
		fmt.Fprintln(w)
		printCertVerbose(w, e.cert())
	}
	fmt.Fprint(w, "\n\n*******************************************\n*******************************************\n\n\n")
}

func listRFC(w io.Writer, e *entry) {
	entryHeader(w, e)
	if e.kind == keyEntry {
		fmt.Fprintf(w, "Certificate chain length: %d\n", len(e.chain))
		for i, c := range e.chain {
			fmt.Fprintf(w, "Certificate[%d]:\n", i+1)
			writePEMCert(w, c)
		}
	} else {
		writePEMCert(w, e.cert())
	}
	fmt.Fprint(w, "\n\n*******************************************\n*******************************************\n\n\n")
}

// cmdExportCert is -exportcert: an entry's certificate, PEM with -rfc and
// DER otherwise (as the JDK), to -file or stdout.
func cmdExportCert(r *run) error {
	st, err := r.openKeystore(false)
	if err != nil {
		return err
	}
	alias := r.opts.get("alias")
	if alias == "" {
		alias = defaultAlias
	}
	e := st.find(alias)
	if e == nil && st.format == security.FormatPEM {
		e, _ = st.keyEntryFor(alias) // a PEM pair's key answers to any alias
	}
	if e == nil {
		return fmt.Errorf("alias <%s> does not exist", alias)
	}
	var out []byte
	if r.opts.has("rfc") {
		out = pemBytes(e.cert().Raw)
	} else {
		out = e.cert().Raw
	}
	if f := r.opts.get("file"); f != "" {
		if err := writeFileAtomic(f, out); err != nil {
			return fmt.Errorf("write %s: %w", f, err)
		}
		r.notef("Certificate stored in file <%s>", f)
		return nil
	}
	_, err = r.stdout.Write(out)
	return err
}

// cmdDelete is -delete -alias A.
func cmdDelete(r *run) error {
	alias := r.opts.get("alias")
	if alias == "" {
		return usagef("-delete needs -alias")
	}
	st, err := r.openKeystore(false)
	if err != nil {
		return err
	}
	if st.pass == "" && st.needsPassword() {
		return fmt.Errorf("the keystore password is required to change %s", st.path)
	}
	if !st.remove(alias) {
		return fmt.Errorf("alias <%s> does not exist", alias)
	}
	return st.save()
}

// cmdPrintCert is -printcert -file F [-rfc]: the certificates of a file.
func cmdPrintCert(r *run) error {
	certs, _, err := r.readCertificateFile(r.opts.get("file"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(r.stdout)
	defer w.Flush()
	for i, c := range certs {
		if r.opts.has("rfc") {
			writePEMCert(w, c)
			continue
		}
		if len(certs) > 1 {
			fmt.Fprintf(w, "Certificate[%d]:\n", i+1)
		}
		printCertVerbose(w, c)
		fmt.Fprintln(w)
	}
	return nil
}

func pemBytes(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
