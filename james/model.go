package james

import (
	"net/netip"
	"time"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
)

// Config is what hedwig takes over from a James conf/ directory.
type Config struct {
	// Servers are the <smtpserver>, <imapserver>, <pop3server> and
	// <lmtpserver> elements in file order (smtp, lmtp, imap, pop3),
	// disabled ones included with Enabled false.
	Servers []Server
	// Domains are domainlist.xml's domainnames, with DefaultDomain added
	// when it is not among them (James adds it at start).
	Domains       []string
	DefaultDomain string
	// PasswordAlgorithm is usersrepository.xml's algorithm (e.g.
	// "PBKDF2-SHA512"), PasswordHashingMode its hashingMode; "" when unset.
	PasswordAlgorithm   string
	PasswordHashingMode string
	// Files are the configuration files that were read.
	Files []string
}

// TLSMode says how a server offers TLS, from <tls socketTLS startTLS>.
type TLSMode int

const (
	TLSNone     TLSMode = iota // both attributes false: no TLS
	TLSStartTLS                // startTLS="true": STARTTLS (STLS for POP3)
	TLSImplicit                // socketTLS="true": TLS from the first byte
)

func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "startTLS"
	case TLSImplicit:
		return "implicit"
	}
	return "none"
}

// AuthAnnounce is SMTP's auth/announce: to whom AUTH is offered in EHLO.
type AuthAnnounce int

const (
	AnnounceNever        AuthAnnounce = iota // "never"
	AnnounceUnauthorized                     // "forUnauthorizedAddresses"
	AnnounceAlways                           // "always"
)

func (a AuthAnnounce) String() string {
	switch a {
	case AnnounceUnauthorized:
		return "forUnauthorizedAddresses"
	case AnnounceAlways:
		return "always"
	}
	return "never"
}

// Server is one James protocol server. For a disabled server only
// Protocol, Name, Enabled and Pos are set: James reads nothing else.
type Server struct {
	Protocol string // "smtp", "imap", "pop3" or "lmtp"
	// Name is the jmxName, or James's default name ("smtpserver", ...)
	// with "-2", "-3" added when several servers of a file lack one.
	Name    string
	Enabled bool
	// Binds are host:port addresses; James's default is 0.0.0.0 and the
	// protocol's port (25, 143, 110, 24).
	Binds []string

	TLSMode TLSMode
	// TLS is the <tls> block for security.LoadKeyMaterial and
	// security.NewPolicy; zero when TLSMode is TLSNone. Origin is the
	// <tls> element's file:line, Names James's element names.
	TLS security.Settings

	// ConnectionTimeout is connectiontimeout (seconds in the file; James's
	// default 300 s); 0 means no limit.
	ConnectionTimeout time.Duration
	// ConnectionLimit and ConnectionLimitPerIP: 0 means no limit.
	ConnectionLimit      int
	ConnectionLimitPerIP int

	// HelloName is <helloName> when autodetect="false"; "" means the
	// host's own name (James's default, autodetect="true").
	HelloName string
	// Greeting is SMTP's smtpGreeting; "" means the default.
	Greeting string

	// AuthAnnounce, AuthRequired (auth/required), RequireSSL (AUTH only
	// over TLS: SMTP auth/requireSSL, IMAP auth/requireSSL or
	// plainAuthDisallowed) and PlainAuthEnabled (auth/plainAuthEnabled).
	AuthAnnounce     AuthAnnounce
	AuthRequired     bool
	RequireSSL       bool
	PlainAuthEnabled bool
	// AuthorizedAddresses may relay without AUTH (SMTP).
	AuthorizedAddresses []netip.Prefix
	// VerifyIdentity refuses a MAIL FROM the authenticated user does not
	// own (SMTP; James's default is true).
	VerifyIdentity bool
	// MaxMessageBytes is maxmessagesize in bytes; 0 means no limit.
	MaxMessageBytes int64
	// MaxLineLength is the longest command line accepted; 0 means the
	// protocol's default.
	MaxLineLength int
	// AddressBracketsEnforcement requires <> around SMTP addresses.
	AddressBracketsEnforcement bool

	// Handlers is the handlerchain: the core loader first when
	// coreHandlersPackage names one, then each <handler class>.
	Handlers []Handler

	IMAP IMAPOptions

	// Pos is the server element's file:line.
	Pos diag.Pos
}

// IMAPOptions are the imapserver-only settings.
type IMAPOptions struct {
	EnableIdle bool          // enableIdle (default true)
	IdleTime   time.Duration // idleTimeInterval × idleTimeIntervalUnit: keep-alive during IDLE
	// LiteralSizeLimit and InMemorySizeLimit are bytes; 0 means the default.
	LiteralSizeLimit  int64
	InMemorySizeLimit int64
	// Timeout is the session inactivity limit (timeout, seconds; at least
	// 30 minutes, RFC 3501 §5.4).
	Timeout  time.Duration
	Compress bool // compress: COMPRESS=DEFLATE
}

// Handler is one Java handler class of a handlerchain and what it is
// in hedwig.
type Handler struct {
	Class string
	// Feature is the hedwig equivalent: "core" (built into the protocol),
	// "core without AUTH", "metrics", or the Hedwig setting of the same
	// effect ("reject_unlisted_recipient", "reject_rbl_clients",
	// "smtp_recipient_limit", "smtpd_hard_error_limit",
	// "smtpd_relay_restrictions", "verifyIdentity"); "" when hedwig has none.
	Feature string
	// Params are the handler's own settings: the text of each leaf
	// element under <handler>, keyed by its dotted path, e.g.
	// "rblservers.blacklist" for DNSRBLHandler or "maxRcpt" for
	// MaxRcptHandler; values in file order.
	Params map[string][]string
	Pos    diag.Pos
}
