package webapp

import (
	"context"
	"net/netip"
	"time"
)

// Source is what the admin pages show and change. The running server
// implements it (package container); the pages know nothing of beans,
// listeners or stores beyond these types.
type Source interface {
	// Listeners is a snapshot of every listener, in configuration order.
	Listeners() []Listener
	// Beans lists the bean definitions of the configuration file, in file
	// order, with what the editor may change.
	Beans() ([]Bean, error)
	// SetProperties changes properties of one bean in the configuration
	// file. It checks the whole configuration with the change applied, as
	// `hedwig check` would, and writes the file (atomically, keeping the
	// previous version as a backup) only when that finds no error. The
	// result lists every problem found, errors first, and whether it was
	// saved; err is for failures to read or write the file.
	SetProperties(ctx context.Context, bean string, values map[string]string) (EditResult, error)
}

// Listener is one protocol listener as the admin page shows it.
type Listener struct {
	Bean     string // bean id, e.g. "imaps.server"
	Protocol string // smtp, lmtp, imap, pop3
	Addr     string // host:port it is bound to (or configured for)
	TLSMode  string // "none", "STARTTLS", "implicit TLS"
	Executor string // bean id of the shared task executor, "" for its own
	State    string // "accepting", "stopped"

	Open           int    // connections open now
	Accepted       uint64 // connections accepted since start
	Busy           uint64 // connections refused because the executor was full
	HandshakeFails uint64 // TLS handshakes that failed

	Certificate *Certificate // nil without TLS
}

// Certificate is the server certificate a TLS listener presents.
type Certificate struct {
	Subject  string
	Issuer   string
	NotAfter time.Time
	DNSNames []string
	Source   string // the keystore or PEM file it was loaded from
}

// Bean is one bean definition of the configuration file.
type Bean struct {
	ID         string
	Class      string
	File       string // the file that defines it
	Line       int
	Properties []Property
}

// Property is one <property> of a bean definition.
type Property struct {
	Name     string
	Value    string // literal value as written (placeholders unexpanded)
	Ref      string // bean it refers to, when the property is a ref
	Editable bool   // a plain literal value the editor may change
}

// EditResult is the outcome of SetProperties.
type EditResult struct {
	Saved    bool
	Problems []Problem // errors first
	Backup   string    // path of the previous version, when saved
	Restart  bool      // the change takes effect only after a restart
}

// Problem is one finding of the configuration check.
type Problem struct {
	Severity string // "error", "warning", "info"
	Where    string // file:line
	Message  string
}

// Authenticator checks an administrator's password; it rate-limits
// failures itself. The address is the client's, for those limits.
type Authenticator func(ctx context.Context, remote netip.Addr, user, password string) error
