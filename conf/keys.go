package conf

import (
	"github.com/hedwigmail/hedwig/internal/typo"
	"slices"
	"strings"
)

// hedwigKeys are the keys Hedwig 0.7 reads from default.properties, found in
// its Config class, the mailets, the protocol servers and, for jdbc.*, the
// placeholders of applicationContext.xml.
var hedwigKeys = []string{
	"jdbc.driver", "jdbc.url", "jdbc.user", "jdbc.password", "jdbc.maxActive", "jdbc.maxIdle",
	"data_directory", "temp_directory", "queue_directory",
	"tls_keystore", "tls_keypass", "tls_storepass",
	"auth_scheme",
	"compress_after", "expunge_after", "stop_cron_after",
	"default_cache_fields", "default_quota", "uidlist_fetch_size", "namespaces",
	"acl_anyone_rights", "acl_owner_rights", "acl_other_rights",
	"imap_thread_count", "imap_timeout", "imap_line_limit", "imap_trace_protocol", "imap_protocol_log",
	"mime_file_encoding",
	"mydomain", "myhostname", "mydestination", "mynetworks",
	"max_retry_count", "maximal_queue_lifetime", "message_size_limit", "postmaster",
	"smtp_helo_name", "smtp_recipient_limit", "smtp_sasl_auth_enable",
	"smtp_timeout", "smtp_connect_timeout", "smtp_trace_protocol", "smtp_protocol_log",
	"smtp_gateway", "smtp_gateway_username", "smtp_gateway_password", "smtp_discard_target_mx",
	"smtpd_error_sleep_time", "smtpd_hard_error_limit", "smtpd_soft_error_limit", "smtpd_timeout",
	"smtpd_client_restrictions", "smtpd_sender_restrictions",
	"smtpd_recipient_restrictions", "smtpd_relay_restrictions",
	"spamd_host", "spamd_port", "spamd_action",
	"pop3d_timeout",
}

// extensionKeys are hedwig's own keys; see the package documentation.
var extensionKeys = []string{
	"tls_keystore_type", "tls_certificate", "tls_private_key", "tls_protocols", "tls_cipher_suites",
	"tls_truststore", "tls_truststore_type", "tls_truststore_pass", "tls_client_auth",
	"tls_ocsp", "tls_strict_permissions", "tls_self_signed",
	"smtp_tls_security_level", "store_bodies_in_database",
	"admin_listen",
}

var knownKeySet = func() map[string]bool {
	m := make(map[string]bool, len(hedwigKeys)+len(extensionKeys))
	for _, k := range hedwigKeys {
		m[k] = true
	}
	for _, k := range extensionKeys {
		m[k] = true
	}
	return m
}()

func isKnownKey(key string) bool { return knownKeySet[key] }

// KnownKeys returns every key Load understands, Hedwig 0.7's first and then
// hedwig's extensions.
func KnownKeys() []string { return slices.Concat(hedwigKeys, extensionKeys) }

// IsExtensionKey reports whether key is one of hedwig's keys that Hedwig 0.7
// did not have.
func IsExtensionKey(key string) bool { return slices.Contains(extensionKeys, key) }

// suggestKey returns the known key that an unknown key is probably a typo
// of, or "".
func suggestKey(key string) string {
	norm := normalizeKey(key)
	best, bestDist := "", 3
	if len(key) < 6 {
		bestDist = 2
	}
	for _, k := range KnownKeys() {
		if normalizeKey(k) == norm {
			return k
		}
		if abs(len(key)-len(k)) >= bestDist {
			continue // the distance is at least the difference in length
		}
		if d := typo.Distance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// normalizeKey folds the differences a person easily overlooks: case and
// the choice of '-', '.' or '_' as a word separator.
func normalizeKey(key string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, strings.ToLower(key))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
