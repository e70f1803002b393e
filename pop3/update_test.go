package pop3

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// QUIT removes exactly the messages marked with DELE, in one transaction:
// a message an IMAP client flagged \Deleted (but did not expunge) stays,
// and IMAP watchers of the INBOX are told once.
func TestQuitRemovesExactlyDeleted(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	ctx := context.Background()
	third := mailtest.Deliver(t, f.st, f.user, sampleMessage("third message"))
	uids := append(slices.Clone(f.uids), third)
	inbox, err := f.st.MailboxByName(ctx, f.user.ID, store.InboxName)
	if err != nil {
		t.Fatal(err)
	}
	// An IMAP client marks message 2 \Deleted.
	if _, err := f.st.UpdateFlags(ctx, inbox.ID, uids[1:2], store.FlagUpdate{Op: store.FlagsAdd, Flags: store.FlagDeleted}); err != nil {
		t.Fatal(err)
	}
	before, err := f.st.MailboxByID(ctx, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := f.st.Watch(inbox.ID)
	defer w.Close()

	c := f.pop3s(t)
	c.cmdOK("DELE 1")
	c.cmdOK("DELE 3")
	if got := c.cmdOK("QUIT"); !strings.Contains(got, "(1 messages left)") {
		t.Errorf("QUIT = %q", got)
	}
	ev := <-w.C
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, uids[1:2]) {
		t.Fatalf("after DELE 1, DELE 3, QUIT the INBOX holds %v, want %v", got, uids[1:2])
	}
	gone, err := f.st.ExpungedSince(ctx, inbox.ID, before.HighestModSeq)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{uids[0], uids[2]}; !slices.Equal(gone, want) {
		t.Errorf("expunged %v, want %v", gone, want)
	}
	after, err := f.st.MailboxByID(ctx, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	// One transaction: one modseq for both removals, and the watcher's
	// event names it.
	if ev.MailboxID != inbox.ID || ev.ModSeq != after.HighestModSeq || after.HighestModSeq != before.HighestModSeq+1 {
		t.Errorf("event %+v; modseq %d → %d", ev, before.HighestModSeq, after.HighestModSeq)
	}
	msgs, err := f.st.Messages(ctx, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Flags&store.FlagDeleted == 0 {
		t.Errorf("the IMAP client's \\Deleted message: %+v", msgs)
	}
}

// Two hedwig processes on one database (two stores on one SQLite file,
// each with its own POP3S listener) share the maildrop lock.
func TestMaildropLockedAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	one, two := mailtest.OpenStore(t, dir), mailtest.OpenStore(t, dir)
	u := mailtest.AddUser(t, one, "alice@example.com", "secret")
	uid := mailtest.Deliver(t, one, u, sampleMessage("shared"))
	srvOne := startServer(t, one, listener.Implicit, Config{})
	srvTwo := startServer(t, two, listener.Implicit, Config{})

	a := dialTLS(t, srvOne.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	a.login("alice@example.com", "secret")
	b := dialTLS(t, srvTwo.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	b.cmdOK("USER alice@example.com")
	b.cmdErr("PASS secret", "-ERR [IN-USE]")
	a.cmdOK("DELE 1")
	a.cmdOK("QUIT")

	// Released at QUIT: the other process's session gets in at once.
	b.login("alice@example.com", "secret")
	if got := b.cmdOK("STAT"); got != "+OK 0 0" {
		t.Errorf("STAT in the other process after QUIT = %q", got)
	}
	// A dropped connection releases the lock too.
	b.conn.Close()
	srvTwo.waitIdle(t)
	c := dialTLS(t, srvOne.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c.login("alice@example.com", "secret")
	c.cmdOK("QUIT")
	if got := inboxUIDs(t, two, u); slices.Contains(got, uid) {
		t.Errorf("the other process still sees message %d", uid)
	}
}
