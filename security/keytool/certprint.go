package keytool

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"strings"
	"time"
)

// The JDK's formats: Date.toString for validity, "MMM d, yyyy" for
// creation dates.
const (
	javaDateTime = "Mon Jan 02 15:04:05 MST 2006"
	javaDate     = "Jan 2, 2006"
)

// fingerprint is the colon-separated upper-case hex keytool prints.
func fingerprint(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

func sha256Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return fingerprint(sum[:])
}

// publicKeyDescription says "2048-bit RSA key", as keytool does.
func publicKeyDescription(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("%d-bit RSA key", k.N.BitLen())
	case *ecdsa.PublicKey:
		return fmt.Sprintf("%d-bit EC (%s) key", k.Curve.Params().BitSize, curveName(k.Curve))
	case ed25519.PublicKey:
		return "Ed25519 key"
	}
	return c.PublicKeyAlgorithm.String() + " key"
}

// javaSigAlgName names a signature algorithm as the JDK does.
func javaSigAlgName(a x509.SignatureAlgorithm) string {
	for _, s := range sigAlgs {
		if s.alg == a {
			return s.name
		}
	}
	return a.String()
}

// printCertVerbose prints a certificate the way `keytool -v` does.
func printCertVerbose(w io.Writer, c *x509.Certificate) {
	sha1sum := sha1.Sum(c.Raw)
	fmt.Fprintf(w, "Owner: %s\n", formatName(c.RawSubject))
	fmt.Fprintf(w, "Issuer: %s\n", formatName(c.RawIssuer))
	fmt.Fprintf(w, "Serial number: %x\n", c.SerialNumber)
	fmt.Fprintf(w, "Valid from: %s until: %s\n", c.NotBefore.Local().Format(javaDateTime), c.NotAfter.Local().Format(javaDateTime))
	fmt.Fprintf(w, "Certificate fingerprints:\n\t SHA1: %s\n\t SHA256: %s\n", fingerprint(sha1sum[:]), sha256Fingerprint(c))
	fmt.Fprintf(w, "Signature algorithm name: %s\n", javaSigAlgName(c.SignatureAlgorithm))
	fmt.Fprintf(w, "Subject Public Key Algorithm: %s\n", publicKeyDescription(c))
	fmt.Fprintf(w, "Version: %d\n", c.Version)
	if lines := extensionLines(c); len(lines) > 0 {
		fmt.Fprintf(w, "\nExtensions: \n\n")
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
	now := time.Now()
	switch {
	case now.After(c.NotAfter):
		fmt.Fprintf(w, "\nWarning:\nThis certificate expired on %s.\n", c.NotAfter.Local().Format(javaDateTime))
	case now.Before(c.NotBefore):
		fmt.Fprintf(w, "\nWarning:\nThis certificate is not valid before %s.\n", c.NotBefore.Local().Format(javaDateTime))
	}
}

// extensionLines summarises the extensions administrators look at.
func extensionLines(c *x509.Certificate) []string {
	var out []string
	if len(c.DNSNames)+len(c.IPAddresses)+len(c.EmailAddresses)+len(c.URIs) > 0 {
		var names []string
		for _, n := range c.DNSNames {
			names = append(names, "  DNSName: "+n)
		}
		for _, ip := range c.IPAddresses {
			names = append(names, "  IPAddress: "+ip.String())
		}
		for _, e := range c.EmailAddresses {
			names = append(names, "  RFC822Name: "+e)
		}
		for _, u := range c.URIs {
			names = append(names, "  URIName: "+u.String())
		}
		out = append(out, "SubjectAlternativeName [\n"+strings.Join(names, "\n")+"\n]")
	}
	if c.BasicConstraintsValid {
		pl := "no limit"
		if c.MaxPathLen > 0 || c.MaxPathLenZero {
			pl = fmt.Sprint(c.MaxPathLen)
		}
		if c.IsCA {
			out = append(out, fmt.Sprintf("BasicConstraints:[\n  CA:true\n  PathLen: %s\n]", pl))
		} else {
			out = append(out, "BasicConstraints:[\n  CA:false\n]")
		}
	}
	if c.KeyUsage != 0 {
		var ku []string
		for i, n := range keyUsageNames {
			if c.KeyUsage&(1<<i) != 0 {
				ku = append(ku, "  "+n)
			}
		}
		out = append(out, "KeyUsage [\n"+strings.Join(ku, "\n")+"\n]")
	}
	if len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage) > 0 {
		var eku []string
		for _, u := range c.ExtKeyUsage {
			eku = append(eku, "  "+extKeyUsageName(u))
		}
		for _, u := range c.UnknownExtKeyUsage {
			eku = append(eku, "  "+u.String())
		}
		out = append(out, "ExtendedKeyUsages [\n"+strings.Join(eku, "\n")+"\n]")
	}
	if len(c.SubjectKeyId) > 0 {
		out = append(out, "SubjectKeyIdentifier [ "+fingerprint(c.SubjectKeyId)+" ]")
	}
	if len(c.AuthorityKeyId) > 0 {
		out = append(out, "AuthorityKeyIdentifier [ "+fingerprint(c.AuthorityKeyId)+" ]")
	}
	return out
}

func extKeyUsageName(u x509.ExtKeyUsage) string {
	switch u {
	case x509.ExtKeyUsageAny:
		return "anyExtendedKeyUsage"
	case x509.ExtKeyUsageServerAuth:
		return "serverAuth"
	case x509.ExtKeyUsageClientAuth:
		return "clientAuth"
	case x509.ExtKeyUsageCodeSigning:
		return "codeSigning"
	case x509.ExtKeyUsageEmailProtection:
		return "emailProtection"
	case x509.ExtKeyUsageTimeStamping:
		return "timeStamping"
	case x509.ExtKeyUsageOCSPSigning:
		return "OCSPSigning"
	}
	return fmt.Sprintf("usage %d", u)
}

// writePEMCert writes c as an RFC 1421 (PEM) block.
func writePEMCert(w io.Writer, c *x509.Certificate) error {
	return pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
