package pop3

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// fixture is a store with alice and two messages in her INBOX, served by
// a listener in the TLS mode the test chooses.
type fixture struct {
	st   *store.Store
	srv  *server
	user store.User
	msgs [][]byte
	uids []int64
}

func newFixture(t *testing.T, mode listener.TLSMode, cfg Config) *fixture {
	t.Helper()
	st := mailtest.NewStore(t)
	f := &fixture{st: st, user: mailtest.AddUser(t, st, "alice@example.com", "secret")}
	for _, subj := range []string{"first message", "second message"} {
		m := sampleMessage(subj)
		f.msgs = append(f.msgs, m)
		f.uids = append(f.uids, mailtest.Deliver(t, st, f.user, m))
	}
	f.srv = startServer(t, st, mode, cfg)
	return f
}

// dialPOP3S connects over implicit TLS (without a client certificate)
// and reads the greeting.
func (f *fixture) dialPOP3S(t *testing.T) *client {
	t.Helper()
	return dialTLS(t, f.srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
}

// pop3s logs alice in over implicit TLS.
func (f *fixture) pop3s(t *testing.T) *client {
	t.Helper()
	c := f.dialPOP3S(t)
	c.login("alice@example.com", "secret")
	return c
}

func TestRetrieveAndDelete(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.dialPOP3S(t)
	if got := c.login("alice@example.com", "secret"); !strings.Contains(got, "alice's maildrop has 2 messages") {
		t.Errorf("PASS reply %q", got)
	}
	total := len(f.msgs[0]) + len(f.msgs[1])
	if got, want := c.cmdOK("STAT"), fmt.Sprintf("+OK 2 %d", total); got != want {
		t.Errorf("STAT = %q, want %q", got, want)
	}
	c.cmdOK("LIST")
	want := []string{"1 " + strconv.Itoa(len(f.msgs[0])), "2 " + strconv.Itoa(len(f.msgs[1]))}
	if got := c.lines(); !slices.Equal(got, want) {
		t.Errorf("LIST = %q, want %q", got, want)
	}
	c.cmdOK("UIDL")
	want = []string{"1 " + strconv.FormatInt(f.uids[0], 10), "2 " + strconv.FormatInt(f.uids[1], 10)}
	if got := c.lines(); !slices.Equal(got, want) {
		t.Errorf("UIDL = %q, want %q (Hedwig's message ids)", got, want)
	}
	if got, want := c.cmdOK("UIDL 2"), "+OK 2 "+strconv.FormatInt(f.uids[1], 10); got != want {
		t.Errorf("UIDL 2 = %q, want %q", got, want)
	}
	if got, want := c.cmdOK("RETR 1"), fmt.Sprintf("+OK %d octets", len(f.msgs[0])); got != want {
		t.Errorf("RETR reply %q, want %q", got, want)
	}
	if got := c.multiline(); !bytes.Equal(got, f.msgs[0]) {
		t.Errorf("RETR 1 is not byte-identical:\n got %q\nwant %q", got, f.msgs[0])
	}
	c.cmdOK("DELE 1")
	if got, want := c.cmdOK("STAT"), fmt.Sprintf("+OK 1 %d", len(f.msgs[1])); got != want {
		t.Errorf("STAT after DELE = %q, want %q", got, want)
	}
	c.cmdErr("RETR 1", "deleted")
	c.cmdErr("DELE 1", "deleted")
	c.cmdOK("LIST")
	if got := c.lines(); !slices.Equal(got, []string{"2 " + strconv.Itoa(len(f.msgs[1]))}) {
		t.Errorf("LIST after DELE = %q", got)
	}
	// Nothing is removed before QUIT.
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids) {
		t.Errorf("before QUIT the INBOX holds %v, want %v", got, f.uids)
	}
	if got := c.cmdOK("QUIT"); !strings.Contains(got, "1 messages left") {
		t.Errorf("QUIT reply %q", got)
	}
	c.expectClosed()
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids[1:]) {
		t.Errorf("after QUIT the INBOX holds %v, want %v", got, f.uids[1:])
	}
}

// IMAP sessions learn of POP3's deletions through the store's expunge
// records (QRESYNC) and change notification.
func TestQuitExpungeVisibleToIMAP(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	ctx := context.Background()
	inbox, err := f.st.MailboxByName(ctx, f.user.ID, store.InboxName)
	if err != nil {
		t.Fatal(err)
	}
	w := f.st.Watch(inbox.ID)
	defer w.Close()
	c := f.pop3s(t)
	c.cmdOK("DELE 2")
	c.cmdOK("QUIT")
	<-w.C
	gone, err := f.st.ExpungedSince(ctx, inbox.ID, inbox.HighestModSeq)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gone, f.uids[1:]) {
		t.Errorf("expunged since login: %v, want %v", gone, f.uids[1:])
	}
}

func TestDroppedConnectionDeletesNothing(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.pop3s(t)
	c.cmdOK("DELE 1")
	c.cmdOK("DELE 2")
	c.conn.Close()
	f.srv.waitIdle(t)
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids) {
		t.Errorf("after a dropped connection the INBOX holds %v, want %v", got, f.uids)
	}
	c2 := f.pop3s(t)
	if got := c2.cmdOK("STAT"); !strings.HasPrefix(got, "+OK 2 ") {
		t.Errorf("STAT in the next session = %q", got)
	}
}

func TestRsetUndeletes(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.pop3s(t)
	c.cmdOK("DELE 1")
	c.cmdOK("DELE 2")
	if got := c.cmdOK("STAT"); got != "+OK 0 0" {
		t.Errorf("STAT = %q", got)
	}
	if got := c.cmdOK("RSET"); !strings.Contains(got, "2 messages") {
		t.Errorf("RSET = %q", got)
	}
	c.cmdOK("RETR 1")
	c.multiline()
	c.cmdOK("QUIT")
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids) {
		t.Errorf("after RSET and QUIT the INBOX holds %v, want %v", got, f.uids)
	}
}

func TestTop(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.pop3s(t)
	header, body, _ := bytes.Cut(f.msgs[0], []byte("\r\n\r\n"))
	c.cmdOK("TOP 1 0")
	if got, want := c.multiline(), append(slices.Clone(header), "\r\n\r\n"...); !bytes.Equal(got, want) {
		t.Errorf("TOP 1 0 = %q, want %q", got, want)
	}
	c.cmdOK("TOP 1 2")
	bodyLines := bytes.SplitAfter(body, []byte("\r\n"))
	want := append(append(slices.Clone(header), "\r\n\r\n"...), bytes.Join(bodyLines[:2], nil)...)
	if got := c.multiline(); !bytes.Equal(got, want) {
		t.Errorf("TOP 1 2 = %q, want %q", got, want)
	}
	c.cmdOK("TOP 2 100000")
	if got := c.multiline(); !bytes.Equal(got, f.msgs[1]) {
		t.Errorf("TOP beyond the end is not the whole message")
	}
	c.cmdErr("TOP 1", "TOP takes")
	c.cmdErr("TOP 1 x", "line count")
}

// UIDL values are Hedwig's message ids, the same in every session, and a
// message delivered later gets a new one.
func TestUIDLStableAcrossSessions(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	read := func() []string {
		c := f.pop3s(t)
		c.cmdOK("UIDL")
		lines := c.lines()
		c.cmdOK("QUIT")
		return lines
	}
	first := read()
	third := mailtest.Deliver(t, f.st, f.user, sampleMessage("third message"))
	second := read()
	want := append(slices.Clone(first), "3 "+strconv.FormatInt(third, 10))
	if !slices.Equal(second, want) {
		t.Errorf("second session UIDL %q, want %q", second, want)
	}
}

func TestSecondSessionInUse(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	// POP3 (STLS) and POP3S listeners on the same store share the locks.
	plain := startServer(t, f.st, listener.StartTLS, Config{})
	a := f.pop3s(t)
	b := dial(t, plain.addr)
	b.startTLS(mailtest.ClientTLS(t, mailtest.NoCert))
	b.cmdOK("USER alice@example.com")
	b.cmdErr("PASS secret", "[IN-USE]")
	a.cmdOK("DELE 1")
	a.cmdOK("QUIT")
	// After QUIT the maildrop is free at once.
	b.login("alice@example.com", "secret")
	if got := b.cmdOK("STAT"); !strings.HasPrefix(got, "+OK 1 ") {
		t.Errorf("STAT after the first session's QUIT = %q", got)
	}
}

// With EXPIRE 0 the server deletes what a session retrieved, at QUIT.
func TestExpireZeroAndLoginDelay(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{Expire: "0", LoginDelay: 3600e9})
	c := f.dialPOP3S(t)
	c.cmdOK("CAPA")
	capa := c.lines()
	for _, want := range []string{"EXPIRE 0", "LOGIN-DELAY 3600"} {
		if !slices.Contains(capa, want) {
			t.Errorf("CAPA %q lacks %q", capa, want)
		}
	}
	c.login("alice@example.com", "secret")
	c.cmdOK("RETR 2")
	c.multiline()
	c.cmdOK("QUIT")
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids[:1]) {
		t.Errorf("after RETR 2 with EXPIRE 0 the INBOX holds %v, want %v", got, f.uids[:1])
	}
	c2 := f.dialPOP3S(t)
	c2.cmdOK("USER alice@example.com")
	c2.cmdErr("PASS secret", "[LOGIN-DELAY]")
}

func TestEmptyMaildrop(t *testing.T) {
	st := mailtest.NewStore(t)
	mailtest.AddUser(t, st, "bob@example.com", "hunter2")
	srv := startServer(t, st, listener.Implicit, Config{})
	c := dialTLS(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c.login("bob@example.com", "hunter2")
	if got := c.cmdOK("STAT"); got != "+OK 0 0" {
		t.Errorf("STAT = %q", got)
	}
	c.cmdOK("LIST")
	if got := c.lines(); len(got) != 0 {
		t.Errorf("LIST = %q", got)
	}
	c.cmdErr("RETR 1", "no message 1")
	c.cmdOK("QUIT")
}
