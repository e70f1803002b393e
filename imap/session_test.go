package imap

import (
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/listener"
)

func TestSessionBasics(t *testing.T) {
	st := testStore(t)
	alice := addUser(t, st, "alice@example.com", "s3cret")
	msg := sampleMessage("hello world")
	uid := deliver(t, st, alice, msg)
	srv := startServer(t, st, listener.Implicit, Config{})
	c := dial(t, srv.addr, clientTLS(t, ""))
	c.login("alice@example.com", "s3cret")
	lines := c.ok("SELECT INBOX")
	t.Log(strings.Join(lines, "\n"))
	lines = c.ok("FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[])")
	t.Log(strings.Join(lines, "\n"))
	_ = uid
	lines = c.ok("UID SEARCH FROM bob TEXT köln")
	t.Log(lines)
	lines = c.ok("LIST \"\" *")
	t.Log(lines)
}
