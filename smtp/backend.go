package smtp

import (
	"context"
	"net/netip"
	"time"
)

// Backend is what an SMTP or LMTP session needs from the mail store and
// the outbound queue, and nothing more. Errors of type *Error choose the
// reply the client sees; any other error is reported as a temporary
// failure (451 4.3.0) and logged.
type Backend interface {
	// Authenticate checks a user name and password (AUTH PLAIN and LOGIN)
	// and returns the user. A wrong name or password is ErrAuthFailed.
	// remote is the client's address, for rate limiting.
	Authenticate(ctx context.Context, remote netip.Addr, username, password string) (User, error)

	// Resolve maps an address in a local domain to where its mail goes:
	// users' mailboxes (aliases expanded) and forward addresses. An address
	// nobody owns is ErrUnknownRecipient; a full mailbox may be reported
	// here as ErrMailboxFull so that the client learns it at RCPT.
	Resolve(ctx context.Context, address string) (Resolution, error)

	// Deliver stores msg in each target's mailbox and returns only when
	// every stored copy is durable (on disk and committed). It returns one
	// error per target, in order; nil means delivered.
	Deliver(ctx context.Context, env *Envelope, targets []Target, msg *Message) []error

	// Enqueue stores msg durably in the outbound queue for the given
	// recipients and returns once it is safe on disk. The queue then owns
	// those recipients: it delivers remote ones by SMTP and retries local
	// ones that failed temporarily, bouncing what cannot be delivered.
	Enqueue(ctx context.Context, env *Envelope, recipients []string, msg *Message) error
}

// Resolution is where mail for one local address goes.
type Resolution struct {
	Targets []Target // mailboxes on this server
	Forward []string // addresses elsewhere that get a copy through the queue
}

// Target is one mailbox that receives a message.
type Target struct {
	UserID  int64  // the store's id of the mailbox owner
	Mailbox string // mailbox name; "" is the owner's INBOX
}

// User is an authenticated user.
type User struct {
	ID   int64  // the store's id, as in Target.UserID
	Name string // canonical login name, for logs and the Received header
}

// Envelope describes one accepted message: who sent it, from where, and
// how the client was authenticated. Backends use it for logging, the
// queue file, and bounces.
type Envelope struct {
	ID         string    // queue id, also in the Received header and the logs
	From       string    // reverse-path; "" is the null sender of bounces
	Recipients []string  // every accepted forward-path, in RCPT order
	Received   time.Time // when the end of data arrived
	EightBit   bool      // BODY=8BITMIME
	SMTPUTF8   bool      // SMTPUTF8 parameter given (RFC 6531)
	Client     Client
}

// Client is what a session knows about the connected client.
type Client struct {
	Addr      netip.AddrPort
	Helo      string // EHLO/HELO/LHLO argument
	User      string // authenticated user, "" if none
	TLS       string // e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256", "" without TLS
	Protocol  string // RFC 3848 with-protocol: ESMTP, ESMTPSA, LMTP, …
	CertValid bool   // a client certificate was presented and verified
}
