package smtp

// TEMPORARY: stands in for the store until store.Store can deliver; to be
// replaced by storebackend.go over a real SQLite store.

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

type testBackend struct {
	mu        sync.Mutex
	users     map[string]devUser
	aliases   map[string][]string
	delivered map[Target][][]byte
	queued    []queuedMessage
}

type devUser struct {
	id   int64
	pass string
}

type queuedMessage struct {
	from string
	to   []string
	data []byte
}

func newTestBackend(t *testing.T) *testBackend {
	b := &testBackend{users: map[string]devUser{}, aliases: map[string][]string{}, delivered: map[Target][][]byte{}}
	b.users["alice@example.com"] = devUser{1, alicePass}
	b.users["bob@example.com"] = devUser{2, "bob-secret"}
	b.aliases["team@example.com"] = []string{"alice@example.com", "bob@example.com"}
	return b
}

func (b *testBackend) Authenticate(ctx context.Context, remote netip.Addr, username, password string) (User, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[strings.ToLower(username)]
	if !ok || u.pass != password {
		return User{}, ErrAuthFailed
	}
	return User{ID: u.id, Name: strings.ToLower(username)}, nil
}

func (b *testBackend) Resolve(ctx context.Context, address string) (Resolution, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.users[strings.ToLower(address)]; ok {
		return Resolution{Targets: []Target{{UserID: u.id}}}, nil
	}
	if to, ok := b.aliases[strings.ToLower(address)]; ok {
		var r Resolution
		for _, a := range to {
			r.Targets = append(r.Targets, Target{UserID: b.users[a].id})
		}
		return r, nil
	}
	return Resolution{}, ErrUnknownRecipient
}

func (b *testBackend) Deliver(ctx context.Context, env *Envelope, targets []Target, msg *Message) []error {
	data, err := msg.Bytes()
	errs := make([]error, len(targets))
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, t := range targets {
		if err != nil {
			errs[i] = err
			continue
		}
		b.delivered[t] = append(b.delivered[t], data)
	}
	return errs
}

func (b *testBackend) Enqueue(ctx context.Context, env *Envelope, recipients []string, msg *Message) error {
	data, err := msg.Bytes()
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queued = append(b.queued, queuedMessage{env.From, recipients, data})
	return nil
}

// inbox returns the messages delivered to address's INBOX.
func (b *testBackend) inbox(t *testing.T, address string) [][]byte {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[address]
	if !ok {
		t.Fatalf("no user %s", address)
	}
	return b.delivered[Target{UserID: u.id}]
}

func (b *testBackend) queue(t *testing.T) []queuedMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]queuedMessage(nil), b.queued...)
}
