package smtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/hedwigmail/hedwig/diag"
)

// Stage says which Hedwig restriction list a Restrictions value is:
// where in the session it is checked and what it may look at.
type Stage int

const (
	ClientStage    Stage = iota // smtpd_client_restrictions: at connect
	SenderStage                 // smtpd_sender_restrictions: at MAIL FROM
	RecipientStage              // smtpd_recipient_restrictions: RCPT TO in a local domain
	RelayStage                  // smtpd_relay_restrictions: RCPT TO anywhere else
)

func (s Stage) String() string {
	return [...]string{"smtpd_client_restrictions", "smtpd_sender_restrictions",
		"smtpd_recipient_restrictions", "smtpd_relay_restrictions"}[s]
}

// DefaultRelayRestrictions is Hedwig's default for smtpd_relay_restrictions.
const DefaultRelayRestrictions = "permit_mynetworks, permit_sasl_authenticated, reject"

// Restrictions is one parsed restriction list. Items are checked in order;
// the first that permits or rejects decides, and a list that runs out
// permits (as in Hedwig and Postfix).
type Restrictions struct {
	stage Stage
	text  string
	items []restriction
}

type restriction struct {
	name   string
	access *accessFile // check_*_access
	rbl    []string    // reject_rbl_clients zones
}

// String returns the list as it was written.
func (r *Restrictions) String() string { return r.text }

// restrictionStages lists, for each restriction, the stages where it can be
// evaluated (it needs the sender, the recipient, …).
var restrictionStages = map[string][]Stage{
	"permit":                        {ClientStage, SenderStage, RecipientStage, RelayStage},
	"reject":                        {ClientStage, SenderStage, RecipientStage, RelayStage},
	"permit_mynetworks":             {ClientStage, SenderStage, RecipientStage, RelayStage},
	"permit_sasl_authenticated":     {SenderStage, RecipientStage, RelayStage},
	"permit_tls_all_clientcerts":    {ClientStage, SenderStage, RecipientStage, RelayStage},
	"reject_unauthenticated_sender": {SenderStage, RecipientStage, RelayStage},
	"reject_unlisted_recipient":     {RecipientStage, RelayStage},
	"reject_rbl_clients":            {ClientStage, SenderStage, RecipientStage, RelayStage},
	"check_client_access":           {ClientStage, SenderStage, RecipientStage, RelayStage},
	"check_sender_access":           {SenderStage, RecipientStage, RelayStage},
	"check_recipient_access":        {RecipientStage, RelayStage},
}

// ParseRestrictions parses a Hedwig restriction list such as
// "permit_mynetworks, check_recipient_access /etc/hedwig/recipient_access,
// reject". Items are separated by commas; an item's arguments by spaces.
// check_*_access without a path reads confDir/client_access,
// confDir/sender_access or confDir/recipient_access, as Hedwig did. pos
// names the property for problems; every problem goes to problems, and
// the result is nil when any of them is an error.
func ParseRestrictions(stage Stage, value, confDir string, pos diag.Pos, problems *diag.List) *Restrictions {
	r := &Restrictions{stage: stage, text: strings.TrimSpace(value)}
	key := stage.String()
	failed := false
	for _, item := range strings.Split(value, ",") {
		tokens := strings.Fields(item)
		if len(tokens) == 0 {
			continue
		}
		name := strings.ToLower(tokens[0])
		stages, known := restrictionStages[name]
		if !known {
			problems.Errorf(pos, key, "unknown restriction %q; known: %s", tokens[0], knownRestrictions())
			failed = true
			continue
		}
		if !hasStage(stages, stage) {
			problems.Errorf(pos, key, "%s cannot be used here: it needs information this list does not have yet", name)
			failed = true
			continue
		}
		it := restriction{name: name}
		switch name {
		case "check_client_access", "check_sender_access", "check_recipient_access":
			path := filepath.Join(confDir, strings.TrimPrefix(strings.TrimSuffix(name, "_access"), "check_")+"_access")
			if len(tokens) > 1 {
				path = tokens[1]
				if !filepath.IsAbs(path) {
					path = filepath.Join(confDir, path)
				}
			}
			f, err := openAccessFile(path, problems)
			if err != nil {
				problems.Errorf(pos, key, "%s: %v", name, err)
				failed = true
				continue
			}
			it.access = f
		case "reject_rbl_clients":
			it.rbl = tokens[1:]
			if len(it.rbl) == 0 {
				problems.Errorf(pos, key, "reject_rbl_clients needs at least one DNS zone, e.g. reject_rbl_clients zen.spamhaus.org")
				failed = true
				continue
			}
		default:
			if len(tokens) > 1 {
				problems.Errorf(pos, key, "%s takes no argument, got %q", name, strings.Join(tokens[1:], " "))
				failed = true
				continue
			}
		}
		r.items = append(r.items, it)
	}
	if stage == RelayStage && len(r.items) == 0 {
		problems.Errorf(pos, key, "an empty relay list would relay for anyone; write \"permit\" if that is really intended, or leave the key out for %q", DefaultRelayRestrictions)
		failed = true
	}
	if failed {
		return nil
	}
	return r
}

// mustParseRestrictions is ParseRestrictions for lists known to be valid,
// such as the defaults; it panics on a problem.
func mustParseRestrictions(stage Stage, value string) *Restrictions {
	var problems diag.List
	r := ParseRestrictions(stage, value, "", diag.Pos{}, &problems)
	if r == nil {
		panic(problems.Err())
	}
	return r
}

func hasStage(stages []Stage, s Stage) bool {
	for _, st := range stages {
		if st == s {
			return true
		}
	}
	return false
}

func knownRestrictions() string {
	return "permit, reject, permit_mynetworks, permit_sasl_authenticated, permit_tls_all_clientcerts, " +
		"reject_unauthenticated_sender, reject_unlisted_recipient, reject_rbl_clients, " +
		"check_client_access, check_sender_access, check_recipient_access"
}

// verdict is the outcome of checking a restriction list.
type verdict int

const (
	verdictPermit  verdict = iota // accept
	verdictReject                 // refuse with the reply
	verdictDiscard                // accept, then drop the message
)

// checkInput is what a restriction may look at.
type checkInput struct {
	client   netip.Addr
	myNet    bool
	authed   bool
	certOK   bool
	sender   string // "" before MAIL or for the null sender
	rcpt     string // "" before RCPT
	resolver *net.Resolver
	logf     func(msg string, err error)
}

// check runs the list. The reply is meaningful for verdictReject.
func (r *Restrictions) check(ctx context.Context, in checkInput) (verdict, reply) {
	if r == nil {
		return verdictPermit, reply{}
	}
	for _, it := range r.items {
		switch it.name {
		case "permit":
			return verdictPermit, reply{}
		case "reject":
			return verdictReject, r.rejectReply(in, "")
		case "permit_mynetworks":
			if in.myNet {
				return verdictPermit, reply{}
			}
		case "permit_sasl_authenticated":
			if in.authed {
				return verdictPermit, reply{}
			}
		case "permit_tls_all_clientcerts":
			if in.certOK {
				return verdictPermit, reply{}
			}
		case "reject_unauthenticated_sender":
			// Hedwig's AuthRequired: refuses MAIL without AUTH, and at RCPT
			// lets an authenticated client through.
			if in.authed && r.stage != SenderStage {
				return verdictPermit, reply{}
			}
			if !in.authed && r.stage == SenderStage {
				return verdictReject, reply{530, "5.7.0", "Authentication required"}
			}
		case "reject_unlisted_recipient":
			// Every local recipient is looked up at RCPT anyway (550 5.1.1);
			// the item is accepted for compatibility.
		case "reject_rbl_clients":
			if zone, listed := rblListed(ctx, in, it.rbl); listed {
				return verdictReject, reply{554, "5.7.1", fmt.Sprintf("Service unavailable; Client host [%s] blocked using %s", in.client, zone)}
			}
		case "check_client_access", "check_sender_access", "check_recipient_access":
			t, err := it.access.current()
			if err != nil && in.logf != nil {
				in.logf("access table", err)
			}
			var e accessEntry
			switch it.name {
			case "check_client_access":
				e = t.lookupClient(in.client)
			case "check_sender_access":
				if in.sender != "" {
					e = t.lookupAddress(in.sender)
				}
			default:
				e = t.lookupAddress(in.rcpt)
			}
			switch e.action {
			case accessOK:
				return verdictPermit, reply{}
			case accessDiscard:
				return verdictDiscard, reply{}
			case accessReject:
				return verdictReject, r.rejectReply(in, e.text)
			}
		}
	}
	return verdictPermit, reply{}
}

// rejectReply words a refusal the way Hedwig did at each stage.
func (r *Restrictions) rejectReply(in checkInput, text string) reply {
	if text == "" {
		text = "Access denied"
	}
	switch r.stage {
	case ClientStage:
		return reply{554, "5.7.1", fmt.Sprintf("Service unavailable; Client host [%s] blocked by system", in.client)}
	case SenderStage:
		return reply{554, "5.7.1", fmt.Sprintf("<%s>: Sender address rejected: %s", in.sender, text)}
	case RelayStage:
		return reply{554, "5.7.1", fmt.Sprintf("<%s>: Recipient address rejected: Relay access denied", in.rcpt)}
	default:
		return reply{554, "5.7.1", fmt.Sprintf("<%s>: Recipient address rejected: %s", in.rcpt, text)}
	}
}

// rblListed asks each DNS block list zone about the client (reversed
// address under the zone, RFC 5782). A lookup failure counts as not
// listed, so that a broken list does not stop all mail.
func rblListed(ctx context.Context, in checkInput, zones []string) (string, bool) {
	name := reverseName(in.client)
	if name == "" {
		return "", false
	}
	res := in.resolver
	if res == nil {
		res = net.DefaultResolver
	}
	for _, zone := range zones {
		addrs, err := res.LookupHost(ctx, name+"."+zone)
		if err != nil {
			var dnsErr *net.DNSError
			if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
				if in.logf != nil {
					in.logf("DNS block list lookup failed", err)
				}
			}
			continue
		}
		for _, a := range addrs {
			if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() && ip.As4()[0] == 127 {
				return zone, true
			}
		}
	}
	return "", false
}

// reverseName is the DNSBL query label for ip: 4.3.2.1 for 1.2.3.4, or the
// 32 reversed nibbles of an IPv6 address.
func reverseName(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is4() {
		b := ip.As4()
		return fmt.Sprintf("%d.%d.%d.%d", b[3], b[2], b[1], b[0])
	}
	if !ip.Is6() {
		return ""
	}
	b := ip.As16()
	var parts []string
	for i := len(b) - 1; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("%x", b[i]&0xf), fmt.Sprintf("%x", b[i]>>4))
	}
	return strings.Join(parts, ".")
}
