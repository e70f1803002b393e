package keytool

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/bits"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// extensions are the X.509 extensions asked for with -ext, in keytool's
// syntax: NAME[:critical]=VALUE, with SAN=dns:a,ip:b,email:c,uri:d,
// BC=ca:true,pathlen:N, KU=digitalSignature,keyEncipherment,
// EKU=serverAuth,clientAuth.
type extensions struct {
	sanSet      bool
	dnsNames    []string
	ips         []net.IP
	emails      []string
	uris        []*url.URL
	extra       []pkix.Extension // BC, KU, EKU, encoded here
	extraByName map[string]bool
}

var (
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// parseExtensions reads every -ext value.
func parseExtensions(values []string) (*extensions, error) {
	x := &extensions{extraByName: map[string]bool{}}
	for _, v := range values {
		if err := x.add(v); err != nil {
			return nil, fmt.Errorf("-ext %s: %w", v, err)
		}
	}
	return x, nil
}

func (x *extensions) add(spec string) error {
	name, value, _ := strings.Cut(spec, "=")
	name, flag, _ := strings.Cut(strings.TrimSpace(name), ":")
	critical := false
	switch strings.ToLower(flag) {
	case "":
	case "c", "critical":
		critical = true
	default:
		return fmt.Errorf("unknown flag %q (only :critical)", flag)
	}
	value = strings.TrimSpace(value)
	kind := strings.ToLower(name)
	switch kind {
	case "san", "subjectalternativename":
		if critical {
			return fmt.Errorf("SAN cannot be made critical here; it is critical only when the subject is empty")
		}
		x.sanSet = true
		return x.addSAN(value)
	case "bc", "basicconstraints":
		return x.addExtra("BC", critical, func() (pkix.Extension, error) { return basicConstraints(value) })
	case "ku", "keyusage":
		return x.addExtra("KU", critical, func() (pkix.Extension, error) { return keyUsage(value) })
	case "eku", "extendedkeyusage":
		return x.addExtra("EKU", critical, func() (pkix.Extension, error) { return extKeyUsage(value) })
	}
	return fmt.Errorf("unknown extension %q: SAN, BC, KU and EKU are supported", name)
}

func (x *extensions) addExtra(name string, critical bool, build func() (pkix.Extension, error)) error {
	if x.extraByName[name] {
		return fmt.Errorf("%s given twice", name)
	}
	ext, err := build()
	if err != nil {
		return err
	}
	ext.Critical = critical
	x.extraByName[name] = true
	x.extra = append(x.extra, ext)
	return nil
}

func (x *extensions) addSAN(value string) error {
	if value == "" {
		return fmt.Errorf("SAN needs a value such as dns:mail.example.com,ip:192.0.2.1")
	}
	for _, item := range strings.Split(value, ",") {
		typ, v, ok := strings.Cut(strings.TrimSpace(item), ":")
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			return fmt.Errorf("%q: expected TYPE:VALUE (dns, ip, email, uri)", item)
		}
		switch strings.ToLower(typ) {
		case "dns":
			if !validDNSName(v) {
				return fmt.Errorf("%q is not a DNS name", v)
			}
			x.dnsNames = append(x.dnsNames, v)
		case "ip":
			ip := net.ParseIP(v)
			if ip == nil {
				return fmt.Errorf("%q is not an IP address", v)
			}
			x.ips = append(x.ips, ip)
		case "email":
			if _, err := mail.ParseAddress(v); err != nil || strings.ContainsAny(v, "<> ") {
				return fmt.Errorf("%q is not an email address", v)
			}
			x.emails = append(x.emails, v)
		case "uri":
			u, err := url.Parse(v)
			if err != nil || u.Scheme == "" {
				return fmt.Errorf("%q is not an absolute URI", v)
			}
			x.uris = append(x.uris, u)
		default:
			return fmt.Errorf("SAN type %q is not supported (dns, ip, email, uri)", typ)
		}
	}
	return nil
}

// validDNSName accepts host names and wildcard names (*.example.com).
func validDNSName(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "*."), ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

func basicConstraints(value string) (pkix.Extension, error) {
	type bc struct {
		IsCA    bool `asn1:"optional"`
		PathLen int  `asn1:"optional,default:-1"`
	}
	v := bc{PathLen: -1}
	if value == "" {
		v.IsCA = true // JDK: "-ext bc" alone means a CA
	}
	for _, item := range splitList(value) {
		k, val, _ := strings.Cut(item, ":")
		switch strings.ToLower(k) {
		case "ca":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return pkix.Extension{}, fmt.Errorf("ca:%s: expected true or false", val)
			}
			v.IsCA = b
		case "pathlen":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return pkix.Extension{}, fmt.Errorf("pathlen:%s: expected a number", val)
			}
			v.PathLen = n
		default:
			return pkix.Extension{}, fmt.Errorf("BC: unknown item %q (ca:true|false, pathlen:N)", item)
		}
	}
	if !v.IsCA && v.PathLen >= 0 {
		return pkix.Extension{}, fmt.Errorf("BC: pathlen needs ca:true")
	}
	der, err := asn1.Marshal(v)
	return pkix.Extension{Id: oidExtBasicConstraints, Value: der}, err
}

// keyUsageNames are RFC 5280's key usage bits in order.
var keyUsageNames = []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
	"keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}

func keyUsage(value string) (pkix.Extension, error) {
	var set uint16
	for _, item := range splitList(value) {
		if strings.EqualFold(item, "contentCommitment") {
			item = "nonRepudiation"
		}
		bit, err := matchName(item, keyUsageNames)
		if err != nil {
			return pkix.Extension{}, fmt.Errorf("KU: %w", err)
		}
		set |= 1 << bit
	}
	if set == 0 {
		return pkix.Extension{}, fmt.Errorf("KU needs at least one usage (%s)", strings.Join(keyUsageNames, ", "))
	}
	// Bit 0 is the most significant bit of the first byte.
	rev := bits.Reverse16(set)
	b := []byte{byte(rev >> 8), byte(rev)}
	n := 16 - bits.TrailingZeros16(rev)
	if n <= 8 {
		b = b[:1]
	}
	der, err := asn1.Marshal(asn1.BitString{Bytes: b, BitLength: n})
	return pkix.Extension{Id: oidExtKeyUsage, Value: der}, err
}

var extKeyUsages = []struct {
	name string
	oid  asn1.ObjectIdentifier
}{
	{"anyExtendedKeyUsage", asn1.ObjectIdentifier{2, 5, 29, 37, 0}},
	{"serverAuth", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}},
	{"clientAuth", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}},
	{"codeSigning", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}},
	{"emailProtection", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}},
	{"timeStamping", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}},
	{"OCSPSigning", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}},
}

func extKeyUsage(value string) (pkix.Extension, error) {
	names := make([]string, len(extKeyUsages))
	for i, e := range extKeyUsages {
		names[i] = e.name
	}
	var oids []asn1.ObjectIdentifier
	for _, item := range splitList(value) {
		if oid, ok := parseOID(item); ok {
			oids = append(oids, oid)
			continue
		}
		i, err := matchName(item, names)
		if err != nil {
			return pkix.Extension{}, fmt.Errorf("EKU: %w", err)
		}
		oids = append(oids, extKeyUsages[i].oid)
	}
	if len(oids) == 0 {
		return pkix.Extension{}, fmt.Errorf("EKU needs at least one usage (%s)", strings.Join(names, ", "))
	}
	der, err := asn1.Marshal(oids)
	return pkix.Extension{Id: oidExtExtKeyUsage, Value: der}, err
}

// matchName finds item among names ignoring case; a unique prefix will
// do, as in keytool ("dig" for digitalSignature).
func matchName(item string, names []string) (int, error) {
	found := -1
	for i, n := range names {
		if strings.EqualFold(n, item) {
			return i, nil
		}
		if len(item) > 0 && strings.HasPrefix(strings.ToLower(n), strings.ToLower(item)) {
			if found >= 0 {
				return 0, fmt.Errorf("%q is ambiguous", item)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("unknown usage %q (%s)", item, strings.Join(names, ", "))
	}
	return found, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// applyToCertificate puts the extensions into a certificate template.
func (x *extensions) applyToCertificate(t *x509.Certificate) {
	t.DNSNames, t.IPAddresses, t.EmailAddresses, t.URIs = x.dnsNames, x.ips, x.emails, x.uris
	t.ExtraExtensions = append(t.ExtraExtensions, x.extra...)
}

// applyToRequest puts the extensions into a CSR template.
func (x *extensions) applyToRequest(t *x509.CertificateRequest) {
	t.DNSNames, t.IPAddresses, t.EmailAddresses, t.URIs = x.dnsNames, x.ips, x.emails, x.uris
	t.ExtraExtensions = append(t.ExtraExtensions, x.extra...)
}
