package conf

import (
	"math"
	"strings"
	"time"
)

func (l *loader) loadSMTP(c *Config) {
	s := &c.SMTP
	s.HeloName = l.text("smtp_helo_name", c.MyHostname)
	s.MessageSizeLimit = l.number("message_size_limit", 10240000, 0, math.MaxInt64, "a number of bytes")
	s.RecipientLimit = l.count("smtp_recipient_limit", 0)
	s.SASLAuthEnable = l.bool("smtp_sasl_auth_enable", false)
	s.TraceProtocol = l.bool("smtp_trace_protocol", false)
	s.ProtocolLog = l.path("smtp_protocol_log", "")
	s.ServerTimeout = l.millis("smtpd_timeout", 300*time.Second)
	s.ErrorSleepTime = l.seconds("smtpd_error_sleep_time", time.Second)
	s.SoftErrorLimit = l.count("smtpd_soft_error_limit", 10)
	s.HardErrorLimit = l.count("smtpd_hard_error_limit", 20)
	s.ClientRestrictions = l.restrictions("smtpd_client_restrictions", "")
	s.SenderRestrictions = l.restrictions("smtpd_sender_restrictions", "")
	s.RecipientRestrictions = l.restrictions("smtpd_recipient_restrictions", "")
	s.RelayRestrictions = l.restrictions("smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject")

	s.Timeout = l.millis("smtp_timeout", 5*time.Second)
	s.ConnectTimeout = l.millis("smtp_connect_timeout", 5*time.Second)
	s.MaxRetryCount = l.count("max_retry_count", 3)
	s.MaximalQueueLifetime = l.age("maximal_queue_lifetime", Age{N: 1, Unit: Days})
	s.Gateway = l.str("smtp_gateway", "")
	s.GatewayUsername = l.str("smtp_gateway_username", "")
	s.GatewayPassword = l.str("smtp_gateway_password", "")
	s.DiscardTargetMX = l.list("smtp_discard_target_mx", nil)
	s.TLSSecurityLevel = l.choice("smtp_tls_security_level", "may", "none", "may", "encrypt", "verify")
}

// restrictions reads an smtpd_*_restrictions key. An access table without a
// path gets Hedwig's default file; paths are resolved like other paths.
func (l *loader) restrictions(key, def string) []Restriction {
	v := l.str(key, def)
	rs, err := parseRestrictions(key, v)
	if err != nil {
		l.diags.Errorf(l.pos(key), key, "%w", err)
		if rs, err = parseRestrictions(key, def); err != nil {
			return nil
		}
	}
	for i := range rs {
		file, isTable := accessTableDefaults[rs[i].Name]
		if !isTable {
			continue
		}
		if len(rs[i].Args) > 0 {
			file = rs[i].Args[0]
			if len(rs[i].Args) > 1 {
				l.diags.Warnf(l.pos(key), key, "%s takes one file; %q ignored, as by Hedwig", rs[i].Name, strings.Join(rs[i].Args[1:], " "))
			}
		}
		if strings.Contains(file, "${") {
			l.diags.Warnf(l.pos(key), key, "%s: %q names a system property hedwig does not know, so the path keeps it literally", rs[i].Name, file)
		}
		if p, ok := l.resolvePath(key, file); ok {
			rs[i].Args = []string{p}
		}
	}
	return rs
}
