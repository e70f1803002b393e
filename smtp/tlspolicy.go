package smtp

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ClientTLSRule is a TLS requirement for clients in one network, the idea
// of sendmail's "TLS_Clt:host VERIFY:128": before MAIL such a client must
// have started TLS, with a verified certificate if Verify is set and a
// cipher of at least MinCipherBits bits.
type ClientTLSRule struct {
	Network       netip.Prefix
	Verify        bool
	MinCipherBits int
}

// String renders the rule in the syntax ParseClientTLSRules reads.
func (r ClientTLSRule) String() string {
	var req string
	switch {
	case r.Verify && r.MinCipherBits > 0:
		req = "VERIFY:" + strconv.Itoa(r.MinCipherBits)
	case r.Verify:
		req = "VERIFY"
	default:
		req = "ENCR:" + strconv.Itoa(r.MinCipherBits)
	}
	return r.Network.String() + " " + req
}

// ParseClientTLSRules reads rules separated by commas or new lines, each
// "NETWORK REQUIREMENT": NETWORK an address or CIDR prefix, REQUIREMENT one
// of ENCR:BITS (TLS with at least BITS cipher bits), VERIFY (TLS with a
// verified client certificate) or VERIFY:BITS (both). Example:
//
//	192.0.2.0/24 VERIFY:128, 2001:db8::/32 ENCR:256
func ParseClientTLSRules(s string) ([]ClientTLSRule, error) {
	var rules []ClientTLSRule
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		fields := strings.Fields(item)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("TLS rule %q: want \"NETWORK ENCR:BITS|VERIFY|VERIFY:BITS\"", strings.TrimSpace(item))
		}
		prefix, err := parsePrefix(fields[0])
		if err != nil {
			return nil, fmt.Errorf("TLS rule %q: %w", strings.TrimSpace(item), err)
		}
		rule := ClientTLSRule{Network: prefix}
		kind, bits, hasBits := strings.Cut(strings.ToUpper(fields[1]), ":")
		switch kind {
		case "VERIFY":
			rule.Verify = true
		case "ENCR":
			if !hasBits {
				return nil, fmt.Errorf("TLS rule %q: ENCR needs a cipher strength, e.g. ENCR:128", strings.TrimSpace(item))
			}
		default:
			return nil, fmt.Errorf("TLS rule %q: unknown requirement %q; use ENCR:BITS, VERIFY or VERIFY:BITS", strings.TrimSpace(item), fields[1])
		}
		if hasBits {
			n, err := strconv.Atoi(bits)
			if err != nil || n <= 0 || n > 1024 {
				return nil, fmt.Errorf("TLS rule %q: %q is not a cipher strength in bits", strings.TrimSpace(item), bits)
			}
			rule.MinCipherBits = n
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return unmapPrefix(p), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// clientTLSRule returns the most specific rule for ip, if any.
func clientTLSRule(rules []ClientTLSRule, ip netip.Addr) (ClientTLSRule, bool) {
	best, found := ClientTLSRule{}, false
	for _, r := range rules {
		if r.Network.Contains(ip) && (!found || r.Network.Bits() > best.Network.Bits()) {
			best, found = r, true
		}
	}
	return best, found
}

// unmet says what the connection lacks to satisfy r, or "" if nothing.
func (r ClientTLSRule) unmet(st *tls.ConnectionState) string {
	if st == nil {
		return "TLS is required for your network; issue STARTTLS first"
	}
	if r.Verify && len(st.VerifiedChains) == 0 {
		return "a verified client certificate is required for your network"
	}
	if r.MinCipherBits > 0 && CipherBits(st.CipherSuite) < r.MinCipherBits {
		return fmt.Sprintf("a cipher of at least %d bits is required for your network", r.MinCipherBits)
	}
	return ""
}

// CipherBits is the symmetric key size of a cipher suite, the "bits" of
// sendmail-style ENCR:bits rules; 0 for suites it does not know.
func CipherBits(suite uint16) int {
	name := tls.CipherSuiteName(suite)
	switch {
	case strings.Contains(name, "AES_256"), strings.Contains(name, "CHACHA20"):
		return 256
	case strings.Contains(name, "AES_128"), strings.Contains(name, "RC4_128"):
		return 128
	case strings.Contains(name, "3DES"):
		return 112
	}
	return 0
}
