package imap

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// loggedIn serves a fresh store over implicit TLS and returns alice,
// logged in.
func loggedIn(t *testing.T) (*server, store.User, *client) {
	t.Helper()
	st := mailtest.NewStore(t)
	alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	srv := startServer(t, st, listener.Implicit, Config{})
	c := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c.login("alice@example.com", "s3cret")
	return srv, alice, c
}

// literalOf extracts the literal that follows label in a FETCH response.
func literalOf(t *testing.T, resp, label string) string {
	t.Helper()
	i := strings.Index(resp, label+" {")
	if i < 0 {
		t.Fatalf("no %s literal in %q", label, resp)
	}
	rest := resp[i+len(label)+2:]
	var n int
	if _, err := fmt.Sscanf(rest, "%d}", &n); err != nil {
		t.Fatal(err)
	}
	rest = rest[strings.Index(rest, "}\r\n")+3:]
	return rest[:n]
}

func has(lines []string, want string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) })
}

func mustHave(t *testing.T, lines []string, want string) {
	t.Helper()
	if !has(lines, want) {
		t.Fatalf("no %q in:\n%s", want, strings.Join(lines, "\n"))
	}
}

func TestFetchIsByteIdenticalAndPeekKeepsUnseen(t *testing.T) {
	srv, alice, c := loggedIn(t)
	msg := sampleMessage("byte identical")
	uid := mailtest.Deliver(t, srv.st, alice, msg)

	sel := c.ok("SELECT INBOX")
	mustHave(t, sel, "* 1 EXISTS")
	mustHave(t, sel, "* 1 RECENT")
	mustHave(t, sel, "[UNSEEN 1]")
	mustHave(t, sel, fmt.Sprintf("[UIDNEXT %d]", uid+1))

	lines := c.ok("UID FETCH %d (BODY.PEEK[] RFC822.SIZE)", uid)
	if got := literalOf(t, lines[0], "BODY[]"); got != string(msg) {
		t.Fatalf("BODY[] differs from the delivered message:\n%q\n%q", got, msg)
	}
	mustHave(t, lines, fmt.Sprintf("RFC822.SIZE %d", len(msg)))
	mustHave(t, c.ok("FETCH 1 FLAGS"), `FLAGS (\Recent)`)

	// A body fetch without PEEK sets \Seen and says so.
	lines = c.ok("FETCH 1 BODY[TEXT]<0.7>")
	mustHave(t, lines, `FLAGS (\Seen \Recent)`)
	if got := literalOf(t, lines[0], "BODY[TEXT]<0>"); got != "Grüße" {
		t.Fatalf("partial TEXT = %q", got)
	}
	infos, err := srv.st.Messages(context.Background(), mailboxID(t, srv.st, alice, "INBOX"))
	if err != nil || infos[0].Flags&store.FlagSeen == 0 {
		t.Fatalf("store does not have \\Seen: %v %v", infos, err)
	}
}

func mailboxID(t *testing.T, st *store.Store, u store.User, name string) int64 {
	t.Helper()
	mb, err := st.MailboxByName(context.Background(), u.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return mb.ID
}

func TestStoreFlagsAndExpunge(t *testing.T) {
	srv, alice, c := loggedIn(t)
	var uids []int64
	for i := range 4 {
		uids = append(uids, mailtest.Deliver(t, srv.st, alice, sampleMessage(fmt.Sprintf("m%d", i))))
	}
	c.ok("SELECT INBOX")
	lines := c.ok(`STORE 2:3 +FLAGS (\Deleted $Junk)`)
	mustHave(t, lines, `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Junk)`)
	mustHave(t, lines, `* 2 FETCH (FLAGS (\Deleted \Recent $Junk))`)
	mustHave(t, lines, `* 3 FETCH (FLAGS (\Deleted \Recent $Junk))`)
	if lines := c.ok(`UID STORE %d -FLAGS.SILENT (\Deleted)`, uids[2]); len(lines) != 0 {
		t.Fatalf("SILENT store answered %q", lines)
	}
	mustHave(t, c.ok(`UID SEARCH DELETED`), fmt.Sprintf("* SEARCH %d", uids[1]))
	mustHave(t, c.ok(`SEARCH KEYWORD $Junk`), "* SEARCH 2 3")
	lines = c.ok("EXPUNGE")
	if !slices.Equal(lines, []string{"* 2 EXPUNGE"}) {
		t.Fatalf("EXPUNGE answered %q", lines)
	}
	infos, _ := srv.st.Messages(context.Background(), mailboxID(t, srv.st, alice, "INBOX"))
	if len(infos) != 3 || infos[1].UID != uids[2] {
		t.Fatalf("store after expunge: %+v", infos)
	}
	// UID EXPUNGE removes only the named messages (UIDPLUS).
	c.ok(`STORE 1:* +FLAGS (\Deleted)`)
	lines = c.ok("UID EXPUNGE %d", uids[3])
	if !slices.Equal(lines, []string{"* 3 EXPUNGE"}) {
		t.Fatalf("UID EXPUNGE answered %q", lines)
	}
	// CLOSE expunges the rest silently.
	if lines := c.ok("CLOSE"); len(lines) != 0 {
		t.Fatalf("CLOSE answered %q", lines)
	}
	mustHave(t, c.ok("STATUS INBOX (MESSAGES UNSEEN)"), "* STATUS INBOX (MESSAGES 0 UNSEEN 0)")
	c.expectStatus("BAD", "FETCH 1 FLAGS") // after CLOSE
}

func TestAppendCopyMove(t *testing.T) {
	_, _, c := loggedIn(t)
	msg := sampleMessage("appended")
	c.send(fmt.Sprintf("a1 APPEND Drafts {%d}\r\n", len(msg)))
	c.expectPrefix("+ ")
	c.send(string(msg) + "\r\n")
	if _, status := c.readUntil("a1"); !strings.HasPrefix(status, "NO [TRYCREATE]") {
		t.Fatalf("APPEND to a missing mailbox: %q", status)
	}
	c.ok("CREATE Drafts")
	c.send(fmt.Sprintf("a2 APPEND Drafts (\\Draft) \"05-Nov-2026 09:30:00 +0100\" {%d}\r\n", len(msg)))
	c.expectPrefix("+ ")
	c.send(string(msg) + "\r\n")
	_, status := c.readUntil("a2")
	m := regexp.MustCompile(`^OK \[APPENDUID (\d+) (\d+)\]`).FindStringSubmatch(status)
	if m == nil {
		t.Fatalf("APPEND: %s", status)
	}
	// LITERAL+: no continuation request.
	c.send(fmt.Sprintf("a3 APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg))
	if _, status := c.readUntil("a3"); !strings.HasPrefix(status, "OK [APPENDUID") {
		t.Fatalf("APPEND with LITERAL+: %s", status)
	}

	c.ok("SELECT Drafts")
	lines := c.ok("FETCH 1 (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (Subject)])")
	mustHave(t, lines, `FLAGS (\Draft \Recent)`)
	// The store keeps the instant, not the client's zone.
	date := regexp.MustCompile(`INTERNALDATE "([^"]+)"`).FindStringSubmatch(lines[0])
	if got, err := time.Parse(internalDateLayout, date[1]); err != nil || !got.Equal(time.Date(2026, 11, 5, 8, 30, 0, 0, time.UTC)) {
		t.Fatalf("INTERNALDATE %q (%v)", date[1], err)
	}
	if got := literalOf(t, lines[0], "BODY[HEADER.FIELDS (Subject)]"); got != "Subject: appended\r\n\r\n" {
		t.Fatalf("HEADER.FIELDS = %q", got)
	}
	c.ok("CREATE Archive")
	_, status = c.cmd("COPY 1 Archive")
	if !regexp.MustCompile(`^OK \[COPYUID \d+ ` + m[2] + ` \d+\]`).MatchString(status) {
		t.Fatalf("COPY: %s", status)
	}
	lines = c.ok("MOVE 1 Archive")
	mustHave(t, lines, "* OK [COPYUID ")
	mustHave(t, lines, "* 1 EXPUNGE")
	mustHave(t, c.ok("STATUS Archive (MESSAGES)"), "(MESSAGES 2)")
	mustHave(t, c.ok("STATUS Drafts (MESSAGES)"), "(MESSAGES 0)")
	c.expectStatus("NO [TRYCREATE]", "COPY 1:* Nowhere") // a missing mailbox
}

func TestMailboxManagement(t *testing.T) {
	_, _, c := loggedIn(t)
	c.ok("CREATE Work.Projects")
	c.ok("CREATE &AMQ-rger") // "Ärger" in modified UTF-7
	c.ok("CREATE Trash")
	c.ok(`CREATE "Sent Items"`)
	c.expectStatus("NO [ALREADYEXISTS]", "CREATE Work.Projects") // a second time
	c.expectStatus("NO", "CREATE &Jjo!")                         // malformed modified UTF-7
	lines := c.ok(`LIST "" *`)
	mustHave(t, lines, `* LIST (\HasNoChildren) "." INBOX`)
	mustHave(t, lines, `* LIST (\HasNoChildren) "." Work.Projects`)
	mustHave(t, lines, `* LIST (\HasNoChildren) "." &AMQ-rger`)
	mustHave(t, lines, `* LIST (\HasChildren) "." Work`)
	mustHave(t, lines, `* LIST (\HasNoChildren \Trash) "." Trash`)
	mustHave(t, lines, `* LIST (\HasNoChildren \Sent) "." "Sent Items"`)
	lines = c.ok(`LIST "" %s`, "%")
	if has(lines, "Work.Projects") {
		t.Fatalf("%% matched a second level: %q", lines)
	}
	mustHave(t, c.ok(`LIST "" ""`), `* LIST (\Noselect) "." ""`)
	mustHave(t, c.ok(`LIST "" inbox`), `"." INBOX`)
	mustHave(t, c.ok(`NAMESPACE`), `* NAMESPACE (("" ".")) NIL (("#" "."))`)

	c.ok("SUBSCRIBE Work.Projects")
	mustHave(t, c.ok(`LSUB "" *`), `* LSUB () "." Work.Projects`)
	c.ok("RENAME Work.Projects Work.Done")
	lines = c.ok(`LIST "" Work.*`)
	mustHave(t, lines, "Work.Done")
	if has(lines, "Work.Projects") {
		t.Fatalf("old name still listed: %q", lines)
	}
	c.ok("UNSUBSCRIBE Work.Projects")
	c.ok("DELETE Work.Done")
	c.expectStatus("NO", "DELETE INBOX")
	c.expectStatus("NO [NONEXISTENT]", "SELECT Nowhere")
	mustHave(t, c.ok("STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)"), "* STATUS INBOX (MESSAGES 0 RECENT 0 UIDNEXT ")
}

func TestSearchKeys(t *testing.T) {
	srv, alice, c := loggedIn(t)
	mailtest.Deliver(t, srv.st, alice, sampleMessage("first one"))
	mailtest.Deliver(t, srv.st, alice, []byte("From: Carol <carol@example.net>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nDate: Tue, 3 Nov 2026 08:00:00 +0000\r\n\r\nshort body\r\n"))
	mailtest.Deliver(t, srv.st, alice, sampleMessage("third one"))
	c.ok("SELECT INBOX")
	c.ok(`STORE 3 +FLAGS (\Flagged)`)
	cases := map[string]string{
		`SEARCH ALL`:                         "* SEARCH 1 2 3",
		`SEARCH FROM carol`:                  "* SEARCH 2",
		`SEARCH SUBJECT "grüße"`:             "* SEARCH 2",
		`SEARCH CHARSET UTF-8 SUBJECT Grüße`: "* SEARCH 2",
		`SEARCH BODY "two dots"`:             "* SEARCH 1 3",
		`SEARCH NOT BODY "two dots"`:         "* SEARCH 2",
		`SEARCH OR FLAGGED FROM carol`:       "* SEARCH 2 3",
		`SEARCH UNFLAGGED 2:*`:               "* SEARCH 2",
		`SEARCH SMALLER 200`:                 "* SEARCH 2",
		`SEARCH SENTON 3-Nov-2026`:           "* SEARCH 2",
		`SEARCH SENTBEFORE 3-Nov-2026`:       "* SEARCH 1 3",
		`SEARCH HEADER Message-ID third`:     "* SEARCH 3",
		`SEARCH (SEEN) RECENT`:               "* SEARCH",
		`SEARCH NEW`:                         "* SEARCH 1 2 3",
		`SEARCH RETURN (MIN MAX COUNT) ALL`:  `MIN 1 MAX 3 COUNT 3`,
	}
	for cmd, want := range cases {
		lines := c.ok("%s", cmd)
		if len(lines) != 1 || !strings.HasSuffix(lines[0], want) || (strings.HasPrefix(want, "*") && lines[0] != want) {
			t.Errorf("%s: got %q, want %q", cmd, lines, want)
		}
	}
	if _, status := c.cmd("SEARCH CHARSET KOI8-R ALL"); !strings.HasPrefix(status, "NO [BADCHARSET") {
		t.Errorf("unknown charset: %s", status)
	}
}

func TestOtherSessionsChangesAreReported(t *testing.T) {
	srv, alice, c := loggedIn(t)
	mailtest.Deliver(t, srv.st, alice, sampleMessage("one"))
	mailtest.Deliver(t, srv.st, alice, sampleMessage("two"))
	c.ok("SELECT INBOX")
	other := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	other.login("alice@example.com", "s3cret")
	other.expectStatus("OK [READ-ONLY]", "EXAMINE INBOX")
	other.expectStatus("NO", `STORE 1 +FLAGS (\Seen)`) // read-only after EXAMINE
	other.ok("SELECT INBOX")
	other.ok(`STORE 1 +FLAGS (\Answered \Deleted)`)
	mailtest.Deliver(t, srv.st, alice, sampleMessage("three"))

	// FETCH by sequence number must not report the expunge...
	other.ok("EXPUNGE")
	lines := c.ok("FETCH 2 UID")
	if has(lines, "EXPUNGE") {
		t.Fatalf("EXPUNGE during FETCH: %q", lines)
	}
	mustHave(t, lines, "* 3 EXISTS")
	// ... NOOP does.
	lines = c.ok("NOOP")
	mustHave(t, lines, "* 1 EXPUNGE")

	// Flag changes by the other session arrive as unsolicited FETCH.
	other.ok(`STORE 2 +FLAGS (\Flagged)`)
	lines = c.ok("NOOP")
	mustHave(t, lines, `* 2 FETCH (UID `)
	mustHave(t, lines, `FLAGS (\Flagged`)
	if lines := c.ok("NOOP"); len(lines) != 0 {
		t.Fatalf("changes reported twice: %q", lines)
	}
}

func TestBodyStructureAndSections(t *testing.T) {
	srv, alice, c := loggedIn(t)
	msg := strings.Join([]string{
		"From: bob@example.org",
		"Subject: parts",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="XX"`,
		"",
		"preamble",
		"--XX",
		"Content-Type: text/plain; charset=us-ascii",
		"",
		"hello",
		"--XX",
		"Content-Type: message/rfc822",
		"",
		"Subject: inner",
		"Content-Type: text/html",
		"",
		"<p>inner</p>",
		"--XX",
		`Content-Type: application/pdf; name="a.pdf"`,
		"Content-Transfer-Encoding: base64",
		`Content-Disposition: attachment; filename="a.pdf"`,
		"",
		"JVBERi0=",
		"--XX--",
		"",
	}, "\r\n")
	mailtest.Deliver(t, srv.st, alice, []byte(msg))
	c.ok("SELECT INBOX")
	lines := c.ok("FETCH 1 BODYSTRUCTURE")
	want := `BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL)` +
		`("message" "rfc822" NIL NIL NIL "7bit" 55 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "html" NIL NIL NIL "7bit" 12 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)` +
		`("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 8 NIL ("attachment" ("filename" "a.pdf")) NIL NIL) "mixed" ("boundary" "XX") NIL NIL NIL)`
	mustHave(t, lines, want)
	sections := map[string]string{
		"1":        "hello",
		"2.HEADER": "Subject: inner\r\nContent-Type: text/html\r\n\r\n",
		"2.1":      "<p>inner</p>",
		"2.TEXT":   "<p>inner</p>",
		"3.MIME":   "Content-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\r\n",
		"3":        "JVBERi0=",
		"4":        "",
	}
	for sec, want := range sections {
		lines := c.ok("FETCH 1 BODY.PEEK[%s]", sec)
		if got := literalOf(t, lines[0], "BODY["+sec+"]"); got != want {
			t.Errorf("BODY[%s] = %q, want %q", sec, got, want)
		}
	}
}

func TestIdleWokenByDelivery(t *testing.T) {
	srv, alice, c := loggedIn(t)
	c.ok("SELECT INBOX")
	c.send("i1 IDLE\r\n")
	c.expectPrefix("+ ")
	mailtest.Deliver(t, srv.st, alice, sampleMessage("while idling"))
	c.expectPrefix("* 1 EXISTS")
	c.expectPrefix("* 1 RECENT")
	c.send("DONE\r\n")
	c.expectPrefix("i1 OK")
	mustHave(t, c.ok("FETCH 1 ENVELOPE"), `"while idling"`)
}

// A big APPEND goes through a spool file, arrives intact and leaves no
// file behind.
func TestLargeAppendIsSpooled(t *testing.T) {
	st := mailtest.NewStore(t)
	mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	spool := t.TempDir()
	srv := startServer(t, st, listener.Implicit, Config{SpoolDir: spool})
	c := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c.login("alice@example.com", "s3cret")
	msg := append(sampleMessage("large"), []byte(strings.Repeat("0123456789abcdef\r\n", 200_000))...)
	c.send(fmt.Sprintf("a APPEND INBOX {%d}\r\n", len(msg)))
	c.expectPrefix("+ ")
	c.send(string(msg) + "\r\n")
	if _, status := c.readUntil("a"); !strings.HasPrefix(status, "OK [APPENDUID") {
		t.Fatalf("APPEND: %s", status)
	}
	c.ok("SELECT INBOX")
	lines := c.ok("FETCH 1 BODY.PEEK[]")
	if got := literalOf(t, lines[0], "BODY[]"); got != string(msg) {
		t.Fatalf("stored message differs (%d bytes, want %d)", len(got), len(msg))
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Fatalf("spool files left: %v", left)
	}
	// A huge literal anywhere but the message is refused.
	c.send(fmt.Sprintf("b APPEND {%d}\r\n", len(msg)))
	c.expectPrefix("+ ")
	c.send(string(msg) + " {3}\r\n")
	c.expectPrefix("+ ")
	c.send("abc\r\n")
	if _, status := c.readUntil("b"); !strings.HasPrefix(status, "BAD") {
		t.Fatalf("mailbox name as a huge literal: %s", status)
	}
	// Only one literal of a command may be large.
	c.send(fmt.Sprintf("c APPEND {%d}\r\n", len(msg)))
	c.expectPrefix("+ ")
	c.send(string(msg) + fmt.Sprintf(" {%d}\r\n", len(msg)))
	c.expectPrefix("c NO [TOOBIG]")
	c.ok("NOOP")
}
