package smtp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/hedwigmail/hedwig/store"
)

// Queue is the outbound queue: it takes a message for recipients that are
// not (or not yet) delivered here and returns once it is durable.
type Queue interface {
	Enqueue(ctx context.Context, env *Envelope, recipients []string, msg *Message) error
}

// StoreBackend is the Backend of a running server: local mail goes into a
// store.Store, everything else into a Queue.
type StoreBackend struct {
	store *store.Store
	queue Queue
}

var _ Backend = (*StoreBackend)(nil)

// NewStoreBackend delivers into st and queues into q. Without a queue,
// mail that needs one (remote recipients, forwards) is refused with a
// temporary error.
func NewStoreBackend(st *store.Store, q Queue) *StoreBackend {
	return &StoreBackend{store: st, queue: q}
}

// Authenticate checks a password with the store's rate limits.
func (b *StoreBackend) Authenticate(ctx context.Context, remote netip.Addr, username, password string) (User, error) {
	u, err := b.store.Authenticate(ctx, username, password, remote)
	switch {
	case errors.Is(err, store.ErrAuthFailed):
		return User{}, ErrAuthFailed
	case errors.Is(err, store.ErrRateLimited):
		return User{}, &Error{454, "4.7.0", "Too many failed authentications; try again later"}
	case err != nil:
		return User{}, err
	}
	return User{ID: u.ID, Name: u.Login}, nil
}

// Resolve applies the store's users, aliases and forwards.
func (b *StoreBackend) Resolve(ctx context.Context, address string) (Resolution, error) {
	res, err := b.store.Resolve(ctx, address)
	if errors.Is(err, store.ErrNotFound) {
		return Resolution{}, ErrUnknownRecipient
	}
	if err != nil {
		return Resolution{}, err
	}
	out := Resolution{Forward: res.Remote}
	for _, d := range res.Local {
		out.Targets = append(out.Targets, Target{UserID: d.UserID, Mailbox: d.Mailbox})
	}
	return out, nil
}

// Deliver stores one copy of msg for all targets (one message file, as
// Hedwig does) and returns when it is durable.
func (b *StoreBackend) Deliver(ctx context.Context, env *Envelope, targets []Target, msg *Message) []error {
	deliveries := make([]store.Delivery, len(targets))
	for i, t := range targets {
		deliveries[i] = store.Delivery{UserID: t.UserID, Mailbox: t.Mailbox}
	}
	errs := make([]error, len(targets))
	results, err := b.store.DeliverAll(ctx, deliveries, msg.NewReader())
	if err == nil && len(results) != len(targets) {
		err = fmt.Errorf("store returned %d results for %d mailboxes", len(results), len(targets))
	}
	for i := range errs {
		if err != nil {
			errs[i] = fmt.Errorf("deliver %s: %w", env.ID, err)
		} else {
			errs[i] = storeError(results[i].Err)
		}
	}
	return errs
}

// storeError gives a delivery failure its SMTP meaning.
func storeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrOverQuota):
		return ErrMailboxFull
	case errors.Is(err, store.ErrNotFound):
		return &Error{550, "5.1.1", "Mailbox unavailable"}
	}
	return err
}

// Enqueue hands msg to the outbound queue.
func (b *StoreBackend) Enqueue(ctx context.Context, env *Envelope, recipients []string, msg *Message) error {
	if b.queue == nil {
		return &Error{451, "4.3.0", "No outbound queue configured; cannot relay now"}
	}
	return b.queue.Enqueue(ctx, env, recipients, msg)
}
