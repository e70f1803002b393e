package smtp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Config is everything an SMTP, submission or LMTP session needs. The zero
// value of each field is documented; NewHandler fills in the defaults.
type Config struct {
	// Hostname names this server in the greeting, the EHLO reply and the
	// Received header (smtp_helo_name, James's helloName). Required.
	Hostname string
	// Greeting is the text after "220 <Hostname> " (James's smtpGreeting).
	// Empty: "ESMTP hedwig", or "LMTP hedwig" in LMTP mode.
	Greeting string
	// LMTP makes the handler speak LMTP (RFC 2033): LHLO instead of EHLO,
	// one reply per recipient after the message, local recipients only.
	LMTP bool

	// TLS, when set, lets plain connections upgrade with STARTTLS (RFC
	// 3207). Implicit TLS (port 465) is done by the listener; STARTTLS is
	// then neither offered nor accepted.
	TLS *tls.Config
	// RequireTLS refuses MAIL on a connection without TLS (530 5.7.0).
	// Never set it on a public MX: senders without TLS could not reach it.
	RequireTLS bool
	// ClientTLS holds per-network TLS requirements (see ClientTLSRule).
	ClientTLS []ClientTLSRule

	// AuthEnabled offers AUTH (smtp_sasl_auth_enable, James's auth/announce).
	AuthEnabled bool
	// AuthRequired refuses MAIL before AUTH (530 5.7.0), as on a
	// submission port (James's auth/required).
	AuthRequired bool
	// AllowPlaintextAuth allows AUTH PLAIN and LOGIN without TLS. False by
	// default: passwords are only accepted over TLS (RFC 4954 §4, James's
	// auth/requireSSL=true).
	AllowPlaintextAuth bool
	// VerifyIdentity refuses a MAIL FROM that the authenticated user does
	// not own (James's verifyIdentity): the address must resolve to one of
	// the user's mailboxes.
	VerifyIdentity bool

	// MaxMessageBytes is message_size_limit (James's maxmessagesize): the
	// largest message accepted, announced with SIZE and checked at MAIL
	// FROM and while the data arrives. 0 means no limit.
	MaxMessageBytes int64
	// RecipientLimit is the most recipients per message (smtp_recipient_limit);
	// more get 452 4.5.3. 0 means no limit.
	RecipientLimit int
	// ConnectionLimitPerIP caps simultaneous sessions from one address
	// (James's connectionLimitPerIP); 0 means no limit.
	ConnectionLimitPerIP int
	// SoftErrorLimit is smtpd_soft_error_limit: after this many errors every
	// error reply is delayed by ErrorSleep. 0 means 10.
	SoftErrorLimit int
	// HardErrorLimit is smtpd_hard_error_limit: after this many errors the
	// session ends with 421. 0 means 20.
	HardErrorLimit int
	// ErrorSleep is smtpd_error_sleep_time. 0 means no delay.
	ErrorSleep time.Duration
	// Timeout bounds the wait for each command, data chunk and reply write
	// (smtpd_timeout). 0 means 5 minutes.
	Timeout time.Duration

	// MyNetworks are the trusted client networks (mynetworks, James's
	// authorizedAddresses) that permit_mynetworks lets relay.
	MyNetworks []netip.Prefix
	// LocalDomains are the domains delivered here (mydomain and
	// mydestination); compared without regard to case.
	LocalDomains []string
	// Postmaster is the address that RCPT TO:<postmaster> reaches (RFC 5321
	// §4.5.1). Empty: postmaster@ the first local domain.
	Postmaster string

	// ClientRestrictions, SenderRestrictions, RecipientRestrictions and
	// RelayRestrictions are Hedwig's smtpd_*_restrictions lists. nil means
	// empty, except RelayRestrictions: nil means DefaultRelayRestrictions.
	ClientRestrictions    *Restrictions
	SenderRestrictions    *Restrictions
	RecipientRestrictions *Restrictions
	RelayRestrictions     *Restrictions
	// Resolver answers reject_rbl_clients queries; nil is the system's.
	Resolver *net.Resolver

	// SpoolDir holds messages larger than 1 MiB while they arrive
	// (temp_directory). Empty: the system's temporary directory.
	SpoolDir string
}

// withDefaults checks c and fills in documented defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Hostname == "" {
		errs = append(errs, errors.New("smtp: Hostname is empty; set myhostname or smtp_helo_name"))
	}
	if strings.ContainsAny(c.Hostname, " \r\n") || strings.ContainsAny(c.Greeting, "\r\n") {
		errs = append(errs, fmt.Errorf("smtp: host name %q or greeting %q contains a space or a line break", c.Hostname, c.Greeting))
	}
	if c.MaxMessageBytes < 0 || c.RecipientLimit < 0 || c.ConnectionLimitPerIP < 0 ||
		c.SoftErrorLimit < 0 || c.HardErrorLimit < 0 || c.ErrorSleep < 0 || c.Timeout < 0 {
		errs = append(errs, errors.New("smtp: a size, limit or time is negative; use 0 for the default"))
	}
	for _, s := range []struct {
		r    *Restrictions
		want Stage
	}{{c.ClientRestrictions, ClientStage}, {c.SenderRestrictions, SenderStage},
		{c.RecipientRestrictions, RecipientStage}, {c.RelayRestrictions, RelayStage}} {
		if s.r != nil && s.r.stage != s.want {
			errs = append(errs, fmt.Errorf("smtp: %s was parsed as %s", s.want, s.r.stage))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if c.Greeting == "" {
		c.Greeting = "ESMTP hedwig"
		if c.LMTP {
			c.Greeting = "LMTP hedwig"
		}
	}
	if c.SoftErrorLimit == 0 {
		c.SoftErrorLimit = 10
	}
	if c.HardErrorLimit == 0 {
		c.HardErrorLimit = 20
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.RelayRestrictions == nil {
		c.RelayRestrictions = mustParseRestrictions(RelayStage, DefaultRelayRestrictions)
	}
	domains := make([]string, len(c.LocalDomains))
	for i, d := range c.LocalDomains {
		domains[i] = strings.ToLower(strings.TrimSuffix(d, "."))
	}
	c.LocalDomains = domains
	if c.Postmaster == "" && len(c.LocalDomains) > 0 {
		c.Postmaster = "postmaster@" + c.LocalDomains[0]
	}
	nets := make([]netip.Prefix, len(c.MyNetworks))
	for i, p := range c.MyNetworks {
		nets[i] = unmapPrefix(p)
	}
	c.MyNetworks = nets
	return c, nil
}

// isLocalDomain reports whether mail for domain is delivered here.
func (c *Config) isLocalDomain(domain string) bool {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	for _, d := range c.LocalDomains {
		if d == domain {
			return true
		}
	}
	return false
}

// inMyNetworks reports whether ip is a trusted client.
func (c *Config) inMyNetworks(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range c.MyNetworks {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// unmapPrefix turns ::ffff:10.0.0.0/104 into 10.0.0.0/8, so that IPv4
// clients match however the network was written.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}
