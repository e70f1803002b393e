package keytool

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/security"
)

// keySpec is what -keyalg, -keysize and -groupname ask for.
type keySpec struct {
	alg   string // "RSA", "EC", "Ed25519"
	bits  int    // RSA modulus or EC field size
	curve elliptic.Curve
}

func (k keySpec) String() string {
	switch k.alg {
	case "RSA":
		return fmt.Sprintf("%s bit RSA", groupThousands(k.bits))
	case "EC":
		return fmt.Sprintf("%d bit EC (%s)", k.bits, curveName(k.curve))
	}
	return k.alg
}

func groupThousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + "," + s[len(s)-3:]
}

func curveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P256():
		return "secp256r1"
	case elliptic.P384():
		return "secp384r1"
	case elliptic.P521():
		return "secp521r1"
	}
	return c.Params().Name
}

// parseKeySpec reads -keyalg (default RSA, the algorithm the seeds'
// recipes use), -keysize and -groupname.
func parseKeySpec(alg, size, group string) (keySpec, error) {
	var k keySpec
	n := 0
	if size != "" {
		v, err := strconv.Atoi(size)
		if err != nil || v <= 0 {
			return k, usagef("-keysize %s: expected a number of bits", size)
		}
		n = v
	}
	switch strings.ToUpper(alg) {
	case "", "RSA":
		k.alg, k.bits = "RSA", 2048
		if group != "" {
			return k, usagef("-groupname is for EC keys")
		}
		if n != 0 {
			k.bits = n
		}
		if k.bits < 2048 || k.bits > 16384 {
			return k, usagef("-keysize %d: RSA keys must have 2048 to 16384 bits (clients refuse smaller keys)", k.bits)
		}
	case "EC", "ECDSA":
		k.alg = "EC"
		switch {
		case group != "" && n != 0:
			return k, usagef("give -keysize or -groupname, not both")
		case group != "":
			switch strings.ToLower(group) {
			case "secp256r1", "p-256", "prime256v1":
				n = 256
			case "secp384r1", "p-384":
				n = 384
			case "secp521r1", "p-521":
				n = 521
			default:
				return k, usagef("-groupname %s: secp256r1, secp384r1 or secp521r1", group)
			}
		case n == 0:
			n = 256
		}
		k.bits = n
		switch n {
		case 256:
			k.curve = elliptic.P256()
		case 384:
			k.curve = elliptic.P384()
		case 521:
			k.curve = elliptic.P521()
		default:
			return k, usagef("-keysize %d: EC keys have 256, 384 or 521 bits", n)
		}
	case "ED25519", "EDDSA":
		k.alg = "Ed25519"
		if n != 0 && n != 255 {
			return k, usagef("-keysize %d: Ed25519 keys have a fixed size", n)
		}
	case "DSA":
		return k, usagef("-keyalg DSA: DSA keys cannot be used for TLS; use RSA or EC")
	default:
		return k, usagef("-keyalg %s: RSA, EC or Ed25519", alg)
	}
	return k, nil
}

func (k keySpec) generate() (crypto.Signer, error) {
	switch k.alg {
	case "RSA":
		return rsa.GenerateKey(rand.Reader, k.bits)
	case "EC":
		return ecdsa.GenerateKey(k.curve, rand.Reader)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// sigAlgs maps keytool's signature algorithm names to Go's.
var sigAlgs = []struct {
	name string
	alg  x509.SignatureAlgorithm
	key  string
}{
	{"SHA256withRSA", x509.SHA256WithRSA, "RSA"},
	{"SHA384withRSA", x509.SHA384WithRSA, "RSA"},
	{"SHA512withRSA", x509.SHA512WithRSA, "RSA"},
	{"RSASSA-PSS", x509.SHA256WithRSAPSS, "RSA"},
	{"SHA256withRSAandMGF1", x509.SHA256WithRSAPSS, "RSA"},
	{"SHA384withRSAandMGF1", x509.SHA384WithRSAPSS, "RSA"},
	{"SHA512withRSAandMGF1", x509.SHA512WithRSAPSS, "RSA"},
	{"SHA256withECDSA", x509.ECDSAWithSHA256, "EC"},
	{"SHA384withECDSA", x509.ECDSAWithSHA384, "EC"},
	{"SHA512withECDSA", x509.ECDSAWithSHA512, "EC"},
	{"Ed25519", x509.PureEd25519, "Ed25519"},
	{"EdDSA", x509.PureEd25519, "Ed25519"},
}

func keyAlgOf(key crypto.PublicKey) string {
	switch key.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC"
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", key)
}

// signatureAlgorithm returns -sigalg, or the JDK's default for key:
// SHA256withRSA, SHA-256/384/512 with ECDSA by curve size, Ed25519.
func signatureAlgorithm(name string, key crypto.PublicKey) (x509.SignatureAlgorithm, string, error) {
	ka := keyAlgOf(key)
	if name == "" {
		switch k := key.(type) {
		case *rsa.PublicKey:
			return x509.SHA256WithRSA, "SHA256withRSA", nil
		case *ecdsa.PublicKey:
			switch k.Curve.Params().BitSize {
			case 384:
				return x509.ECDSAWithSHA384, "SHA384withECDSA", nil
			case 521:
				return x509.ECDSAWithSHA512, "SHA512withECDSA", nil
			}
			return x509.ECDSAWithSHA256, "SHA256withECDSA", nil
		case ed25519.PublicKey:
			return x509.PureEd25519, "Ed25519", nil
		}
		return 0, "", fmt.Errorf("no signature algorithm for a %s key", ka)
	}
	for _, s := range sigAlgs {
		if strings.EqualFold(s.name, name) {
			if s.key != ka {
				return 0, "", usagef("-sigalg %s does not fit a %s key", name, ka)
			}
			return s.alg, s.name, nil
		}
	}
	return 0, "", usagef("-sigalg %s: unknown or weak (SHA256withRSA, SHA256withECDSA, Ed25519, ...)", name)
}

// certSpec is everything a self-signed certificate is made from.
type certSpec struct {
	subject  []byte // DER name
	validity time.Duration
	sigAlg   x509.SignatureAlgorithm
	ext      *extensions
}

// selfSign makes the self-signed certificate -genkeypair stores: the
// shared security.SignSelfSigned (also used on first start) with the
// -dname subject, the signature algorithm and the -ext extensions.
func selfSign(key crypto.Signer, spec certSpec) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		RawSubject:         spec.subject,
		SignatureAlgorithm: spec.sigAlg,
	}
	spec.ext.applyToCertificate(tmpl)
	return security.SignSelfSigned(key, tmpl, spec.validity)
}

// hostFromCN returns the CN of a DER subject when it is a host name or an
// IP address, so it can also go into the SAN, which clients check.
func hostFromCN(subject []byte) (dns string, ip net.IP) {
	cn := commonName(subject)
	if cn == "" {
		return "", nil
	}
	if ip := net.ParseIP(cn); ip != nil {
		return "", ip
	}
	if strings.Contains(cn, ".") || strings.EqualFold(cn, "localhost") {
		if validDNSName(cn) {
			return cn, nil
		}
	}
	return "", nil
}
