package imap

import (
	"context"
	"io"
	"net/netip"

	"github.com/hedwigmail/hedwig/store"
)

// Store is what IMAP sessions need from the mail store; *store.Store
// implements it.
type Store interface {
	Authenticate(ctx context.Context, address, plain string, remote netip.Addr) (store.User, error)
	LookupUser(ctx context.Context, address string) (store.User, error)

	Mailboxes(ctx context.Context, ownerID int64) ([]store.Mailbox, error)
	MailboxByName(ctx context.Context, ownerID int64, name string) (store.Mailbox, error)
	MailboxByID(ctx context.Context, id int64) (store.Mailbox, error)
	CreateMailbox(ctx context.Context, ownerID int64, name string) (store.Mailbox, error)
	DeleteMailbox(ctx context.Context, ownerID int64, name string) error
	RenameMailbox(ctx context.Context, ownerID int64, from, to string) error
	Subscribe(ctx context.Context, userID, ownerID int64, name string) error
	Unsubscribe(ctx context.Context, userID int64, name string) error
	Subscriptions(ctx context.Context, userID int64) ([]string, error)
	Rights(ctx context.Context, mailboxID, userID int64) (string, error)
	ACL(ctx context.Context, mailboxID int64) ([]store.ACLEntry, error)
	SetRights(ctx context.Context, mailboxID, userID int64, rights string) error
	Status(ctx context.Context, mailboxID int64) (store.MailboxStatus, error)
	Quota(ctx context.Context, userID int64) (store.Quota, error)

	Messages(ctx context.Context, mailboxID int64) ([]store.MessageInfo, error)
	MessagesByUID(ctx context.Context, mailboxID int64, uids []int64) ([]store.MessageInfo, error)
	ClaimRecent(ctx context.Context, mailboxID int64) ([]int64, error)
	OpenBody(ctx context.Context, uid int64) (store.Body, error)
	Append(ctx context.Context, mailboxID int64, r io.Reader, opts store.AppendOptions) (int64, error)
	UpdateFlags(ctx context.Context, mailboxID int64, uids []int64, u store.FlagUpdate) (store.FlagResult, error)
	Expunge(ctx context.Context, mailboxID int64, uids []int64) ([]int64, error)
	Copy(ctx context.Context, fromMailbox int64, uids []int64, toMailbox int64) ([]store.UIDPair, error)
	Move(ctx context.Context, fromMailbox int64, uids []int64, toMailbox int64) ([]store.UIDPair, error)
	ChangedSince(ctx context.Context, mailboxID, modseq int64) ([]store.MessageInfo, error)
	ExpungedSince(ctx context.Context, mailboxID, modseq int64) ([]int64, error)
	Watch(mailboxID int64) *store.Watcher
}
