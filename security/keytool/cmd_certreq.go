package keytool

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

var oidExtSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// cmdCertReq is -certreq: a PKCS#10 request signed by a key entry's key,
// for its certificate's subject (or -dname), in PEM, to -file or stdout.
// The request asks for the certificate's subject alternative names unless
// -ext gives others: a CA needs them to issue a certificate clients accept.
// -keyalg is accepted and ignored, as the seeds' recipes pass it.
func cmdCertReq(r *run) error {
	o := r.opts
	ext, err := parseExtensions(o.all("ext"))
	if err != nil {
		return usagef("%v", err)
	}
	var subject []byte
	if d := o.get("dname"); d != "" {
		seq, err := parseDName(d)
		if err != nil {
			return usagef("%v", err)
		}
		if subject, err = asn1.Marshal(seq); err != nil {
			return err
		}
	}
	st, err := r.openKeystore(false)
	if err != nil {
		return err
	}
	alias := o.get("alias")
	if alias == "" {
		alias = defaultAlias
	}
	e, err := st.keyEntryFor(alias)
	if err != nil {
		return err
	}
	if err := r.unlockKey(st, e, "keypass"); err != nil {
		return err
	}
	sigAlg, _, err := signatureAlgorithm(o.get("sigalg"), e.key.Public())
	if err != nil {
		return err
	}
	if subject == nil {
		subject = e.cert().RawSubject
	}
	tmpl := &x509.CertificateRequest{RawSubject: subject, SignatureAlgorithm: sigAlg}
	ext.applyToRequest(tmpl)
	if !ext.sanSet {
		for _, x := range e.cert().Extensions {
			if x.Id.Equal(oidExtSubjectAltName) {
				tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: x.Id, Value: x.Value})
			}
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, e.key)
	if err != nil {
		return fmt.Errorf("create certificate request: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	if f := o.get("file"); f != "" {
		if err := writeFileAtomic(f, out); err != nil {
			return fmt.Errorf("write %s: %w", f, err)
		}
		if o.has("v") {
			r.notef("Certification request stored in file <%s>", f)
			r.notef("Submit this to your CA")
		}
		return nil
	}
	_, err = r.stdout.Write(out)
	return err
}
