package queue

import (
	"fmt"
	"strconv"
	"strings"
)

// ServerTLSRule requires TLS towards one destination, the idea of
// sendmail's "TLS_Srv:example.org ENCR:256": mail for Domain (or, when it
// starts with a dot, for any subdomain) is only sent over STARTTLS, with a
// verified certificate if Verify is set and a cipher of at least
// MinCipherBits bits. Without a rule, TLS is opportunistic: used when
// offered, unverified, and given up when the handshake fails.
type ServerTLSRule struct {
	Domain        string
	Verify        bool
	MinCipherBits int
}

// String renders the rule in the syntax ParseServerTLSRules reads.
func (r ServerTLSRule) String() string {
	switch {
	case r.Verify && r.MinCipherBits > 0:
		return r.Domain + " VERIFY:" + strconv.Itoa(r.MinCipherBits)
	case r.Verify:
		return r.Domain + " VERIFY"
	}
	return r.Domain + " ENCR:" + strconv.Itoa(r.MinCipherBits)
}

// ParseServerTLSRules reads rules separated by commas or new lines, each
// "DOMAIN REQUIREMENT" with REQUIREMENT one of ENCR:BITS, VERIFY or
// VERIFY:BITS. Example:
//
//	example.org VERIFY:128, .example.net ENCR:256
func ParseServerTLSRules(s string) ([]ServerTLSRule, error) {
	var rules []ServerTLSRule
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		fields := strings.Fields(item)
		if len(fields) == 0 {
			continue
		}
		where := strings.TrimSpace(item)
		if len(fields) != 2 {
			return nil, fmt.Errorf("TLS rule %q: want \"DOMAIN ENCR:BITS|VERIFY|VERIFY:BITS\"", where)
		}
		domain := strings.ToLower(strings.TrimSuffix(fields[0], "."))
		if domain == "" || domain == "." || strings.ContainsAny(domain, "@/[]") {
			return nil, fmt.Errorf("TLS rule %q: %q is not a domain", where, fields[0])
		}
		rule := ServerTLSRule{Domain: domain}
		kind, bits, hasBits := strings.Cut(strings.ToUpper(fields[1]), ":")
		switch {
		case kind == "VERIFY":
			rule.Verify = true
		case kind == "ENCR" && hasBits:
		default:
			return nil, fmt.Errorf("TLS rule %q: %q is not ENCR:BITS, VERIFY or VERIFY:BITS", where, fields[1])
		}
		if hasBits {
			n, err := strconv.Atoi(bits)
			if err != nil || n <= 0 || n > 1024 {
				return nil, fmt.Errorf("TLS rule %q: %q is not a cipher strength in bits", where, bits)
			}
			rule.MinCipherBits = n
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// serverTLSRule finds the rule for domain: an exact rule first, then the
// longest ".suffix" rule, then a "*" rule for every domain (what
// smtp_tls_security_level=encrypt or verify sets).
func serverTLSRule(rules []ServerTLSRule, domain string) (ServerTLSRule, bool) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	best, found := ServerTLSRule{}, false
	var any *ServerTLSRule
	for i, r := range rules {
		switch {
		case r.Domain == domain:
			return r, true
		case r.Domain == "*":
			any = &rules[i]
		case strings.HasPrefix(r.Domain, ".") && strings.HasSuffix(domain, r.Domain):
			if !found || len(r.Domain) > len(best.Domain) {
				best, found = r, true
			}
		}
	}
	if !found && any != nil {
		return *any, true
	}
	return best, found
}
