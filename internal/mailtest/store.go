package mailtest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/hedwigmail/hedwig/store"
)

// NewStore opens a real SQLite store in a fresh temporary directory, serving
// Domain; tune, if given, adjusts the options first. The store is closed
// when the test ends.
func NewStore(t testing.TB, tune ...func(*store.Options)) *store.Store {
	t.Helper()
	return OpenStore(t, t.TempDir(), tune...)
}

// OpenStore opens the SQLite store in dir, creating it if needed. Two
// stores opened on one dir stand for two hedwig processes on one database.
func OpenStore(t testing.TB, dir string, tune ...func(*store.Options)) *store.Store {
	t.Helper()
	ds, err := store.ParseDataSource("jdbc:sqlite:hedwig.db", "", "", dir)
	if err != nil {
		t.Fatalf("test store in %s: %v", dir, err)
	}
	opts := store.Options{
		DataDirectory: DataDirectory(dir),
		Domains:       []string{Domain},
	}
	for _, f := range tune {
		f(&opts)
	}
	st, err := store.Open(context.Background(), ds, opts)
	if err != nil {
		t.Fatalf("open test store in %s: %v", dir, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// DataDirectory is where a store opened on dir keeps message files.
func DataDirectory(dir string) string { return filepath.Join(dir, "data") }

// AddUser creates a user with a password.
func AddUser(t testing.TB, st *store.Store, address, password string) store.User {
	t.Helper()
	u, err := st.AddUser(context.Background(), address, password)
	if err != nil {
		t.Fatalf("add user %s: %v", address, err)
	}
	return u
}

// Deliver puts msg into u's INBOX and returns its UID.
func Deliver(t testing.TB, st *store.Store, u store.User, msg []byte) int64 {
	t.Helper()
	uid, err := st.Deliver(context.Background(), u.ID, "", bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("deliver to %s: %v", u.Login, err)
	}
	return uid
}
