package pop3

import (
	"context"
	"net/netip"
	"time"

	"github.com/hedwigmail/hedwig/store"
)

// Store is what POP3 sessions need from the mail store; *store.Store
// satisfies it. Implementations must be comparable (a pointer), because
// LOGIN-DELAY's record of recent logins is keyed by store.
type Store interface {
	// Authenticate checks a password, rate-limited per remote address and
	// per user; it fails with store.ErrAuthFailed or store.ErrRateLimited.
	Authenticate(ctx context.Context, address, plain string, remote netip.Addr) (store.User, error)
	// LookupUser finds a user by address (SASL EXTERNAL).
	LookupUser(ctx context.Context, address string) (store.User, error)
	// MailboxByName finds the INBOX; store.ErrNotFound when there is none.
	MailboxByName(ctx context.Context, ownerID int64, name string) (store.Mailbox, error)
	// Messages lists a mailbox in UID order.
	Messages(ctx context.Context, mailboxID int64) ([]store.MessageInfo, error)
	// OpenBody returns a message's content exactly as delivered;
	// store.ErrNotFound when the message is gone.
	OpenBody(ctx context.Context, uid int64) (store.Body, error)
	// ExpungeUIDs removes exactly the given messages in one transaction,
	// whatever their flags: QUIT's UPDATE state. It tells IMAP sessions on
	// the mailbox.
	ExpungeUIDs(ctx context.Context, mailboxID int64, uids []int64) ([]int64, error)
	// LockMailbox takes the maildrop lock, a lease shared by every process
	// on the database and renewed until release is called; it fails with
	// store.ErrLocked while another session holds it.
	LockMailbox(ctx context.Context, mailboxID int64, ttl time.Duration) (release func(), err error)
}

// APOPStore is implemented by stores that can check an APOP digest (RFC
// 1939 §7), the MD5 of timestamp and password, for users whose password is
// kept in plaintext (Hedwig's hw_user.passwd without an encoder). Failures
// are store.ErrAuthFailed and store.ErrRateLimited, as for Authenticate.
// The greeting carries an APOP timestamp only when the store implements it,
// as *store.Store does.
type APOPStore interface {
	AuthenticateAPOP(ctx context.Context, address, timestamp, digest string, remote netip.Addr) (store.User, error)
}
