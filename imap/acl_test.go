package imap

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

func TestSharedFoldersAndACL(t *testing.T) {
	st := mailtest.NewStore(t)
	ctx := context.Background()
	alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	bob := mailtest.AddUser(t, st, "bob@example.com", "b0b")
	news, err := st.CreateMailbox(ctx, store.AnyoneID, "#public.News")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetRights(ctx, news.ID, alice.ID, "lrswipkxtea"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRights(ctx, news.ID, bob.ID, "lr"); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, st, listener.Implicit, Config{})
	a := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	a.login("alice@example.com", "s3cret")
	b := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	b.login("bob@example.com", "b0b")

	mustHave(t, b.ok(`LIST "" "#public.*"`), `"." #public.News`)
	b.expectStatus("OK [READ-ONLY]", "SELECT #public.News") // bob may only read it
	mustHave(t, b.ok("MYRIGHTS #public.News"), "* MYRIGHTS #public.News lr")
	b.expectStatus("NO [NOPERM]", "GETACL #public.News")     // no "a" right
	b.expectStatus("NO [NOPERM]", "CREATE #public.News.Bob") // no "k" right
	b.expectStatus("NO [NOPERM]", "CREATE #evil")            // a user may not create top-level shared folders

	mustHave(t, a.ok("GETACL #public.News"), "bob@example.com lr")
	a.ok("SETACL #public.News bob@example.com +is")
	mustHave(t, b.ok("MYRIGHTS #public.News"), "* MYRIGHTS #public.News lrsi")
	// With s, bob may mark messages seen, but not delete or expunge.
	msg := sampleMessage("news")
	b.send(fmt.Sprintf("ap APPEND #public.News {%d+}\r\n%s\r\n", len(msg), msg))
	if _, status := b.readUntil("ap"); !strings.HasPrefix(status, "OK [APPENDUID") {
		t.Fatalf("APPEND with the i right: %s", status)
	}
	b.expectStatus("OK [READ-WRITE]", "SELECT #public.News") // the "s" right
	mustHave(t, b.ok(`STORE 1 +FLAGS (\Seen)`), `FLAGS (\Seen`)
	for _, cmd := range []string{`STORE 1 +FLAGS (\Deleted)`, `STORE 1 FLAGS (\Seen)`, "EXPUNGE", "MOVE 1 INBOX"} {
		b.expectStatus("NO [NOPERM]", "%s", cmd)
	}
	b.ok("UNSELECT")
	a.ok("SETACL #public.News bob@example.com -l")
	mustHave(t, b.ok("MYRIGHTS #public.News"), "* MYRIGHTS #public.News rsi")
	mustHave(t, a.ok("LISTRIGHTS #public.News bob@example.com"), `* LISTRIGHTS #public.News bob@example.com "" l r s`)
	a.ok("CREATE #public.News.Archive")
	a.ok("DELETEACL #public.News bob@example.com")
	if lines := b.ok(`LIST "" "#public.*"`); has(lines, "News") {
		t.Fatalf("bob still sees the folder: %q", lines)
	}
	b.expectStatus("NO", "SELECT #public.News")                                     // after DELETEACL
	a.expectStatus("NO [NONEXISTENT]", "SETACL #public.News nobody@example.com lr") // unknown user
	a.expectStatus("BAD", "SETACL #public.News bob@example.com lrz")                // unknown right "z"
}

func TestApplyRights(t *testing.T) {
	for _, c := range []struct{ current, mod, want string }{
		{"lr", "+i", "lri"}, {"lri", "-r", "li"}, {"lrswi", "lr", "lr"}, {"", "+cd", "kxte"}, {"lr", "", ""},
	} {
		if got, err := applyRights(c.current, c.mod); err != nil || got != c.want {
			t.Errorf("applyRights(%q, %q) = %q, %v; want %q", c.current, c.mod, got, err, c.want)
		}
	}
}
