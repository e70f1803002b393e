package smtp

import (
	"context"
	"io"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/store"
)

// testBackend is the server's real backend over a SQLite store in a
// temporary directory, with helpers to look into mailboxes. It has no
// outbound queue (package smtp/queue tests the queue end to end).
type testBackend struct {
	*StoreBackend
	store *store.Store
	users map[string]int64
}

// newTestBackend opens a store holding alice and bob in example.com and
// an alias team@example.com for both.
func newTestBackend(t testing.TB) *testBackend {
	t.Helper()
	st := mailtest.NewStore(t)
	b := &testBackend{StoreBackend: NewStoreBackend(st, nil), store: st, users: map[string]int64{}}
	for addr, pass := range map[string]string{"alice@example.com": alicePass, "bob@example.com": "bob-secret"} {
		b.users[addr] = mailtest.AddUser(t, st, addr, pass).ID
	}
	for _, to := range []string{"alice@example.com", "bob@example.com"} {
		if err := st.AddAlias(context.Background(), "team@example.com", to); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// inbox reads back every message in address's INBOX, in UID order.
func (b *testBackend) inbox(t testing.TB, address string) [][]byte {
	t.Helper()
	ctx := context.Background()
	id, ok := b.users[address]
	if !ok {
		t.Fatalf("no user %s", address)
	}
	mb, err := b.store.MailboxByName(ctx, id, "INBOX")
	if err != nil {
		return nil // created at the first delivery
	}
	msgs, err := b.store.Messages(ctx, mb.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, m := range msgs {
		body, err := b.store.OpenBody(ctx, m.UID)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}
