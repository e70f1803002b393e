package conf

import (
	"net/netip"
	"time"
)

// Config is default.properties as typed values, with Hedwig 0.7's default
// for every key the file leaves out. Each field names the key it comes from.
// Paths are absolute: relative ones are resolved against AppHome.
type Config struct {
	// Properties is the file as read, for keys Config does not model (for
	// example placeholders that applicationContext.xml uses).
	Properties *Properties

	// AppHome is ${app.home}: sys["app.home"] given to Load, or else the
	// parent of the directory holding default.properties.
	AppHome string

	JDBC JDBC

	DataDirectory  string // data_directory; default ${app.home}/data
	TempDirectory  string // temp_directory; default ${app.home}/temp
	QueueDirectory string // queue_directory; default ${app.home}/spool

	// BodiesInDatabase is store_bodies_in_database: keep new message bodies
	// in the database, so several hedwig nodes can share it and nothing
	// else (docs/scaling.md); default no (Hedwig's files).
	BodiesInDatabase bool

	AuthScheme       string // auth_scheme: JAAS login entry; "" = not specified
	MIMEFileEncoding string // mime_file_encoding; default EUC-KR

	MyHostname    string         // myhostname; default the OS host name
	MyDomain      []string       // mydomain, comma list; default the host name after its first dot
	MyDestination []string       // mydestination, comma list; default host name, localhost.<domain>, localhost
	MyNetworks    []netip.Prefix // mynetworks; default 127.0.0.0/8 and each IPv4 interface network
	Postmaster    string         // postmaster; "postmaster" gets "@<domain>" appended

	TLS   TLS
	IMAP  IMAP
	SMTP  SMTP
	Spamd Spamd
	POP3  POP3
	Admin Admin
}

// JDBC holds the jdbc.* keys that applicationContext.xml uses as ${...}
// placeholders for the DBCP data source.
type JDBC struct {
	Driver    string // jdbc.driver
	URL       string // jdbc.url
	User      string // jdbc.user
	Password  string // jdbc.password
	MaxActive int    // jdbc.maxActive; default 8 (DBCP's)
	MaxIdle   int    // jdbc.maxIdle; default 8 (DBCP's)
}

// TLS is the key material for listeners with useTLS=true. Hedwig 0.7 knows
// only the first three keys and passes tls_keypass as the keystore password
// and tls_storepass as the key password (its documentation says the
// opposite), so a compatible reader tries both. The rest are hedwig's.
type TLS struct {
	Keystore  string // tls_keystore: path; "" = no TLS
	Keypass   string // tls_keypass
	Storepass string // tls_storepass

	KeystoreType      string   // tls_keystore_type: JKS, JCEKS, PKCS12, PEM; "" = detect
	Certificate       string   // tls_certificate: PEM chain path
	PrivateKey        string   // tls_private_key: PEM key path, tls_keypass decrypts it
	Protocols         []string // tls_protocols: Java names such as TLSv1.2
	CipherSuites      []string // tls_cipher_suites: IANA/Java names
	Truststore        string   // tls_truststore: path
	TruststoreType    string   // tls_truststore_type: as KeystoreType
	TruststorePass    string   // tls_truststore_pass
	ClientAuth        string   // tls_client_auth: none, want, need; default none
	OCSP              bool     // tls_ocsp; default false
	StrictPermissions bool     // tls_strict_permissions; default false
	SelfSigned        bool     // tls_self_signed: create Certificate/PrivateKey when missing; default false
}

// IMAP holds the IMAP server keys and those of the nightly disk clean-up
// job (DiskCleanupJob), which Hedwig lists under IMAP.
type IMAP struct {
	ThreadCount   int           // imap_thread_count; default 2 × CPUs
	Timeout       time.Duration // imap_timeout, in seconds; default 1800 s
	LineLimit     int           // imap_line_limit; default 8192
	TraceProtocol bool          // imap_trace_protocol; default false
	ProtocolLog   string        // imap_protocol_log: path; "" = the server log

	DefaultCacheFields []string // default_cache_fields, comma list
	DefaultQuota       int64    // default_quota, given in MB, held in bytes; 0 = none
	UIDListFetchSize   int      // uidlist_fetch_size; default 1000
	Namespaces         []string // namespaces: shared namespaces, as "#name."

	ACLAnyoneRights string // acl_anyone_rights; default lrswipkxtea
	ACLOwnerRights  string // acl_owner_rights; default lrswipkxtea
	ACLOtherRights  string // acl_other_rights; default lrswipkxtea

	CompressAfter Age           // compress_after; zero Age = never compress
	ExpungeAfter  []ExpungeRule // expunge_after: "MAILBOX AGE ..." pairs
	StopCronAfter time.Duration // stop_cron_after: h or m(inutes); default 2h
}

// SMTP holds the SMTP server (smtpd_*) and outbound delivery (smtp_*) keys.
type SMTP struct {
	HeloName              string        // smtp_helo_name; default MyHostname
	MessageSizeLimit      int64         // message_size_limit, bytes; default 10240000; 0 = none
	RecipientLimit        int           // smtp_recipient_limit; 0 = none
	SASLAuthEnable        bool          // smtp_sasl_auth_enable; default false
	TraceProtocol         bool          // smtp_trace_protocol; default false
	ProtocolLog           string        // smtp_protocol_log: path; "" = the server log
	ServerTimeout         time.Duration // smtpd_timeout, in ms; default 300000 ms
	ErrorSleepTime        time.Duration // smtpd_error_sleep_time, in seconds; default 1 s
	SoftErrorLimit        int           // smtpd_soft_error_limit; default 10
	HardErrorLimit        int           // smtpd_hard_error_limit; default 20
	ClientRestrictions    []Restriction // smtpd_client_restrictions
	SenderRestrictions    []Restriction // smtpd_sender_restrictions
	RecipientRestrictions []Restriction // smtpd_recipient_restrictions
	RelayRestrictions     []Restriction // smtpd_relay_restrictions; default permit_mynetworks, permit_sasl_authenticated, reject

	Timeout              time.Duration // smtp_timeout, in ms; default 5000 ms
	ConnectTimeout       time.Duration // smtp_connect_timeout, in ms; default 5000 ms
	MaxRetryCount        int           // max_retry_count; default 3
	MaximalQueueLifetime Age           // maximal_queue_lifetime; default 1d
	Gateway              string        // smtp_gateway: relay host for all mail; "" = direct MX delivery
	GatewayUsername      string        // smtp_gateway_username
	GatewayPassword      string        // smtp_gateway_password
	DiscardTargetMX      []string      // smtp_discard_target_mx, comma list
	TLSSecurityLevel     string        // smtp_tls_security_level: none, may, encrypt, verify; default may
}

// Restriction is one entry of an smtpd_*_restrictions list, such as
// "check_client_access /etc/hedwig/client_access" or "reject_rbl_clients
// zen.spamhaus.org".
type Restriction struct {
	Name string
	Args []string
}

// Spamd is the SpamAssassin mailet's configuration.
type Spamd struct {
	Host   string     // spamd_host; default 127.0.0.1
	Port   int        // spamd_port; default 783
	Action SpamAction // spamd_action
}

// SpamAction is what the SpamAssassin mailet does with spam: Name is
// "discard", "reject" (Argument: the rejection text) or "fileinto"
// (Argument: the folder); "" means no action. Hedwig's defaults for the
// argument are filled in.
type SpamAction struct {
	Name     string
	Argument string
}

// POP3 holds the POP3 server keys.
type POP3 struct {
	Timeout time.Duration // pop3d_timeout, in ms; default 300000 ms
}

// Admin is hedwig's admin web page (the AdminServer bean); administrators
// log in with their mail password.
type Admin struct {
	Listen string // admin_listen: default host:port of the bean; default 127.0.0.1:10080
}

// Known reports whether key is a key of Hedwig 0.7 or one of hedwig's
// extensions.
func (c *Config) Known(key string) bool { return isKnownKey(key) }
