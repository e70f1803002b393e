package james

import "strings"

// handlerFeatures maps the Java handler classes of James's handlerchains
// to what does that job in hedwig: a built-in part of the protocol
// ("core"), a Hedwig setting or restriction of the same effect. Classes
// not listed here have no hedwig counterpart and are reported.
var handlerFeatures = map[string]string{
	// The core command sets.
	"org.apache.james.smtpserver.CoreCmdHandlerLoader":            "core",
	"org.apache.james.lmtpserver.CoreCmdHandlerLoader":            "core",
	"org.apache.james.pop3server.core.CoreCmdHandlerLoader":       "core",
	"org.apache.james.smtpserver.NoAuthCmdHandlerLoader":          "core without AUTH",
	"org.apache.james.smtpserver.JamesDataCmdHandler":             "core",
	"org.apache.james.smtpserver.JamesMailCmdHandler":             "core",
	"org.apache.james.smtpserver.JamesRcptCmdHandler":             "core",
	"org.apache.james.smtpserver.JamesWelcomeMessageHandler":      "core",
	"org.apache.james.smtpserver.DataLineJamesMessageHookHandler": "core",
	"org.apache.james.smtpserver.SendMailHandler":                 "core",
	"org.apache.james.smtpserver.AddDefaultAttributesMessageHook": "core",
	"org.apache.james.smtpserver.UsersRepositoryAuthHook":         "core",
	"org.apache.james.smtpserver.jmx.JMXHandlersLoader":           "metrics",

	// Policy hooks with a Hedwig equivalent.
	"org.apache.james.smtpserver.fastfail.ValidRcptHandler":              "reject_unlisted_recipient",
	"org.apache.james.smtpserver.fastfail.DNSRBLHandler":                 "reject_rbl_clients",
	"org.apache.james.protocols.smtp.core.fastfail.DNSRBLHandler":        "reject_rbl_clients",
	"org.apache.james.smtpserver.fastfail.MaxRcptHandler":                "smtp_recipient_limit",
	"org.apache.james.protocols.smtp.core.fastfail.MaxRcptHandler":       "smtp_recipient_limit",
	"org.apache.james.smtpserver.fastfail.MaxUnknownCmdHandler":          "smtpd_hard_error_limit",
	"org.apache.james.protocols.smtp.core.fastfail.MaxUnknownCmdHandler": "smtpd_hard_error_limit",
	"org.apache.james.smtpserver.AuthRequiredToRelayRcptHook":            "smtpd_relay_restrictions",
	"org.apache.james.smtpserver.SenderAuthIdentifyVerificationHook":     "verifyIdentity",
	"org.apache.james.smtpserver.SenderAuthIdentifyVerificationRcptHook": "verifyIdentity",
}

// handlerFeature returns the hedwig equivalent of class, "" if none.
func handlerFeature(class string) string {
	return handlerFeatures[strings.TrimSpace(class)]
}
