package conf

import (
	"fmt"
	"github.com/hedwigmail/hedwig/internal/typo"
	"slices"
	"strings"
)

// restrictionStages lists, for each smtpd_*_restrictions key, the
// restrictions Hedwig's HookFactory accepts there (the hook must implement
// that stage's interface; anything else stopped Hedwig at startup).
var restrictionStages = map[string][]string{
	"smtpd_client_restrictions": {
		"check_client_access", "check_recipient_access", "check_sender_access",
		"permit_mynetworks", "reject", "reject_rbl_clients",
	},
	"smtpd_sender_restrictions": {
		"check_client_access", "check_recipient_access", "check_sender_access",
		"permit_sasl_authenticated", "reject_unauthenticated_sender",
	},
	"smtpd_recipient_restrictions": rcptRestrictions,
	"smtpd_relay_restrictions":     rcptRestrictions,
}

// restrictionKeys orders restrictionStages for messages.
var restrictionKeys = []string{
	"smtpd_client_restrictions", "smtpd_sender_restrictions",
	"smtpd_recipient_restrictions", "smtpd_relay_restrictions",
}

var rcptRestrictions = []string{
	"check_client_access", "check_recipient_access", "check_sender_access",
	"permit_mynetworks", "permit_sasl_authenticated", "reject",
	"reject_unauthenticated_sender", "reject_unlisted_recipient",
}

// accessTableDefaults are the files check_*_access reads when no path is
// given, relative to ${app.home}.
var accessTableDefaults = map[string]string{
	"check_client_access":    "conf/client_access",
	"check_recipient_access": "conf/recipient_access",
	"check_sender_access":    "conf/sender_access",
}

// parseRestrictions parses an smtpd_*_restrictions value: entries separated
// by commas, each a restriction name followed by space-separated arguments.
func parseRestrictions(key, s string) ([]Restriction, error) {
	allowed := restrictionStages[key]
	var out []Restriction
	for _, item := range strings.Split(s, ",") {
		tokens := strings.Fields(item)
		if len(tokens) == 0 {
			continue
		}
		name := tokens[0]
		if !slices.Contains(allowed, name) {
			return nil, unsupportedRestriction(key, name, allowed)
		}
		r := Restriction{Name: name, Args: tokens[1:]}
		if name == "reject_rbl_clients" && len(r.Args) == 0 {
			return nil, fmt.Errorf("reject_rbl_clients needs at least one DNS blocklist domain, e.g. reject_rbl_clients zen.spamhaus.org")
		}
		if len(r.Args) == 0 {
			r.Args = nil
		}
		out = append(out, r)
	}
	return out, nil
}

func unsupportedRestriction(key, name string, allowed []string) error {
	for _, stage := range restrictionKeys {
		if stage != key && slices.Contains(restrictionStages[stage], name) {
			return fmt.Errorf("%q cannot be used in %s (Hedwig allows it in %s); allowed here: %s",
				name, key, stage, strings.Join(allowed, ", "))
		}
	}
	hint := ""
	if best := typo.Nearest(name, allowed, 3); best != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", best)
	}
	return fmt.Errorf("unsupported restriction %q%s; allowed here: %s", name, hint, strings.Join(allowed, ", "))
}

// spamActions are Hedwig's SpamAssassin actions and the argument each takes
// when none is given.
var spamActions = map[string]string{
	"discard":  "",
	"reject":   "Email rejected. Looks like spam.",
	"fileinto": "Junk",
}

// parseSpamAction parses spamd_action: an action name, then optionally its
// argument, which may be in double quotes (fileinto "Junk").
func parseSpamAction(s string) (SpamAction, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return SpamAction{}, nil
	}
	name, arg := s, ""
	if i := strings.IndexAny(s, " \t\f"); i >= 0 {
		name, arg = s[:i], s[i+1:]
	}
	def, ok := spamActions[name]
	if !ok {
		return SpamAction{}, fmt.Errorf("%q is not a spam action; use discard, reject [message] or fileinto [folder]", name)
	}
	arg = strings.Trim(strings.TrimSpace(arg), `"`)
	if arg == "" {
		arg = def
	}
	return SpamAction{Name: name, Argument: arg}, nil
}
