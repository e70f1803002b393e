package imap

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
)

func TestCondStore(t *testing.T) {
	srv, alice, c := loggedIn(t)
	for _, s := range []string{"a", "b", "c"} {
		mailtest.Deliver(t, srv.st, alice, sampleMessage(s))
	}
	mustHave(t, c.ok("CAPABILITY"), "CONDSTORE")
	mustHave(t, c.ok("ENABLE CONDSTORE"), "* ENABLED CONDSTORE")
	sel := c.ok("SELECT INBOX")
	mustHave(t, sel, "[HIGHESTMODSEQ ")

	lines := c.ok(`STORE 2 +FLAGS (\Flagged)`)
	m := regexp.MustCompile(`^\* 2 FETCH \(FLAGS \(\\Flagged \\Recent\) MODSEQ \((\d+)\)\)$`).FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("STORE with CONDSTORE answered %q", lines)
	}
	modseq, _ := strconv.ParseInt(m[1], 10, 64)

	// Only message 2 changed since modseq-1.
	lines = c.ok("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)", modseq-1)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "* 2 FETCH") || !strings.Contains(lines[0], "MODSEQ ("+m[1]+")") {
		t.Fatalf("CHANGEDSINCE: %q", lines)
	}
	mustHave(t, c.ok("SEARCH MODSEQ %d", modseq), "* SEARCH 2 (MODSEQ "+m[1]+")")
	mustHave(t, c.ok(`SEARCH MODSEQ "/flags/\\draft" all %d`, modseq), "* SEARCH 2")

	// A conditional STORE against a stale modseq changes nothing.
	_, status := c.cmd(`STORE 2 (UNCHANGEDSINCE %d) +FLAGS (\Seen)`, modseq-1)
	if !strings.HasPrefix(status, "OK [MODIFIED ") {
		t.Fatalf("stale UNCHANGEDSINCE: %s", status)
	}
	if lines := c.ok("FETCH 2 FLAGS"); strings.Contains(lines[0], `\Seen`) {
		t.Fatalf("conditional STORE applied anyway: %q", lines)
	}
	status = c.ok("STATUS INBOX (HIGHESTMODSEQ)")[0]
	hm := regexp.MustCompile(`HIGHESTMODSEQ (\d+)`).FindStringSubmatch(status)
	if got, _ := strconv.ParseInt(hm[1], 10, 64); got < modseq {
		t.Fatalf("HIGHESTMODSEQ went back: %s < %d", status, modseq)
	}
}

func TestQResync(t *testing.T) {
	srv, alice, c := loggedIn(t)
	var uids []int64
	for _, s := range []string{"a", "b", "c", "d"} {
		uids = append(uids, mailtest.Deliver(t, srv.st, alice, sampleMessage(s)))
	}
	c.expectStatus("BAD", "SELECT INBOX (QRESYNC (1 1))") // QRESYNC before ENABLE
	mustHave(t, c.ok("ENABLE QRESYNC"), "* ENABLED QRESYNC")
	sel := c.ok("SELECT INBOX")
	uv := regexp.MustCompile(`UIDVALIDITY (\d+)`).FindStringSubmatch(strings.Join(sel, "\n"))[1]
	hm := regexp.MustCompile(`HIGHESTMODSEQ (\d+)`).FindStringSubmatch(strings.Join(sel, "\n"))[1]

	// While the client is away: one message expunged, one flagged.
	other := dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	other.login("alice@example.com", "s3cret")
	other.ok("SELECT INBOX")
	other.ok(`STORE 2 +FLAGS (\Deleted)`)
	other.ok(`STORE 3 +FLAGS (\Flagged)`)
	other.ok("EXPUNGE")
	c.ok("LOGOUT")

	c = dial(t, srv.addr, mailtest.ClientTLS(t, mailtest.NoCert))
	c.login("alice@example.com", "s3cret")
	c.ok("ENABLE QRESYNC")
	lines := c.ok("SELECT INBOX (QRESYNC (%s %s))", uv, hm)
	mustHave(t, lines, fmt.Sprintf("* VANISHED (EARLIER) %d", uids[1]))
	mustHave(t, lines, fmt.Sprintf(`* 2 FETCH (UID %d FLAGS (\Flagged) MODSEQ (`, uids[2]))
	if has(lines, fmt.Sprintf("UID %d ", uids[0])) {
		t.Fatalf("unchanged message reported: %q", lines)
	}
	lines = c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %s VANISHED)", hm)
	mustHave(t, lines, fmt.Sprintf("* VANISHED (EARLIER) %d", uids[1]))

	// Expunges are VANISHED now, ours and others'.
	c.ok(`STORE 1 +FLAGS (\Deleted)`)
	mustHave(t, c.ok("EXPUNGE"), fmt.Sprintf("* VANISHED %d", uids[0]))
	// The other session has not heard of our expunge yet: its message 2
	// is still the third one.
	other.ok(`STORE 2 +FLAGS (\Deleted)`)
	other.ok("EXPUNGE")
	lines = c.ok("NOOP")
	mustHave(t, lines, fmt.Sprintf("* VANISHED %d", uids[2]))
	if has(lines, "EXPUNGE") {
		t.Fatalf("EXPUNGE sent to a QRESYNC client: %q", lines)
	}
	c.expectStatus("BAD", "FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)") // VANISHED without UID
}
